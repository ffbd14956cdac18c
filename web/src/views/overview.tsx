import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { Finding, Graph, Incident } from '../api/types.js';
import { duration, percent, shortTime } from '../logic/format.js';
import { groupFindings } from '../logic/findings.js';
import { byHealth } from '../logic/health.js';

interface Data {
  incidents: Incident[];
  findings: Finding[];
  graph: Graph | undefined;
  /** End of the data shown: now, or the last record of imported data. */
  asOfMs: number;
}

const HOUR = 3_600_000;
/** Groups of findings listed; the weaker ones are counted. */
const FINDING_GROUPS = 15;

/** Health of every service, open and recent incidents with their top cause, recent findings; refreshed on live events. */
export function Overview({ live, onError }: { live: number; onError: (e: unknown) => void }) {
  const [data, setData] = useState<Data | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    const run = { cancelled: false };
    (async () => {
      // live data: the last hour; imported data: the hour around the latest incident, else the last hour of data
      const { toMs: asOfMs, incidents } = await api.focus(50);
      const [findings, graph] = await Promise.all([
        // the hour's findings, grouped below (one line per service, kind and subject)
        api.findings({
          limit: 1000,
          from: new Date(asOfMs - HOUR).toISOString(),
          to: new Date(asOfMs).toISOString(),
        }),
        api
          .graph({
            from: new Date(asOfMs - HOUR).toISOString(),
            to: new Date(asOfMs).toISOString(),
          })
          .catch(() => undefined),
      ]);
      if (!run.cancelled) {
        setData({ incidents, findings: findings.items, graph, asOfMs });
        setError(undefined);
      }
    })().catch((e: unknown) => {
      onError(e);
      if (!run.cancelled) setError(e instanceof Error ? e.message : String(e));
    });
    return () => {
      run.cancelled = true;
    };
  }, [live, onError]);

  if (error !== undefined)
    return (
      <p className="error" role="alert">
        Could not load the overview: {error}
      </p>
    );
  if (data === undefined) return <p aria-busy="true">Loading…</p>;
  const groups = groupFindings(data.findings);
  const open = data.incidents.filter((i) => i.status !== 'resolved');
  return (
    <div className="overview">
      <section aria-labelledby="incidents-h" className="card">
        <h2 id="incidents-h">
          Incidents{' '}
          <span className="count">
            {open.length} open · {data.incidents.length} in all
          </span>
        </h2>
        {data.incidents.length === 0 ? (
          <p className="empty">
            No incidents. Live detection runs every minute; for imported data, scan a period (POST
            /api/v1/incidents/scan or bifrost incidents).
          </p>
        ) : (
          <table className="incidents">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Since</th>
                <th scope="col">Top cause</th>
                <th scope="col">Services</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              {data.incidents.map((i) => (
                <tr key={i.id} data-incident={i.id}>
                  <td>
                    <span className={`status ${i.status}`}>{i.status}</span>
                  </td>
                  <td>
                    <a href={`#/incidents/${encodeURIComponent(i.id)}`}>
                      {shortTime(i.firstSymptomMs)}
                    </a>
                  </td>
                  <td>
                    {i.causes[0] === undefined ? (
                      '—'
                    ) : (
                      <>
                        <strong>{i.causes[0].service}</strong>{' '}
                        <span className="score">{i.causes[0].score.toFixed(2)}</span>
                        <div className="reason">{i.causes[0].reasons[0]}</div>
                      </>
                    )}
                  </td>
                  <td>{i.services.join(', ')}</td>
                  <td>{duration((i.resolvedMs ?? i.lastSymptomMs) - i.firstSymptomMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="services-h" className="card">
        <h2 id="services-h">
          Services{' '}
          <span className="count">
            hour to {shortTime(data.asOfMs)} UTC, against the hour before
          </span>
        </h2>
        {data.graph === undefined || data.graph.services.length === 0 ? (
          <p className="empty">
            No spans in this hour: services appear with traces (OTLP /v1/traces).
          </p>
        ) : (
          <table className="services">
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Health</th>
                <th scope="col">Rate</th>
                <th scope="col">Errors</th>
                <th scope="col">p90</th>
                <th scope="col">p90 vs before</th>
              </tr>
            </thead>
            <tbody>
              {byHealth(data.graph.services).map(({ service: s, health }) => (
                <tr key={s.service}>
                  <th scope="row">{s.service}</th>
                  <td>
                    <span className={`health ${health}`}>{health}</span>
                  </td>
                  <td>{s.ratePerMin.toFixed(1)}/min</td>
                  <td>{percent(s.errorRatio)}</td>
                  <td>{Math.round(s.p90Ms)} ms</td>
                  <td>{s.shift?.p90Ratio == null ? '—' : `${s.shift.p90Ratio.toFixed(2)}×`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="findings-h" className="card">
        <h2 id="findings-h">
          Recent findings{' '}
          {groups.length > 0 && (
            <span className="count">
              {data.findings.length.toLocaleString('en')} in the hour
              {data.findings.length >= 1000 ? ' (the newest 1,000)' : ''}, as {groups.length}{' '}
              {groups.length === 1 ? 'group' : 'groups'} of service, kind and subject; the strongest
              first
            </span>
          )}
        </h2>
        {groups.length === 0 ? (
          <p className="empty">No findings in this hour.</p>
        ) : (
          <>
            <ul className="findings">
              {groups.slice(0, FINDING_GROUPS).map((g) => (
                <li key={g.key}>
                  <time dateTime={new Date(g.lastMs).toISOString()}>{shortTime(g.lastMs)}</time>{' '}
                  <span className="kind">{g.kind}</span>
                  {g.count > 1 && <span className="repeat"> {g.count}×</span>}{' '}
                  <span className="score">{g.top.score.toFixed(2)}</span> {g.top.reason}
                </li>
              ))}
            </ul>
            {groups.length > FINDING_GROUPS && (
              <p className="note">
                {groups.length - FINDING_GROUPS} weaker groups not shown (the findings API has them
                all).
              </p>
            )}
          </>
        )}
      </section>
    </div>
  );
}
