import { useEffect, useMemo, useRef, useState } from 'react';
import type { CausalInput, CausalNode } from '../logic/causal.js';
import { causalChain } from '../logic/causal.js';
import { shortTime } from '../logic/format.js';

const ROW = 30;
const LABEL = 190;
const PAD = 28;
const SIGNAL_COLOR: Record<string, string> = {
  log: 'var(--bad)',
  flow: 'var(--warn)',
  latency: 'var(--warn)',
  errors: 'var(--bad)',
  metric: 'var(--accent)',
  change: 'var(--good)',
  named: 'var(--bad)',
  network: 'var(--warn)',
  unanswered: 'var(--bad)',
  silent: 'var(--bad)',
};

/**
 * The findings of the ranked services on one time axis, each at its onset, with an arrow from a
 * cause's first finding to the first finding of every service whose symptoms it explains. The
 * same links are listed in words below the drawing.
 */
export function CausalChainView({
  rca,
  maxServices = 6,
}: {
  rca: CausalInput;
  maxServices?: number;
}) {
  const chain = useMemo(() => causalChain(rca, maxServices), [rca, maxServices]);
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const ro = new ResizeObserver(() => {
      setWidth(Math.max(360, el.clientWidth));
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
    };
  }, []);
  if (chain.rows.length === 0) return <p className="empty">No timed findings to draw.</p>;
  // at least two minutes wide, so findings of one bucket do not sit on top of each other
  const span = Math.max(chain.toMs - chain.fromMs, 120_000);
  const from = chain.fromMs - span * 0.05;
  const to = from + span * 1.1;
  const plot = width - LABEL - PAD;
  const x = (t: number) => LABEL + ((t - from) / (to - from)) * plot;
  const rowOf = new Map(chain.rows.map((r, i) => [r.service, i]));
  const y = (n: CausalNode) => 22 + (rowOf.get(n.service) ?? 0) * ROW + ROW / 2;
  const height = 22 + chain.rows.length * ROW + 8;
  const ticks = [from + (to - from) * 0.1, from + (to - from) * 0.5, from + (to - from) * 0.9];
  return (
    <div className="causal-chain" ref={box}>
      <svg
        width={width}
        height={height}
        role="img"
        aria-label={`causal chain: ${chain.links.length} links between the findings of ${chain.rows.length} services; listed below`}
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill="var(--accent)" />
          </marker>
        </defs>
        {ticks.map((t) => (
          <text key={t} x={x(t)} y={12} className="tick" textAnchor="middle">
            {shortTime(t, t)}
          </text>
        ))}
        {chain.rows.map((r, i) => (
          <g key={r.service}>
            <line
              x1={LABEL}
              x2={width - PAD / 2}
              y1={22 + i * ROW + ROW / 2}
              y2={22 + i * ROW + ROW / 2}
              className="lane"
            />
            <text x={4} y={22 + i * ROW + ROW / 2 + 4} className="svc">
              {r.service.length > 24 ? `${r.service.slice(0, 23)}…` : r.service}{' '}
              {r.score.toFixed(2)}
            </text>
          </g>
        ))}
        {chain.links.map((l, k) => {
          const x1 = x(l.from.timeMs);
          const y1 = y(l.from);
          const x2 = x(l.to.timeMs);
          const y2 = y(l.to);
          // findings of the same minute sit one above the other: bow the arrow out to the right, each a little further
          const bow =
            Math.abs(x2 - x1) < 24 ? 26 + 9 * (k % 6) : Math.max(24, Math.abs(y2 - y1) / 2);
          const d =
            Math.abs(x2 - x1) < 24
              ? `M ${x1 + 5} ${y1} C ${x1 + bow} ${y1}, ${x2 + bow} ${y2}, ${x2 + 7} ${y2}`
              : `M ${x1} ${y1} C ${x1 + bow} ${y1}, ${x2 - bow} ${y2}, ${x2 - 7} ${y2}`;
          return (
            <path
              key={`${l.from.id}-${l.to.id}`}
              d={d}
              className="link"
              markerEnd="url(#arrow)"
              data-link={`${l.from.id}->${l.to.id}`}
            />
          );
        })}
        {chain.rows.flatMap((r) =>
          r.nodes.map((n) => (
            <circle
              key={n.id}
              cx={x(n.timeMs)}
              cy={y(n)}
              r={5}
              fill={SIGNAL_COLOR[n.signal] ?? 'var(--muted)'}
              data-evidence={n.id}
            >
              <title>{`${n.id} · ${n.service} · ${n.signal} from ${shortTime(n.timeMs)} UTC: ${n.reason}`}</title>
            </circle>
          )),
        )}
      </svg>
      {chain.links.length > 0 && (
        <ul className="causal-links">
          {chain.links.map((l) => (
            <li key={`${l.from.id}-${l.to.id}`}>
              <span className="eid">{l.from.id}</span> {l.from.service} ({l.from.signal},{' '}
              {shortTime(l.from.timeMs)}) → <span className="eid">{l.to.id}</span> {l.to.service} (
              {l.to.signal}, {shortTime(l.to.timeMs)}): {l.from.service} explains the symptoms of{' '}
              {l.to.service}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
