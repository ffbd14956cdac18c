import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { LogLine } from '../api/types.js';
import { TimeRange } from '../components/time-end.js';
import { shortTime } from '../logic/format.js';
import { LOG_RANGES, logFilterOf, logsHash, logsQueryOf } from '../logic/logs.js';
import { pinnedEnd } from '../logic/range.js';
import { rangeMs, routeHash } from '../logic/route.js';

/** Lines asked for at a time (the first page, then each "Older lines"). */
const PAGE = 100;

/**
 * Logs explorer: the log records of the range, newest first, by free text, service, lowest level
 * and template. Each line shows its template (a click keeps only that pattern's lines) and opens
 * its trace when it has one. Every choice is in the URL; live data refreshes the first page,
 * unless the range's end is pinned to a time (then the view stays there).
 */
export function Logs({
  params,
  live,
  onError,
}: {
  params: Record<string, string>;
  live: number;
  onError: (e: unknown) => void;
}) {
  const filter = logFilterOf(params);
  const go = (over: Parameters<typeof logsHash>[1]) => {
    location.hash = logsHash(filter, over);
  };
  const [text, setText] = useState(filter.q ?? '');
  useEffect(() => {
    setText(filter.q ?? '');
  }, [filter.q]);
  const [services, setServices] = useState<string[]>([]);
  useEffect(() => {
    api.services().then(
      (r) => {
        setServices(r.items.filter((s) => s.logs > 0).map((s) => s.service));
      },
      () => {
        setServices([]);
      },
    );
  }, [live]);
  // the lines shown stay while live data refreshes them; a new filter shows 'Loading' instead
  const key = JSON.stringify(filter);
  // pinned to a time a person chose: stays there, live data does not move it
  const pinned = pinnedEnd(params);
  const follow = pinned === undefined ? live : 0;
  const [loaded, setLoaded] = useState<
    { key: string; toMs: number; lines: LogLine[]; next: string | null; more: boolean } | undefined
  >();
  const data = loaded?.key === key ? loaded : undefined;
  useEffect(() => {
    const run = { alive: true };
    (async () => {
      const { toMs } = await api.focus(1, pinned);
      const page = await api.logs({ ...logsQueryOf(filter, toMs), limit: PAGE });
      if (run.alive)
        setLoaded({ key, toMs, lines: page.items, next: page.next ?? null, more: false });
    })().catch(onError);
    return () => {
      run.alive = false;
    };
    // the filter is read through its key (a new object each render)
  }, [key, follow, onError]);

  const older = () => {
    if (data?.next === null || data === undefined) return;
    setLoaded({ ...data, more: true });
    api
      .logs({ ...logsQueryOf(filter, data.toMs), limit: PAGE, cursor: data.next })
      .then((page) => {
        setLoaded((d) =>
          d?.key === key
            ? { ...d, lines: [...d.lines, ...page.items], next: page.next ?? null, more: false }
            : d,
        );
      })
      .catch(onError);
  };

  const chosen = [
    filter.service === undefined ? undefined : `service ${filter.service}`,
    filter.severity === undefined ? undefined : `${filter.severity} and worse`,
    filter.q === undefined ? undefined : `containing “${filter.q}”`,
    filter.template === undefined ? undefined : 'one pattern',
  ].filter((s): s is string => s !== undefined);

  return (
    <div className="explorer">
      <section aria-labelledby="logs-h" className="card">
        <h2 id="logs-h">
          Logs{' '}
          {data !== undefined && (
            <span className="count">
              {shortTime(data.toMs - rangeMs(filter.range))} to {shortTime(data.toMs)} UTC
            </span>
          )}
        </h2>
        <form
          className="toolbar"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            go({ q: text.trim() || undefined });
          }}
        >
          <label>
            Text{' '}
            <input
              type="search"
              className="medium"
              value={text}
              onChange={(e) => {
                setText(e.target.value);
              }}
              placeholder="words the line contains"
            />
          </label>
          <button type="submit">Search</button>
          <label>
            Service{' '}
            <select
              value={filter.service ?? ''}
              onChange={(e) => {
                go({ service: e.target.value || undefined });
              }}
            >
              <option value="">every service</option>
              {services.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Level{' '}
            <select
              value={filter.severity ?? ''}
              onChange={(e) => {
                go({ severity: e.target.value || undefined });
              }}
            >
              <option value="">any</option>
              <option value="warn">warnings and errors</option>
              <option value="error">errors</option>
            </select>
          </label>
          <TimeRange
            options={LOG_RANGES}
            range={filter.range}
            toMs={data?.toMs}
            pinned={pinned !== undefined}
            go={go}
          />
        </form>
        {filter.template !== undefined && (
          <p className="note">
            Lines of one pattern only.{' '}
            <a href={logsHash(filter, { template: undefined })}>Show every pattern</a>
          </p>
        )}
        {data === undefined ? (
          <p aria-busy="true">Loading…</p>
        ) : data.lines.length === 0 ? (
          <p className="empty">
            No log line{chosen.length === 0 ? '' : ` (${chosen.join(', ')})`} in this range. Logs
            arrive over OTLP /v1/logs or by import; a wider range may hold some.
          </p>
        ) : (
          <table className="logs">
            <caption>
              {data.lines.length} line{data.lines.length === 1 ? '' : 's'}, newest first
              {chosen.length === 0 ? '' : ` · ${chosen.join(', ')}`}
            </caption>
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Level</th>
                <th scope="col">Service</th>
                <th scope="col">Message</th>
                <th scope="col">Pattern</th>
              </tr>
            </thead>
            <tbody>
              {data.lines.map((l) => (
                <tr
                  key={l.id}
                  className={/^(error|fatal|crit)/i.test(l.severityText) ? 'failed' : ''}
                >
                  <td>
                    <time dateTime={l.time}>{shortTime(Date.parse(l.time), data.toMs)}</time>
                  </td>
                  <td>{l.severityText || '—'}</td>
                  <td>{l.resource.service ?? '—'}</td>
                  <td>
                    <code>{l.body}</code>
                    {l.traceId !== '' && (
                      <>
                        {' '}
                        <a
                          className="trace"
                          href={routeHash('/traces', {
                            service: l.resource.service,
                            trace: l.traceId,
                          })}
                        >
                          trace
                        </a>
                      </>
                    )}
                  </td>
                  <td>
                    {l.templateId !== '' && filter.template !== l.templateId && (
                      <a
                        href={logsHash(filter, { template: l.templateId })}
                        title="only the lines of this pattern"
                      >
                        same pattern
                      </a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {data !== undefined && data.next !== null && (
          <button type="button" onClick={older} disabled={data.more}>
            {data.more ? 'Loading…' : `Older lines (${PAGE} more)`}
          </button>
        )}
      </section>
    </div>
  );
}
