import type { LogFinding } from '../../core/domain/log-report.js';
import { isoOrBlank } from '../../core/domain/time-text.js';

/** CSV as the CLI and the API export it: RFC 4180 quoting, one row per line. */
export function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s =
    typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(cells: readonly unknown[]): string {
  return cells.map(csvCell).join(',') + '\n';
}

/** A report's findings as CSV (`bifrost analyze -o csv`, and the API's export). */
export function findingsCsv(findings: readonly LogFinding[]): string {
  let out = csvRow([
    'rank',
    'severity',
    'kind',
    'score',
    'count',
    'reason',
    'template_id',
    'template',
    'first_seen',
    'last_seen',
    'sources',
    'evidence',
  ]);
  findings.forEach((f, i) => {
    out += csvRow([
      i + 1,
      f.severity,
      f.kind,
      f.score,
      f.count,
      f.reason,
      f.templateId ?? '',
      f.template ?? '',
      isoOrBlank(f.firstSeenMs),
      isoOrBlank(f.lastSeenMs),
      f.sources.join(' '),
      f.evidence.map((e) => `${e.source}:${e.line}`).join(' '),
    ]);
  });
  return out;
}
