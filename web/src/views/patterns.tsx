import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client.js';
import type { LogLine } from '../api/types.js';
import { shortTime } from '../logic/format.js';
import { logsHash } from '../logic/logs.js';
import { messageOf } from '../../../src/core/domain/text.js';
import type { TemplateBucket } from '../logic/patterns.js';
import { patternsOf, sparkline } from '../logic/patterns.js';
import { RangeChoice } from '../components/range-choice.js';

const RANGES = { '1h': 3_600_000, '6h': 6 * 3_600_000, '24h': 24 * 3_600_000 } as const;
type RangeName = keyof typeof RANGES;
/** About 60 buckets per range: a sparkline a person can read. */
const bucketSeconds = (ms: number) => Math.max(60, Math.round(ms / 60 / 1000));
/** Template-and-bucket rows asked of the store; an answer this long was cut. */
const ROW_LIMIT = 10_000;
/** Templates shown in the table, the busiest first. */
const SHOWN = 200;

function Lines({
  templateId,
  range,
  rangeName,
}: {
  templateId: string;
  range: { from: string; to: string };
  rangeName: string;
}) {
  const [lines, setLines] = useState<LogLine[] | undefined>();
  useEffect(() => {
    api.logs({ template: templateId, ...range, limit: 50 }).then(
      (p) => {
        setLines(p.items);
      },
      () => {
        setLines([]);
      },
    );
  }, [templateId, range]);
  if (lines === undefined) return <p aria-busy="true">Loading lines…</p>;
  return (
    <>
      <a className="logs-link" href={logsHash({ range: rangeName }, { template: templateId })}>
        every line of this pattern in Logs
      </a>
      <ul className="lines drill">
        {lines.map((l) => (
          <li key={l.id}>
            <time dateTime={l.time}>{shortTime(Date.parse(l.time))}</time>{' '}
            <span className="kind">{l.severityText || '—'}</span> {l.resource.service ?? ''}{' '}
            <code>{l.body}</code>
          </li>
        ))}
      </ul>
    </>
  );
}

