import { useEffect, useState } from 'react';
import type { SyntheticEvent } from 'react';
import { api } from '../api/client.js';
import type { JobView } from '../api/client.js';
import type { AnalysisSummary, Explanation, LogReport } from '../api/types.js';
import { Cited, ExplanationView } from '../components/explanation.js';
import { duration, shortTime } from '../logic/format.js';
import { strongestIncidents } from '../../../src/core/domain/log-report.js';

/** Findings listed in a report (the incidents link to those among them). */
const FINDINGS_SHOWN = 30;
/** Incidents listed in a report: those with the strongest causes (strongestIncidents, the rule the CLI and the model's context follow). */
const INCIDENTS_LISTED = 10;

export function Report({
  name,
  report,
}: {
  name: string;
  report: LogReport & { explanation?: Explanation };
}) {
  const s = report.summary;
  const levels = Object.entries(s.severityCounts).filter(([, n]) => n > 0);
  return (
    <section aria-labelledby="report-h" className="card report">
      <h2 id="report-h">
        {name}{' '}
        <span className="count">
          {s.lines.toLocaleString('en')} lines · {s.templates} templates ·{' '}
          {levels.map(([k, n]) => `${k} ${n}`).join(' · ')}
        </span>
      </h2>
      {s.sources.some((src) => src.problem !== undefined) && (
        <ul className="source-problems" aria-label="Inputs not read">
          {s.sources.flatMap((src) =>
            src.problem === undefined
              ? []
              : [
                  <li key={src.name} className="note">
                    {src.problem.message}
                  </li>,
                ],
          )}
        </ul>
      )}
      {(report.incidents ?? []).length > 0 && (
        <>
          <h3>Incidents</h3>
          <p className="muted">
            From the logs alone: services in trouble together, the probable cause first.
            {(report.incidents ?? []).length > INCIDENTS_LISTED &&
              ` The ${INCIDENTS_LISTED} with the strongest causes of ${(report.incidents ?? []).length}, in time order; the JSON export has all.`}
          </p>
          <ol className="report-incidents">
            {strongestIncidents(report.incidents ?? [], INCIDENTS_LISTED).map((inc, i) => (
              <li key={i}>
                <span className="muted">
                  {shortTime(inc.startMs)} → {shortTime(inc.endMs, inc.startMs)} (
                  {duration(inc.endMs - inc.startMs)})
                </span>{' '}
                <strong>{inc.services.map((x) => x.service).join(', ')}</strong>
                {inc.findings.some((n) => n < FINDINGS_SHOWN) && (
                  <span className="muted">
                    {' '}
                    ·{' '}
                    <Cited
                      text={`[${inc.findings
                        .filter((n) => n < FINDINGS_SHOWN)
                        .map((n) => `f${n + 1}`)
                        .join(', ')}]`}
                    />
                  </span>
                )}
                <ul className="lines">
                  {inc.causes.map((c) => (
                    <li key={c.service}>
                      {c.service} <span className="score">{c.score.toFixed(2)}</span>{' '}
                      <span className="muted">{c.reasons[0]}</span>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
          <h3>Findings</h3>
        </>
      )}
      {report.findings.length === 0 ? (
        <p className="empty">Nothing abnormal found.</p>
      ) : (
        <ol className="report-findings">
          {report.findings.slice(0, FINDINGS_SHOWN).map((f, i) => (
            <li key={i} id={`evidence-f${i + 1}`} className="evidence">
              <span className="eid">f{i + 1}</span>{' '}
              <span className={`kind sev-${f.severity}`}>{f.severity}</span>{' '}
              <span className="kind">{f.kind}</span> {f.reason}
              <ul className="lines">
                {f.evidence.slice(0, 3).map((l, k) => (
                  <li key={k}>
                    <span className="muted">
                      {l.source}:{l.line}
                    </span>{' '}
                    <code>{l.text}</code>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      )}
      {report.explanation !== undefined && (
        <>
          <h3>Explanation</h3>
          <ExplanationView result={report.explanation} />
        </>
      )}
    </section>
  );
}

export interface Batch {
  key: number;
  names: string[];
  bytes: number;
  uploaded: number;
  job?: JobView;
  error?: string;
}

/** The batches sent from this page: upload progress, then files analysed of total, then a link to the report. */
export function Batches({ batches }: { batches: readonly Batch[] }) {
  if (batches.length === 0) return null;
  return (
    <section aria-labelledby="batches-h" className="card">
      <h2 id="batches-h">Batch jobs</h2>
      <ul className="batches">
        {batches.map((b) => {
          const j = b.job;
          const state =
            b.error !== undefined
              ? `failed: ${b.error}`
              : j === undefined
                ? `uploading ${Math.round(b.uploaded * 100)}% of ${(b.bytes / 1e6).toFixed(1)} MB`
                : j.status === 'done'
                  ? 'done'
                  : j.status === 'failed'
                    ? `failed: ${j.error ?? 'unknown error'}`
                    : `${j.status}: ${j.done} of ${j.total} files analysed`;
          const value = j === undefined ? b.uploaded : j.total === 0 ? 1 : j.done / j.total;
          const id = j?.analysis?.split('/').pop();
          return (
            <li
              key={b.key}
              className={`batch ${j?.status ?? 'uploading'}`}
              data-status={b.error !== undefined ? 'failed' : (j?.status ?? 'uploading')}
            >
              <strong>{b.names.length} files</strong>{' '}
              <span className="muted">
                {b.names.slice(0, 4).join(', ')}
                {b.names.length > 4 ? ', …' : ''}
              </span>
              <br />
              <progress
                max={1}
                value={value}
                aria-label={`batch of ${b.names.length} files: ${state}`}
              />{' '}
              <span role="status">{state}</span>
              {id !== undefined && (
                <>
                  {' '}
                  <a href={`#/analyses/${encodeURIComponent(id)}`}>open the report</a>
                </>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** Paste or upload a log and get the report (optionally explained by the model); earlier analyses from history. */
export function Analyses({
  id,
  onError,
}: {
  id: string | undefined;
  onError: (e: unknown) => void;
}) {
  const [text, setText] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const file = files.length === 1 ? files[0] : undefined;
  const [batches, setBatches] = useState<Batch[]>([]);
  // a new key clears the file input once its files are sent
  const [inputKey, setInputKey] = useState(0);
  const [name, setName] = useState('pasted.log');
  const [explain, setExplain] = useState(false);
  const [model, setModel] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [shown, setShown] = useState<
    { name: string; report: LogReport & { explanation?: Explanation } } | undefined
  >();
  const [history, setHistory] = useState<AnalysisSummary[]>([]);

  const loadHistory = () => {
    api.analyses().then((p) => {
      setHistory(p.items);
    }, onError);
  };
  useEffect(loadHistory, [onError]);
  useEffect(() => {
    api.llm().then(
      (l) => {
        setModel(l.provider === null ? undefined : `${l.provider} ${l.model ?? ''}`);
      },
      () => {
        setModel(undefined);
      },
    );
  }, []);
  useEffect(() => {
    if (id === undefined) return;
    api.analysis(id).then((a) => {
      setShown({ name: a.name, report: a.report });
    }, onError);
  }, [id, onError]);

  const update = (key: number, over: Partial<Batch>) => {
    setBatches((all) => all.map((b) => (b.key === key ? { ...b, ...over } : b)));
  };
  const sendBatch = (chosen: File[]) => {
    const key = Date.now() + Math.random();
    setBatches((all) => [
      {
        key,
        names: chosen.map((f) => f.name),
        bytes: chosen.reduce((a, f) => a + f.size, 0),
        uploaded: 0,
      },
      ...all,
    ]);
    setFiles([]);
    setInputKey((k) => k + 1);
    api
      .batch(chosen, (uploaded) => {
        update(key, { uploaded });
      })
      .then((job) => {
        update(key, { uploaded: 1, job });
        return api.followJob(job, (j) => {
          update(key, { job: j });
        });
      })
      .then((j) => {
        if (j.status === 'done') loadHistory();
      })
      .catch((err: unknown) => {
        onError(err);
        update(key, { error: err instanceof Error ? err.message : String(err) });
      });
  };

  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    if (files.length > 1) {
      sendBatch(files);
      return;
    }
    setBusy(true);
    setError(undefined);
    const body = file ?? text;
    const label = file?.name ?? name;
    api
      .analyse(label, body, explain)
      .then(
        (r) => {
          setShown({ name: label, report: r.report });
          loadHistory();
        },
        (err: unknown) => {
          onError(err);
          setError(err instanceof Error ? err.message : String(err));
        },
      )
      .finally(() => {
        setBusy(false);
      });
  };

  return (
    <div className="analyses">
      <form className="card" onSubmit={submit} aria-labelledby="analyse-h">
        <h2 id="analyse-h">Analyse a log</h2>
        <label className="block">
          Paste log lines
          <textarea
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setFiles([]);
            }}
            rows={8}
            spellCheck={false}
            placeholder="kubectl logs deploy/api, a file's contents…"
          />
        </label>
        <div className="toolbar">
          <label>
            or files{' '}
            <input
              key={inputKey}
              type="file"
              multiple
              onChange={(e) => {
                setFiles([...(e.target.files ?? [])]);
              }}
            />
          </label>
          <label>
            name{' '}
            <input
              value={name}
              onChange={(e) => {
                setName(e.target.value);
              }}
              pattern="[A-Za-z0-9._\-]{1,128}"
            />
          </label>
          <label title={model === undefined ? 'start the server with --llm to explain' : ''}>
            <input
              type="checkbox"
              checked={explain}
              disabled={model === undefined}
              onChange={(e) => {
                setExplain(e.target.checked);
              }}
            />{' '}
            explain with {model ?? 'a model (none configured)'}
          </label>
          <button type="submit" disabled={busy || (files.length === 0 && text.trim() === '')}>
            {busy
              ? 'Analysing…'
              : files.length > 1
                ? `Analyse ${files.length} files in the background`
                : 'Analyse'}
          </button>
        </div>
        {error !== undefined && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
      <Batches batches={batches} />
      {shown !== undefined && <Report name={shown.name} report={shown.report} />}
      <section aria-labelledby="history-h" className="card">
        <h2 id="history-h">Earlier analyses</h2>
        {history.length === 0 ? (
          <p className="empty">None yet.</p>
        ) : (
          <ul className="history">
            {history.map((a) => (
              <li key={a.id}>
                <a href={`#/analyses/${encodeURIComponent(a.id)}`}>{a.name}</a>{' '}
                <span className="muted">
                  {shortTime(a.createdMs)} · {a.lines.toLocaleString('en')} lines · {a.findings}{' '}
                  findings
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
