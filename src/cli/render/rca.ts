import { SPAN_STATUS } from '../../core/domain/span.js';
import type { RcaResult } from '../../core/use-cases/root-cause-analysis.js';
import { clip, isoTime, oneLine } from './format.js';
import type { Terminal } from './terminal.js';

/** `bifrost rca` as text: the window, each candidate with its reasons and an example line or span. */
export function renderRca(r: RcaResult, top: number, t: Terminal): string {
  const lines: string[] = [];
  // the time of day, and the date too when it is not the alert's (a window of a day or more)
  const day = isoTime(r.atMs).slice(0, 10);
  const clock = (ms: number, end: number) => {
    const iso = isoTime(ms);
    return iso.startsWith(day) ? iso.slice(11, end) : `${iso.slice(5, 10)} ${iso.slice(11, end)}`;
  };
  lines.push(
    t.colors.bold(`Root causes for ${isoTime(r.atMs)}`) +
      t.colors.dim(
        `  (symptoms ${clock(r.window.fromMs, 19)} → ${clock(r.window.toMs, 19)}, usual behaviour from ${clock(r.reference.fromMs, 16)} to ${clock(r.reference.toMs, 16)} UTC)`,
      ),
  );
  for (const n of r.notes) lines.push(t.colors.yellow(`note: ${n}`));
  if (r.candidates.length === 0) {
    lines.push('', 'No service shows evidence of trouble in the window.');
    return `${lines.join('\n')}\n`;
  }
  r.candidates.slice(0, top).forEach((c, i) => {
    lines.push(
      '',
      `${String(i + 1).padStart(2)}. ${t.colors.bold(c.service)}  ${c.score.toFixed(2)}`,
    );
    // a reason that is one of its signals says which kind and how much it weighs in the candidate's own evidence
    const items = new Map(c.evidence.map((e) => [e.reason, e]));
    for (const reason of c.reasons) {
      const e = items.get(reason);
      const label = e === undefined ? '' : `${e.signal.padEnd(7)} ${e.score.toFixed(2)}  `;
      const line = clip(`      ${label}${reason}`, t.columns);
      lines.push(
        line.slice(0, 6) +
          t.colors.dim(line.slice(6, 6 + label.length)) +
          line.slice(6 + label.length),
      );
    }
    for (const e of c.evidence.slice(0, 2)) {
      for (const x of e.examples?.slice(0, 1) ?? [])
        lines.push(
          t.colors.dim(
            clip(`      ↳ ${isoTime(x.timeMs).slice(11, 23)} ${oneLine(x.body)}`, t.columns),
          ),
        );
      // a trace to open for a signal of spans (a caller's failed call, for calls left unanswered)
      const sp = e.examples === undefined ? e.spans?.[0] : undefined;
      if (sp !== undefined)
        lines.push(
          t.colors.dim(
            clip(
              `      ↳ ${isoTime(sp.startMs).slice(11, 23)} span "${oneLine(sp.operation)}" ${sp.durationMs} ms${sp.statusCode === SPAN_STATUS.ERROR ? ', failed' : ''}${e.ref.type === 'unanswered' ? ` in ${e.ref.callers[0] ?? '?'}` : (e.ref.type === 'latency' || e.ref.type === 'span-errors') && e.ref.external === true ? ', a call to it' : ''} (trace ${sp.traceId})`,
              t.columns,
            ),
          ),
        );
    }
  });
  if (r.candidates.length > top)
    lines.push(
      '',
      t.colors.dim(
        `${r.candidates.length - top} more with some evidence (--top, or --output json)`,
      ),
    );
  return `${lines.join('\n')}\n`;
}