/** Log templates with their counts over time, new and rare badges, search, and the lines of a template. */
export function Patterns({ live, onError }: { live: number; onError: (e: unknown) => void }) {
  const [rangeName, setRangeName] = useState<RangeName>('1h');
  const [search, setSearch] = useState('');
  const [errorsOnly, setErrorsOnly] = useState(false);
  /** One service's templates, or every service's ('' ). */
  const [service, setService] = useState('');
  const [services, setServices] = useState<string[]>([]);
  useEffect(() => {
    api.services().then(
      (r) => {
        setServices(r.items.filter((x) => x.logs > 0).map((x) => x.service));
      },
      () => {
        setServices([]);
      },
    );
  }, [live]);
  const [open, setOpen] = useState<string | undefined>();
  const [data, setData] = useState<
    | { rows: TemplateBucket[]; fromMs: number; toMs: number; bucketMs: number; cut: boolean }
    | undefined
  >();
  useEffect(() => {
    const run = { cancelled: false };
    (async () => {
      const { toMs } = await api.focus(1);
      const span = RANGES[rangeName];
      const bucket = bucketSeconds(span);
      const fromMs = Math.floor((toMs - span) / (bucket * 1000)) * bucket * 1000;
      const r = await api.templates({
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        bucket,
        limit: ROW_LIMIT,
        ...(service === '' ? {} : { service }),
      });
      if (!run.cancelled)
        setData({
          rows: r.items,
          fromMs,
          toMs,
          bucketMs: bucket * 1000,
          cut: r.items.length >= ROW_LIMIT,
        });
    })().catch(onError);
    return () => {
      run.cancelled = true;
    };
  }, [rangeName, service, live, onError]);
  const patterns = useMemo(
    () =>
      data === undefined
        ? []
        : patternsOf(data.rows, data, search).filter((p) => !errorsOnly || p.errors > 0),
    [data, search, errorsOnly],
  );
  const range = useMemo(
    () =>
      data === undefined
        ? undefined
        : { from: new Date(data.fromMs).toISOString(), to: new Date(data.toMs).toISOString() },
    [data],
  );

  return (
    <section aria-labelledby="patterns-h" className="card patterns">
      <h2 id="patterns-h">
        Log patterns{' '}
        {data !== undefined && (
          <span className="count">
            {patterns.length} templates · {shortTime(data.fromMs)} to {shortTime(data.toMs)} UTC
          </span>
        )}
      </h2>
      <div className="toolbar">
        <label>
          Search{' '}
          <input
            type="search"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
            }}
            placeholder="text of a template, or its id"
          />
        </label>
        <label>
          <input
            type="checkbox"
            checked={errorsOnly}
            onChange={(e) => {
              setErrorsOnly(e.target.checked);
            }}
          />{' '}
          errors only
        </label>
        <label>
          Service{' '}
          <select
            value={service}
            onChange={(e) => {
              setService(e.target.value);
            }}
          >
            <option value="">every service</option>
            {services.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </label>
        <RangeChoice
          options={Object.keys(RANGES) as RangeName[]}
          value={rangeName}
          onChange={setRangeName}
        />
      </div>
      {data === undefined ? (
        <p aria-busy="true">Loading…</p>
      ) : patterns.length === 0 ? (
        <p className="empty">
          No log records in this range{search === '' ? '' : ' match the search'}
          {errorsOnly ? ' at ERROR or worse' : ''}.
        </p>
      ) : (
        <>
          {(data.cut || patterns.length > SHOWN) && (
            <p className="note cut">
              {patterns.length > SHOWN
                ? `The ${SHOWN} busiest of ${patterns.length.toLocaleString('en')} templates are shown. `
                : ''}
              {data.cut
                ? `The store's answer was cut at ${ROW_LIMIT.toLocaleString('en')} rows, so quieter templates may be missing. `
                : ''}
              Pick a service, a shorter range or a search to see the rest.
            </p>
          )}
          <table className="patterns-table">
            <thead>
              <tr>
                <th scope="col">Records</th>
                <th scope="col">Over time</th>
                <th scope="col">Template</th>
              </tr>
            </thead>
            <tbody>
              {patterns.slice(0, SHOWN).map((p) => (
                <tr key={p.templateId} data-template={p.templateId}>
                  <td className="num">{p.total.toLocaleString('en')}</td>
                  <td>
                    <svg
                      width="120"
                      height="24"
                      role="img"
                      aria-label={`records over time, at most ${Math.max(...p.series)} per bucket`}
                    >
                      <polyline
                        points={sparkline(p.series, 118, 22)}
                        fill="none"
                        stroke="currentColor"
                        strokeWidth="1.5"
                        transform="translate(1,1)"
                      />
                    </svg>
                  </td>
                  <td>
                    {p.errors > 0 && (
                      <span
                        className="badge error"
                        title={`${p.errors.toLocaleString('en')} of ${p.total.toLocaleString('en')} records at ERROR or worse`}
                      >
                        {p.errors === p.total ? 'error' : `${p.errors.toLocaleString('en')} errors`}
                      </span>
                    )}
                    {p.isNew && <span className="badge new">new</span>}
                    {p.isRare && <span className="badge rare">rare</span>}
                    <button
                      className="link template"
                      aria-expanded={open === p.templateId}
                      title={p.template}
                      onClick={() => {
                        setOpen(open === p.templateId ? undefined : p.templateId);
                      }}
                    >
                      <code>{messageOf(p.template)}</code>
                    </button>
                    {open === p.templateId && messageOf(p.template) !== p.template && (
                      <p className="whole-template">
                        whole template: <code>{p.template}</code>
                      </p>
                    )}
                    {open === p.templateId && range !== undefined && (
                      <Lines templateId={p.templateId} range={range} rangeName={rangeName} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
