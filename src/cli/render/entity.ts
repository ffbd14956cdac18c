import type { EntitySummary } from '../../core/use-cases/detect-entity.js';
import { csvRow, num, plural, totalsLine } from './format.js';
import type { Terminal } from './terminal.js';

type Colors = Terminal['colors'];

/** One entity file as `bifrost detect --entity` scored it. */
export interface EntityResult extends EntitySummary {
  file: string;
  written?: string;
  error?: string;
}

const score2 = (s: number) => String(Math.round(s * 100) / 100);

export function renderEntityText(
  results: readonly EntityResult[],
  limit: number,
  c: Colors,
  ms: number,
  threshold: number,
): string {
  let s = '';
  for (const r of results) {
    if (r.error !== undefined && r.rows === 0) continue;
    const meta = [
      `${plural(r.rows, 'row')} × ${plural(r.metrics.length, 'metric')}`,
      r.baselineRows > 0 ? `first ${num(r.baselineRows)} rows as its normal` : '',
      r.skipped > 0 ? c.yellow(`${num(r.skipped)} skipped`) : '',
      r.missing > 0 ? c.yellow(`${num(r.missing)} cells missing`) : '',
      r.anomalies.length > 0
        ? c.bold(plural(r.anomalies.length, 'anomaly', 'anomalies'))
        : c.green('no anomaly'),
    ]
      .filter(Boolean)
      .join(' · ');
    s += `${c.bold(r.file)}  ${c.dim(meta)}${r.written !== undefined ? c.dim(` → ${r.written}`) : ''}\n`;
    for (const n of r.notes) s += c.yellow(`  note: ${n}\n`);
    const top = [...r.anomalies].sort((a, b) => b.peak.score - a.peak.score).slice(0, limit);
    for (const a of top) {
      const span = a.start === a.end ? a.start : `${a.start} → ${a.end}`;
      const when = span + (a.peak.timestamp === a.start ? '' : ` (peak ${a.peak.timestamp})`);
      const metrics = a.peak.metrics.map((m) => `${m.metric} ${score2(m.surprise)}`).join(', ');
      s += `  ${c.red(score2(a.peak.score).padEnd(5))} ${c.dim(when)}\n        ${a.reason}\n        ${c.dim(`most unusual: ${metrics}`)}\n`;
    }
    if (r.anomalies.length > top.length)
      s += c.dim(`  … ${r.anomalies.length - top.length} more (--top, or --output json)\n`);
  }
  const rows = results.reduce((a, r) => a + r.rows, 0);
  s += totalsLine(
    c.red,
    results,
    [plural(results.length, 'entity', 'entities'), plural(rows, 'row')],
    ms,
  );
  s += c.dim(
    `scores are decades of surprise (${threshold} ≈ a row this unusual once in ${num(Math.round(10 ** threshold))} normal rows)\n`,
  );
  return s;
}

export function renderEntityCsv(results: readonly EntityResult[]): string {
  let s = 'file,start,peak,end,rows,score,metrics,reason\n';
  for (const r of results)
    for (const a of r.anomalies)
      s += csvRow([
        r.file,
        a.start,
        a.peak.timestamp,
        a.end,
        a.rows,
        score2(a.peak.score),
        a.peak.metrics.map((m) => m.metric).join(' '),
        a.reason,
      ]);
  return s;
}

export function renderEntityJson(
  results: readonly EntityResult[],
  threshold: number,
  ms: number,
): string {
  return (
    JSON.stringify(
      {
        threshold,
        entities: results.map((r) => ({
          file: r.file,
          ...(r.written === undefined ? {} : { written: r.written }),
          ...(r.error === undefined ? {} : { error: r.error }),
          metrics: r.metrics,
          timeColumn: r.timeColumn ?? null,
          rows: r.rows,
          skipped: r.skipped,
          missing: r.missing,
          baselineRows: r.baselineRows,
          notes: r.notes,
          first: r.first ?? null,
          last: r.last ?? null,
          problems: r.problems,
          moreProblems: r.moreProblems,
          anomalies: r.anomalies,
        })),
        elapsedMs: Math.round(ms),
      },
      null,
      2,
    ) + '\n'
  );
}
