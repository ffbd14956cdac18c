import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client.js';
import type { Incident, SpanRow } from '../api/types.js';
import { RedCharts } from '../components/red-charts.js';
import { TraceWaterfall } from '../components/trace-waterfall.js';
import { shortTime } from '../logic/format.js';
import { rangeMs, routeHash } from '../logic/route.js';
import { TimeRange } from '../components/time-end.js';
import { pinnedEnd } from '../logic/range.js';
import { SPAN_STATUS } from '../../../src/core/domain/span.js';

const RANGES = ['15m', '1h', '6h', '24h'] as const;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Traces explorer: a service's RED over the range (spans, failed spans, p90), and its spans —
 * the slowest or the newest, failed only, at least so long — each opening its trace as a
 * waterfall. Every choice is in the URL, the open trace too.
 */
export function Traces({
  params,
  live,
  onError,
}: {
  params: Record<string, string>;
  live: number;
  onError: (e: unknown) => void;
}) {
  const range = params.range ?? '1h';
  const order = params.order === 'start' ? 'start' : 'duration';
  const status = params.status === 'error' ? 'error' : 'any';
  const minDuration =
    params.min === undefined || !Number.isFinite(Number(params.min))
      ? undefined
      : Math.max(0, Number(params.min));
  // pinned to a time a person chose (`to`): the view stays there, live data does not move it
  const pinned = pinnedEnd(params);
  const follow = pinned === undefined ? live : 0;
  const go = (over: Record<string, string | undefined>) => {
    location.hash = routeHash('/traces', { ...params, ...over });
  };
  const [minText, setMinText] = useState(params.min ?? '');
  const [opText, setOpText] = useState(params.op ?? '');
  useEffect(() => {
    setMinText(params.min ?? '');
    setOpText(params.op ?? '');
  }, [params.min, params.op]);
  const [ctx, setCtx] = useState<
    { fromMs: number; toMs: number; incidents: Incident[]; services: string[] } | undefined
  >();
  useEffect(() => {
    const run = { alive: true };
    (async () => {
      const [{ toMs, incidents }, svc] = await Promise.all([
        api.focus(100, pinned),
        api.services(),
      ]);
      if (run.alive)
        setCtx({
          fromMs: toMs - rangeMs(range),
          toMs,
          incidents,
          services: svc.items.filter((s) => s.spans > 0).map((s) => s.service),
        });
    })().catch(onError);
    return () => {
      run.alive = false;
    };
  }, [range, follow, pinned, onError]);
  const service = params.service ?? ctx?.services[0];
  // what is shown stays while a live event refreshes it; a new choice shows 'Loading' instead
  const key = `${service ?? ''}|${order}|${status}|${String(minDuration)}|${params.op ?? ''}|${range}`;
  const [loaded, setData] = useState<{ key: string; spans: SpanRow[] } | undefined>();
  const data = loaded?.key === key ? loaded : undefined;
  useEffect(() => {
    if (ctx === undefined || service === undefined) return;
    const run = { alive: true };
    const span = { from: iso(ctx.fromMs), to: iso(ctx.toMs) };
    api
      .spans({
        service,
        ...span,
        order,
        status,
        limit: 50,
        ...(params.op === undefined ? {} : { operation: params.op }),
        ...(minDuration === undefined ? {} : { minDuration }),
      })
      .then((spans) => {
        if (run.alive) setData({ key, spans: spans.items });
      })
      .catch(onError);
    return () => {
      run.alive = false;
    };
  }, [ctx, service, order, status, minDuration, params.op, key, onError]);

  const shown = useMemo(
    () => (ctx === undefined ? undefined : { fromMs: ctx.fromMs, toMs: ctx.toMs }),
    [ctx],
  );

  return (
    <div className="explorer">
      <section aria-labelledby="traces-h" className="card">
        <h2 id="traces-h">
          Traces{' '}
          {ctx !== undefined && (
            <span className="count">
              {shortTime(ctx.fromMs)} to {shortTime(ctx.toMs)} UTC
            </span>
          )}
        </h2>
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            go({ op: opText.trim() || undefined, min: minText.trim() || undefined });
          }}
        >
          <label>
            Service{' '}
            <select
              value={service ?? ''}
              onChange={(e) => {
                go({ service: e.target.value, op: undefined });
              }}
            >
              {ctx?.services.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Operation{' '}
            <input
              className="medium"
              value={opText}
              onChange={(e) => {
                setOpText(e.target.value);
              }}
              placeholder="exact name, or empty"
            />
          </label>
          <label>
            At least{' '}
            <input
              value={minText}
              onChange={(e) => {
                setMinText(e.target.value);
              }}
              inputMode="decimal"
              className="short"
              placeholder="0"
            />{' '}
            ms
          </label>
          <button type="submit">Apply</button>
          <label>
            <input
              type="checkbox"
              checked={status === 'error'}
              onChange={(e) => {
                go({ status: e.target.checked ? 'error' : undefined });
              }}
            />{' '}
            failed only
          </label>
          <label>
            Order{' '}
            <select
              value={order}
              onChange={(e) => {
                go({ order: e.target.value === 'start' ? 'start' : undefined });
              }}
            >
              <option value="duration">slowest first</option>
              <option value="start">by start time</option>
            </select>
          </label>
          <TimeRange
            options={RANGES}
            range={range}
            toMs={ctx?.toMs}
            pinned={pinned !== undefined}
            go={go}
          />
        </form>
        {ctx !== undefined && ctx.services.length === 0 ? (
          <p className="empty">No spans yet: traces arrive over OTLP /v1/traces or by import.</p>
        ) : data === undefined ||
          ctx === undefined ||
          shown === undefined ||
          service === undefined ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <>
            <RedCharts
              service={service}
              range={shown}
              incidents={ctx.incidents}
              onError={onError}
            />
            {params.trace !== undefined && (
              <TraceWaterfall
                traceId={params.trace}
                onClose={() => {
                  go({ trace: undefined });
                }}
              />
            )}
            {data.spans.length === 0 ? (
              <p className="empty">No span of {service} matches in this range.</p>
            ) : (
              <table className="spans">
                <caption>
                  {data.spans.length === 50 ? 'The first 50 spans' : `${data.spans.length} spans`} ·{' '}
                  {order === 'duration' ? 'slowest first' : 'by start time'}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Start (UTC)</th>
                    <th scope="col">Operation</th>
                    <th scope="col">Duration</th>
                    <th scope="col">Status</th>
                    <th scope="col">Trace</th>
                  </tr>
                </thead>
                <tbody>
                  {data.spans.map((s) => (
                    <tr
                      key={s.spanId}
                      className={s.statusCode === SPAN_STATUS.ERROR ? 'failed' : ''}
                    >
                      <td>{shortTime(Date.parse(s.start), ctx.toMs)}</td>
                      <td>
                        <code>{s.name}</code>
                      </td>
                      <td className="num">{s.durationMs.toFixed(1)} ms</td>
                      <td>
                        {s.statusCode === SPAN_STATUS.ERROR
                          ? `error${s.statusMessage === '' ? '' : `: ${s.statusMessage}`}`
                          : 'ok'}
                      </td>
                      <td>
                        <button
                          className="link trace"
                          aria-pressed={params.trace === s.traceId}
                          onClick={() => {
                            go({ trace: s.traceId });
                          }}
                        >
                          <code>{s.traceId.slice(0, 12)}…</code>
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </section>
    </div>
  );
}
