import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client.js';
import { CausalChainView } from '../components/causal-chain.js';
import { ExplanationView } from '../components/explanation.js';
import { IncidentEvents } from '../components/incident-events.js';
import { chartable, EvidenceChart, MetricsAround } from '../components/signal-charts.js';
import { TraceWaterfall } from '../components/trace-waterfall.js';
import type { EvidenceItem, Explanation, Incident, Rca } from '../api/types.js';
import { incidentChartRange } from '../logic/chart.js';
import { logsHash } from '../logic/logs.js';
import { incidentRcaQuery } from '../logic/range.js';
import { duration, shortTime } from '../logic/format.js';
import { SPAN_STATUS } from '../../../src/core/domain/span.js';

type Range = { fromMs: number; toMs: number };

function TraceLink({ traceId }: { traceId: string }) {
  const [open, setOpen] = useState(false);
  if (traceId === '') return null;
  return (
    <>
      {' '}
      · trace{' '}
      <button
        className="link trace"
        aria-expanded={open}
        onClick={() => {
          setOpen(!open);
        }}
      >
        <code>{traceId}</code>
      </button>
      {open && (
        <TraceWaterfall
          traceId={traceId}
          onClose={() => {
            setOpen(false);
          }}
        />
      )}
    </>
  );
}

function Evidence({
  item,
  service,
  chart,
  initiallyOpen,
}: {
  item: EvidenceItem;
  service: string;
  chart: { range: Range; window: Range };
  initiallyOpen: boolean;
}) {
  const [open, setOpen] = useState(initiallyOpen);
  return (
    <li id={`evidence-${item.id}`} className="evidence">
      <span className="eid">{item.id}</span> <span className="kind">{item.signal}</span>{' '}
      {item.reason}
      {chartable(item) && (
        <>
          {' '}
          <button
            className="link chart-toggle"
            aria-expanded={open}
            onClick={() => {
              setOpen(!open);
            }}
          >
            {open ? 'hide chart' : 'chart'}
          </button>
        </>
      )}
      {item.ref.type === 'template' && (
        <>
          {' '}
          <a
            className="logs-link"
            href={logsHash(
              { range: '24h', service: item.ref.service ?? service },
              { template: item.ref.templateId },
            )}
          >
            lines in Logs
          </a>
        </>
      )}
      {open && chartable(item) && (
        <EvidenceChart item={item} service={service} range={chart.range} window={chart.window} />
      )}
      {item.examples !== undefined && item.examples.length > 0 && (
        <ul className="lines">
          {item.examples.map((x) => (
            <li key={x.logId}>
              <time>{shortTime(x.timeMs)}</time> <code>{x.body}</code>
              <TraceLink traceId={x.traceId} />
            </li>
          ))}
        </ul>
      )}
      {item.spans !== undefined && item.spans.length > 0 && (
        <ul className="lines">
          {item.spans.map((s) => (
            <li key={s.spanId}>
              span <code>{s.operation}</code> {s.durationMs} ms{' '}
              {s.statusCode === SPAN_STATUS.ERROR ? 'error' : 'ok'}
              <TraceLink traceId={s.traceId} />
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

function Explain({ id }: { id: string }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Explanation | undefined>();
  const [error, setError] = useState<string | undefined>();
  const run = () => {
    setBusy(true);
    setText('');
    setResult(undefined);
    setError(undefined);
    api
      .explain(id, (t) => {
        setText((s) => s + t);
      })
      .then(setResult, (e: unknown) => {
        setError(e instanceof Error ? e.message : String(e));
      })
      .finally(() => {
        setBusy(false);
      });
  };
  return (
    <section aria-labelledby="explain-h" className="card">
      <h2 id="explain-h">Explanation</h2>
      <button onClick={run} disabled={busy}>
        {busy ? 'Explaining…' : 'Explain'}
      </button>
      {busy && text !== '' && (
        <pre className="stream" aria-live="polite">
          {text}
        </pre>
      )}
      {error !== undefined && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {result !== undefined && <ExplanationView result={result} />}
    </section>
  );
}

/** One incident: status and actions, ranked causes with their evidence inline, the timeline, the model's explanation on request. */
export function IncidentView({
  id,
  live,
  onError,
}: {
  id: string;
  live: number;
  onError: (e: unknown) => void;
}) {
  const [incident, setIncident] = useState<Incident | undefined>();
  const [rca, setRca] = useState<Rca | undefined>();
  /** Ranked over the incident's own minutes (as it was when opened), or a wider look asked for. */
  const [look, setLook] = useState<'own' | 'wider'>('own');
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    const run = { cancelled: false };
    // read through a function: the flag changes while the requests are awaited
    const alive = () => !run.cancelled;
    api
      .incident(id)
      .then(async (i) => {
        if (!alive()) return;
        setIncident(i);
        const r = await api.incidentRca(i, look);
        if (alive()) setRca(r);
      })
      .catch((e: unknown) => {
        onError(e);
        if (alive()) setError(e instanceof Error ? e.message : String(e));
      });
    return () => {
      run.cancelled = true;
    };
  }, [id, live, look, onError]);

  const chart = useMemo(
    () =>
      incident === undefined
        ? undefined
        : {
            range: incidentChartRange(incident),
            window: { fromMs: incident.firstSymptomMs, toMs: incident.lastSymptomMs },
          },
    [incident],
  );
  if (error !== undefined)
    return (
      <p className="error" role="alert">
        Could not load incident {id}: {error}
      </p>
    );
  if (incident === undefined || chart === undefined) return <p aria-busy="true">Loading…</p>;
  const topService =
    rca?.candidates[0]?.service ?? incident.causes[0]?.service ?? incident.services[0];
  const evidenceOf = (c: Rca['candidates'][number]) =>
    c.evidence.map((e) => (
      <Evidence
        key={e.id}
        item={e}
        service={c.service}
        chart={chart}
        initiallyOpen={e.id === rca?.candidates[0]?.evidence.find(chartable)?.id}
      />
    ));
  const act = (f: (id: string) => Promise<Incident>) => () => {
    f(id).then(setIncident, onError);
  };
  return (
    <div className="incident">
      <p>
        <a href="#/">← Overview</a>
      </p>
      <h1>{incident.title}</h1>
      <p className="facts">
        <span className={`status ${incident.status}`}>{incident.status}</span> since{' '}
        {shortTime(incident.firstSymptomMs)} UTC · detected after {duration(incident.mttdMs)}
        {incident.mttrMs === undefined ? '' : ` · resolved after ${duration(incident.mttrMs)}`} ·
        services {incident.services.join(', ')}
      </p>
      <p className="actions">
        <button onClick={act(api.acknowledge)} disabled={incident.status !== 'open'}>
          Acknowledge
        </button>
        <button onClick={act(api.resolve)} disabled={incident.status === 'resolved'}>
          Resolve
        </button>
      </p>

      <section aria-labelledby="timeline-h" className="card">
        <h2 id="timeline-h">Timeline</h2>
        <IncidentEvents incident={incident} />
      </section>

      <section aria-labelledby="causes-h" className="card">
        <h2 id="causes-h">Probable root causes</h2>
        <p className="look">
          {look === 'own'
            ? `Ranked over the incident's own minutes, ${shortTime(incident.firstSymptomMs - 60_000)} to ${shortTime(incident.lastSymptomMs + 60_000)} UTC.`
            : `A wider look: ${incidentRcaQuery(incident, 'wider').window} from the first symptom, which may take in what came after.`}{' '}
          <button
            className="look-toggle"
            onClick={() => {
              setRca(undefined);
              setLook(look === 'own' ? 'wider' : 'own');
            }}
          >
            {look === 'own' ? 'Rank over a wider window' : "Back to the incident's own minutes"}
          </button>
        </p>
        {look === 'own' &&
          rca?.candidates[0] !== undefined &&
          incident.causes[0] !== undefined &&
          rca.candidates[0].service !== incident.causes[0].service && (
            <p className="note">
              When the incident was recorded, {incident.causes[0].service} ranked first; ranked
              again now over the same minutes, {rca.candidates[0].service} does (data that arrived
              later, or a reference that now includes what came after).
            </p>
          )}
        {rca === undefined ? (
          <p aria-busy="true">Ranking…</p>
        ) : (
          <ol className="causes">
            {rca.candidates.slice(0, 5).map((c, rank) => (
              <li key={c.service}>
                <strong>{c.service}</strong> <span className="score">{c.score.toFixed(2)}</span>
                <ul className="reasons">
                  {c.reasons.map((r, i) => (
                    <li key={i}>{r}</li>
                  ))}
                </ul>
                {rank === 0 ? (
                  <ul className="evidence-list">{evidenceOf(c)}</ul>
                ) : (
                  // the top cause's evidence in full; the others' a click away (the first
                  // screen keeps the summary, the top cause and the timeline)
                  <details className="more-evidence">
                    <summary>
                      {c.evidence.length} piece{c.evidence.length === 1 ? '' : 's'} of evidence
                    </summary>
                    <ul className="evidence-list">{evidenceOf(c)}</ul>
                  </details>
                )}
              </li>
            ))}
          </ol>
        )}
        {rca !== undefined && rca.candidates.length > 1 && (
          <>
            <h3>Which finding explains which</h3>
            <CausalChainView rca={rca} />
          </>
        )}
        {rca?.notes.map((n) => (
          <p key={n} className="note">
            {n}
          </p>
        ))}
      </section>

      {topService !== undefined && (
        <section aria-labelledby="metrics-h" className="card">
          <h2 id="metrics-h">Metrics around the incident</h2>
          <MetricsAround service={topService} range={chart.range} window={chart.window} />
        </section>
      )}

      <Explain id={id} />
    </div>
  );
}
