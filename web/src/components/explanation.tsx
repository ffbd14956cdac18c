import type { Explanation } from '../api/types.js';
import { withCitations } from '../logic/citations.js';

/** A text with its "[e1]" citations as links that scroll to the evidence (ids `evidence-e1`, `evidence-f1`). */
export function Cited({ text }: { text: string }) {
  return (
    <>
      {withCitations(text).map((p, i) =>
        'cite' in p ? (
          <a
            key={i}
            className="cite"
            href={`#evidence-${p.cite}`}
            onClick={(e) => {
              e.preventDefault();
              document.getElementById(`evidence-${p.cite}`)?.scrollIntoView({ block: 'center' });
            }}
          >
            {p.cite}
          </a>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </>
  );
}

/** The model's answer: status, who answered with which prompt, summary, cause, issues and suggestions with their citations. */
export function ExplanationView({ result }: { result: Explanation }) {
  const a = result.answer;
  return (
    <div className="answer" aria-live="polite">
      <p className="meta">
        {result.status}
        {result.provider === undefined ? '' : ` · ${result.provider} ${result.model ?? ''}`} ·{' '}
        {result.prompt}
        {result.cached ? ' · from the cache' : ''}
      </p>
      {result.note !== undefined && <p className="note">{result.note}</p>}
      {a !== undefined && (
        <>
          <p>
            <Cited text={a.summary} />
          </p>
          <p>
            <strong>
              Probable cause{a.probableCause.service === '' ? '' : ` (${a.probableCause.service})`}:
            </strong>{' '}
            <Cited text={a.probableCause.text} />{' '}
            {a.probableCause.citations.map((c) => (
              <Cited key={c} text={`[${c}]`} />
            ))}
          </p>
          <ul>
            {a.issues.map((x, i) => (
              <li key={i}>
                <Cited text={x.text} />{' '}
                {x.citations.map((c) => (
                  <Cited key={c} text={`[${c}]`} />
                ))}
              </li>
            ))}
          </ul>
          {a.suggestions.length > 0 && (
            <>
              <h3>What to do next</h3>
              <ul>
                {a.suggestions.map((x, i) => (
                  <li key={i}>
                    <Cited text={x.text} />
                  </li>
                ))}
              </ul>
            </>
          )}
          <p className="meta">confidence: {a.confidence}</p>
        </>
      )}
    </div>
  );
}
