import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client.js';
import type { Finding, Incident, MetricName, MetricSeries } from '../api/types.js';
import type { ChartMark } from '../components/time-chart.js';
import { TimeChart } from '../components/time-chart.js';
import type { ChartSeries } from '../logic/chart.js';
import { stepFor } from '../logic/chart.js';
import { shortTime } from '../logic/format.js';
import { rangeMs, routeHash } from '../logic/route.js';
import { TimeRange } from '../components/time-end.js';
import { pinnedEnd } from '../logic/range.js';

const RANGES = ['1h', '6h', '24h', '7d'] as const;
const AGGS = ['avg', 'min', 'max', 'sum', 'count'] as const;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Metrics explorer: a metric's series (by service, aggregated per step) over a range, with each
 * anomaly the detectors found marked and listed with its reason, and incidents shaded. The
 * choice (metric, service, range, aggregate) is in the URL.
 */
export function Metrics({
  params,
  live,
  onError,
}: {
  params: Record<string, string>;
  live: number;
  onError: (e: unknown) => void;
}) {
  const service = params.service;
  const range = params.range ?? '6h';
  const agg = AGGS.find((a) => a === params.agg) ?? 'avg';
  const [search, setSearch] = useState('');
  // pinned to a time a person chose (`to`): the view stays there, live data does not move it
  const pinned = pinnedEnd(params);
  const follow = pinned === undefined ? live : 0;
  const go = (over: Record<string, string | undefined>) => {
    location.hash = routeHash('/metrics', { ...params, ...over });
  };
  const [ctx, setCtx] = useState<
    | {
        fromMs: number;
        toMs: number;
        incidents: Incident[];
        services: string[];
        names: MetricName[];
      }
    | undefined
  >();
  useEffect(() => {
    const run = { alive: true };
    (async () => {
      const { toMs, incidents } = await api.focus(100, pinned);
      const fromMs = toMs - rangeMs(range);
      const [svc, names] = await Promise.all([
        api.services(),
        api.metricNames({
          ...(service === undefined ? {} : { service }),
          from: iso(fromMs),
          to: iso(toMs),
        }),
      ]);
      if (run.alive)
        setCtx({
          fromMs,
          toMs,
          incidents,
          services: svc.items.filter((s) => s.metricPoints > 0).map((s) => s.service),
          names: names.items,
        });
    })().catch(onError);
    return () => {
      run.alive = false;
    };
  }, [service, range, follow, pinned, onError]);
  const name = params.name ?? ctx?.names[0]?.name;
  // what is shown stays while a live event refreshes it; a new choice shows 'Loading' instead
  const key = `${name ?? ''}|${agg}|${service ?? ''}|${range}`;
  const [loaded, setData] = useState<
    { key: string; series: MetricSeries; anomalies: Finding[] } | undefined
  >();
  const data = loaded?.key === key ? loaded : undefined;
  useEffect(() => {
    if (ctx === undefined || name === undefined) return;
    const run = { alive: true };
    const span = { from: iso(ctx.fromMs), to: iso(ctx.toMs) };
    Promise.all([
      api.metricSeries({
        name,
        ...span,
        step: stepFor(ctx.toMs - ctx.fromMs, 240),
        agg,
        limit: 10,
        ...(service === undefined ? {} : { service }),
      }),
      api.findings({ ...span, kind: 'metric-anomaly', limit: 1000 }),
    ])
      .then(([series, f]) => {
        if (run.alive)
          setData({
            key,
            series,
            anomalies: f.items.filter(
              (x) =>
                x.subject.metric === name &&
                (service === undefined || x.subject.resource.service === service),
            ),
          });
      })
      .catch(onError);
    return () => {
      run.alive = false;
    };
  }, [ctx, name, agg, service, key, onError]);

  const chartSeries = useMemo<ChartSeries[]>(
    () =>
      (data?.series.series ?? []).map((s) => ({
        label:
          [s.resource.service, s.resource.pod, s.labels === '{}' ? '' : s.labels]
            .filter((x) => x !== undefined && x !== '')
            .join(' ') ||
          name ||
          '',
        points: s.points.map((p) => ({ tMs: Date.parse(p.time), v: p.value })),
      })),
    [data, name],
  );
  const marks = useMemo<ChartMark[]>(() => {
    if (ctx === undefined || data === undefined) return [];
    const incidents = ctx.incidents.filter(
      (i) =>
        i.lastSymptomMs >= ctx.fromMs &&
        i.firstSymptomMs <= ctx.toMs &&
        (service === undefined || i.services.includes(service)),
    );
    return [
      ...incidents.map((i) => ({
        fromMs: i.firstSymptomMs,
        toMs: Math.max(i.lastSymptomMs, i.firstSymptomMs + 60_000),
        label: `incident ${shortTime(i.firstSymptomMs)} UTC`,
      })),
      ...data.anomalies.map((f) => ({
        fromMs: f.timeMs,
        label: `${f.detail} at ${shortTime(f.timeMs)} UTC`,
      })),
    ];
  }, [ctx, data, service]);
  const needle = search.trim().toLowerCase();
  const shown = (ctx?.names ?? []).filter(
    (m) => needle === '' || m.name.toLowerCase().includes(needle),
  );

  return (
    <div className="explorer">
      <section aria-labelledby="metrics-h" className="card">
        <h2 id="metrics-h">
          Metrics{' '}
          {ctx !== undefined && (
            <span className="count">
              {ctx.names.length} metrics · {shortTime(ctx.fromMs)} to {shortTime(ctx.toMs)} UTC
            </span>
          )}
        </h2>
        <div className="toolbar">
          <label>
            Service{' '}
            <select
              value={service ?? ''}
              onChange={(e) => {
                go({ service: e.target.value || undefined, name: undefined });
              }}
            >
              <option value="">all</option>
              {ctx?.services.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Aggregate{' '}
            <select
              value={agg}
              onChange={(e) => {
                go({ agg: e.target.value });
              }}
            >
              {AGGS.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
          </label>
          <TimeRange
            options={RANGES}
            range={range}
            toMs={ctx?.toMs}
            pinned={pinned !== undefined}
            go={go}
          />
        </div>
        {ctx === undefined ? (
          <p aria-busy="true">Loading…</p>
        ) : ctx.names.length === 0 ? (
          <p className="empty">
            No metric points in this range{service === undefined ? '' : ` for ${service}`}: metrics
            arrive over OTLP /v1/metrics or by import.
          </p>
        ) : (
          <div className="split">
            <div className="names">
              <input
                type="search"
                aria-label="Find a metric"
                placeholder="find a metric"
                value={search}
                onChange={(e) => {
                  setSearch(e.target.value);
                }}
              />
              <ul className="metric-names">
                {shown.slice(0, 300).map((m) => (
                  <li key={m.name}>
                    <button
                      className={`link${m.name === name ? ' on' : ''}`}
                      aria-current={m.name === name ? 'true' : undefined}
                      onClick={() => {
                        go({ name: m.name });
                      }}
                    >
                      {m.name}
                    </button>{' '}
                    <span className="muted">{m.series} series</span>
                  </li>
                ))}
              </ul>
            </div>
            <div className="chart-pane">
              {data === undefined ? (
                <p aria-busy="true">Loading {name}…</p>
              ) : chartSeries.length === 0 ? (
                <p className="empty">No points of {name} in this range.</p>
              ) : (
                <>
                  <h3>
                    {name}{' '}
                    <span className="count">
                      {agg} per {data.series.step} s · {chartSeries.length} series
                      {chartSeries.length === 10 ? ' (the first 10)' : ''}
                    </span>
                  </h3>
                  <TimeChart
                    series={chartSeries}
                    marks={marks}
                    title={`${name ?? ''}, ${agg} per ${data.series.step} s`}
                    range={ctx}
                    height={260}
                  />
                  <h3>Anomalies ({data.anomalies.length})</h3>
                  {data.anomalies.length === 0 ? (
                    <p className="empty">
                      The detectors found nothing abnormal in this metric over this range.
                    </p>
                  ) : (
                    <ul className="anomalies">
                      {data.anomalies.slice(0, 50).map((f) => (
                        <li key={f.id}>
                          <time dateTime={f.time}>{shortTime(f.timeMs)}</time>{' '}
                          <span className="kind">{f.detail}</span>{' '}
                          <span className="score">{f.score.toFixed(2)}</span> {f.reason}
                        </li>
                      ))}
                    </ul>
                  )}
                </>
              )}
            </div>
          </div>
        )}
      </section>
    </div>
  );
}
