import { DEFAULT_METRIC_DETECTOR_CONFIG } from '../../core/engine/metrics/detector-config.js';
import { formatDuration } from '../../core/engine/metrics/reasons.js';
import type { AnomalyEvent, SeriesSummary } from '../../core/use-cases/detect-series.js';
import { csvRow, num, pad, plural, totalsLine } from './format.js';
import type { Terminal } from './terminal.js';

type Colors = Terminal['colors'];

/** One series file as `bifrost detect` scored it. */
export interface FileResult extends SeriesSummary {
  file: string;
  /** Where the scored rows were written (with --out). */
  written?: string;
  error?: string;
}

/** Score as written: 6 decimals are enough to order points, and keep files small. */
export function scoreCell(s: number | undefined): string {
  return s === undefined ? '' : String(Math.round(s * 1e6) / 1e6);
}

function eventLine(e: AnomalyEvent, c: Colors): string {
  const span = e.end === e.start.timestamp ? e.start.timestamp : `${e.start.timestamp} → ${e.end}`;
  const when =
    span +
    (e.peak.timestamp === e.start.timestamp ? '' : ` (peak ${e.peak.timestamp})`) +
    (e.learning ? ' · first day, patterns still being learned' : '');
  const score =
    e.peak.score >= 0.8 ? c.red(e.peak.score.toFixed(2)) : c.yellow(e.peak.score.toFixed(2));
  const then =
    e.followUp === undefined
      ? ''
      : `        ${c.dim(`then, ${e.followUp.timestamp}:`)} ${e.followUp.reason}\n`;
  return `  ${score}  ${pad(e.followUp?.kind ?? e.peak.kind, 11)} ${c.dim(when)}\n        ${e.peak.reason}\n${then}`;
}

export function renderText(
  results: readonly FileResult[],
  limit: number,
  c: Colors,
  ms: number,
): string {
  let s = '';
  for (const r of results) {
    if (r.error !== undefined && r.points === 0) continue;
    const meta = [
      plural(r.points, 'point'),
      r.intervalMs > 0 ? `every ${formatDuration(r.intervalMs)}` : '',
      r.skipped > 0 ? c.yellow(`${num(r.skipped)} skipped`) : '',
      r.anomalies.length > 0
        ? c.bold(plural(r.anomalies.length, 'anomaly', 'anomalies'))
        : c.green('no anomaly'),
    ]
      .filter(Boolean)
      .join(' · ');
    s += `${c.bold(r.file)}  ${c.dim(meta)}${r.written !== undefined ? c.dim(` → ${r.written}`) : ''}\n`;
    if (r.points > 0 && r.points < DEFAULT_METRIC_DETECTOR_CONFIG.warmup)
      s += c.dim(
        `  too short to score: scoring starts after ${DEFAULT_METRIC_DETECTOR_CONFIG.warmup} points\n`,
      );
    // learning-period anomalies after the others: they are the least certain
    const top = [...r.anomalies]
      .sort((a, b) => Number(a.learning) - Number(b.learning) || b.peak.score - a.peak.score)
      .slice(0, limit);
    for (const e of top) s += eventLine(e, c);
    if (r.anomalies.length > top.length)
      s += c.dim(`  … ${r.anomalies.length - top.length} more (--top, or --output json)\n`);
  }
  const points = results.reduce((a, r) => a + r.points, 0);
  s += totalsLine(
    c.red,
    results,
    [plural(results.length, 'series', 'series'), plural(points, 'point')],
    ms,
  );
  return s;
}

export function renderCsv(results: readonly FileResult[]): string {
  let s = 'file,start,peak,end,points,kind,value,score,reason,follow_up,learning\n';
  for (const r of results)
    for (const e of r.anomalies)
      s += csvRow([
        r.file,
        e.start.timestamp,
        e.peak.timestamp,
        e.end,
        e.points,
        e.followUp?.kind ?? e.peak.kind,
        e.peak.value,
        scoreCell(e.peak.score),
        e.peak.reason,
        e.followUp?.reason ?? '',
        e.learning,
      ]);
  return s;
}

export function renderJson(results: readonly FileResult[], threshold: number, ms: number): string {
  return (
    JSON.stringify(
      {
        threshold,
        files: results.map((r) => ({
          file: r.file,
          ...(r.written === undefined ? {} : { written: r.written }),
          ...(r.error === undefined ? {} : { error: r.error }),
          points: r.points,
          skipped: r.skipped,
          intervalMs: r.intervalMs,
          first: r.first ?? null,
          last: r.last ?? null,
          problems: r.problems,
          moreProblems: r.moreProblems,
          anomalies: r.anomalies.map((e) => ({
            start: e.start.timestamp,
            end: e.end,
            points: e.points,
            learning: e.learning,
            peak: {
              timestamp: e.peak.timestamp,
              value: e.peak.value,
              score: Number(scoreCell(e.peak.score)),
              kind: e.peak.kind,
            },
            reason: e.peak.reason,
            ...(e.followUp === undefined ? {} : { followUp: e.followUp }),
          })),
        })),
        elapsedMs: Math.round(ms),
      },
      null,
      2,
    ) + '\n'
  );
}
