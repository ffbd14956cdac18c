import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import { waterfall } from '../logic/waterfall.js';
import type { WaterfallSpan } from '../logic/waterfall.js';
import { SPAN_STATUS } from '../../../src/core/domain/span.js';

/** A trace as a waterfall: a row per span under its parent, a bar for its time within the trace; failed spans in red. */
export function TraceWaterfall({ traceId, onClose }: { traceId: string; onClose: () => void }) {
  const [spans, setSpans] = useState<WaterfallSpan[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    api.trace(traceId).then(
      (t) => {
        setSpans(t.spans);
      },
      (e: unknown) => {
        setError(e instanceof Error ? e.message : String(e));
      },
    );
  }, [traceId]);
  if (error !== undefined)
    return (
      <p className="error" role="alert">
        Trace {traceId}: {error}
      </p>
    );
  if (spans === undefined) return <p aria-busy="true">Loading trace…</p>;
  const w = waterfall(spans);
  return (
    <div className="waterfall" role="region" aria-label={`trace ${traceId}`}>
      <p className="meta">
        trace <code>{traceId}</code> · {spans.length} spans · {w.durationMs.toFixed(1)} ms{' '}
        <button className="link" onClick={onClose}>
          close
        </button>
      </p>
      <table>
        <tbody>
          {w.rows.map((r) => (
            <tr
              key={r.span.spanId}
              className={r.span.statusCode === SPAN_STATUS.ERROR ? 'failed' : ''}
            >
              <th scope="row" style={{ paddingLeft: `${0.4 + r.depth * 0.9}rem` }}>
                <span className="muted">{r.span.resource.service ?? '?'}</span> {r.span.name}
              </th>
              <td className="bar-cell">
                <span
                  className="bar"
                  style={{
                    marginLeft: `${(r.left * 100).toFixed(2)}%`,
                    width: `${(r.width * 100).toFixed(2)}%`,
                  }}
                  title={`${(r.span.endMs - r.span.startMs).toFixed(2)} ms`}
                />
              </td>
              <td className="num">{(r.span.endMs - r.span.startMs).toFixed(1)} ms</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
