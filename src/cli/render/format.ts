/** Small formatting helpers shared by the renderers. */
import { clip as clipText } from '../../core/domain/text.js';

export { csvCell, csvRow } from '../../adapters/export/report-csv.js';

/** A time as ISO 8601 UTC, '' when not known. */
export { isoOrBlank as isoTime } from '../../core/domain/time-text.js';

export function num(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 line", "2,000 lines". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${num(n)} ${n === 1 ? word : many}`;
}

/** The last line of a detect run: "3 series · 6,552 points · 4 anomalies · 0.21 s" (and the inputs that failed, in red). */
export function totalsLine(
  red: (s: string) => string,
  inputs: readonly { anomalies: readonly unknown[]; error?: string }[],
  counts: readonly string[],
  ms: number,
): string {
  const anomalies = inputs.reduce((a, r) => a + r.anomalies.length, 0);
  const failed = inputs.filter((r) => r.error !== undefined).length;
  const all = [...counts, plural(anomalies, 'anomaly', 'anomalies')].join(' · ');
  return `\n${all}${failed > 0 ? red(` · ${failed} could not be read`) : ''} · ${(ms / 1000).toFixed(2)} s\n`;
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Cuts a string to `width` visible chars (no ANSI inside). */
export function clip(s: string, width: number | undefined): string {
  return width === undefined ? s : clipText(s, width);
}

export function oneLine(s: string): string {
  const nl = s.indexOf('\n');
  return (nl < 0 ? s : s.slice(0, nl) + ' ⏎…').replace(/\t/g, ' ');
}

export function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function padStart(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}
