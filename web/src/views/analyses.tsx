import { useEffect, useState } from 'react';
import type { SyntheticEvent } from 'react';
import { api } from '../api/client.js';
import type { AnalysisSummary, Explanation, LogReport } from '../api/types.js';
import { ExplanationView } from '../components/explanation.js';
import { shortTime } from '../logic/format.js';

function Report({ name, report }: { name: string; report: LogReport & { explanation?: Explanation } }) {
  const s = report.summary;
  const levels = Object.entries(s.severityCounts).filter(([, n]) => n > 0);
  return (
    <section aria-labelledby="report-h" className="card report">
      <h2 id="report-h">
        {name} <span className="count">{s.lines.toLocaleString('en')} lines · {s.templates} templates · {levels.map(([k, n]) => `${k} ${n}`).join(' · ')}</span>
      </h2>
      {report.findings.length === 0 ? (
        <p className="empty">Nothing abnormal found.</p>
      ) : (
        <ol className="report-findings">
          {report.findings.slice(0, 30).map((f, i) => (
            <li key={i} id={`evidence-f${i + 1}`} className="evidence">
              <span className="eid">f{i + 1}</span> <span className={`kind sev-${f.severity}`}>{f.severity}</span> <span className="kind">{f.kind}</span> {f.reason}
              <ul className="lines">
                {f.evidence.slice(0, 3).map((l, k) => (
                  <li key={k}>
                    <span className="muted">{l.source}:{l.line}</span> <code>{l.text}</code>
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

/** Paste or upload a log and get the report (optionally explained by the model); earlier analyses from history. */
export function Analyses({ id, onError }: { id: string | undefined; onError: (e: unknown) => void }) {
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | undefined>();
  const [name, setName] = useState('pasted.log');
  const [explain, setExplain] = useState(false);
  const [model, setModel] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [shown, setShown] = useState<{ name: string; report: LogReport & { explanation?: Explanation } } | undefined>();
  const [history, setHistory] = useState<AnalysisSummary[]>([]);

  const loadHistory = () => {
    api.analyses().then((p) => { setHistory(p.items); }, onError);
  };
  useEffect(loadHistory, [onError]);
  useEffect(() => {
    api.llm().then((l) => { setModel(l.provider === null ? undefined : `${l.provider} ${l.model ?? ''}`); }, () => { setModel(undefined); });
  }, []);
  useEffect(() => {
    if (id === undefined) return;
    api.analysis(id).then((a) => { setShown({ name: a.name, report: a.report }); }, onError);
  }, [id, onError]);

  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const body = file ?? text;
    const label = file?.name ?? name;
    api
      .analyse(label, body, explain)
      .then((r) => {
        setShown({ name: label, report: r.report });
        loadHistory();
      }, (err: unknown) => {
        onError(err);
        setError(err instanceof Error ? err.message : String(err));
      })
      .finally(() => { setBusy(false); });
  };

  return (
    <div className="analyses">
      <form className="card" onSubmit={submit} aria-labelledby="analyse-h">
        <h2 id="analyse-h">Analyse a log</h2>
        <label className="block">
          Paste log lines
          <textarea value={text} onChange={(e) => { setText(e.target.value); setFile(undefined); }} rows={8} spellCheck={false} placeholder="kubectl logs deploy/api, a file's contents…" />
        </label>
        <div className="toolbar">
          <label>
            or a file <input type="file" onChange={(e) => { setFile(e.target.files?.[0]); }} />
          </label>
          <label>
            name <input value={name} onChange={(e) => { setName(e.target.value); }} pattern="[A-Za-z0-9._\-]{1,128}" />
          </label>
          <label title={model === undefined ? 'start the server with --llm to explain' : ''}>
            <input type="checkbox" checked={explain} disabled={model === undefined} onChange={(e) => { setExplain(e.target.checked); }} /> explain with {model ?? 'a model (none configured)'}
          </label>
          <button type="submit" disabled={busy || (file === undefined && text.trim() === '')}>
            {busy ? 'Analysing…' : 'Analyse'}
          </button>
        </div>
        {error !== undefined && <p className="error" role="alert">{error}</p>}
      </form>
      {shown !== undefined && <Report name={shown.name} report={shown.report} />}
      <section aria-labelledby="history-h" className="card">
        <h2 id="history-h">Earlier analyses</h2>
        {history.length === 0 ? (
          <p className="empty">None yet.</p>
        ) : (
          <ul className="history">
            {history.map((a) => (
              <li key={a.id}>
                <a href={`#/analyses/${encodeURIComponent(a.id)}`}>{a.name}</a> <span className="muted">{shortTime(a.createdMs)} · {a.lines.toLocaleString('en')} lines · {a.findings} findings</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
