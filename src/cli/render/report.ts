import { strongestIncidents } from '../../core/domain/log-report.js';
import type { LogIncident, LogReport, TemplateSummary } from '../../core/domain/log-report.js';
import { SEVERITY_NAMES } from '../../core/domain/severity.js';
import type { SeverityName } from '../../core/domain/severity.js';
import { findingsCsv } from '../../adapters/export/report-csv.js';
import { clip, csvRow, duration, isoTime, num, oneLine, pad, padStart, plural } from './format.js';
import type { Colors } from './terminal.js';

export type ReportFormat = 'text' | 'markdown' | 'json' | 'csv';

export interface RenderOptions {
  colors: Colors;
  columns: number | undefined;
  /** Findings shown in text and markdown (JSON and CSV have all). */
  limit: number;
  /** Templates shown in text and markdown. */
  templateLimit: number;
}

export function renderReport(report: LogReport, format: ReportFormat, o: RenderOptions): string {
  switch (format) {
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
    case 'csv':
      return findingsCsv(report.findings);
    case 'markdown':
      return reportMarkdown(report, o);
    case 'text':
      return reportText(report, o);
  }
}

function sevColor(c: Colors, s: SeverityName): (t: string) => string {
  switch (s) {
    case 'FATAL':
      return (t) => c.bold(c.magenta(t));
    case 'ERROR':
      return c.red;
    case 'WARN':
      return c.yellow;
    case 'INFO':
      return c.cyan;
    default:
      return c.dim;
  }
}

function spanText(report: LogReport): string {
  const s = report.summary;
  if (s.firstMs === undefined || s.lastMs === undefined) return 'no timestamps';
  return `${isoTime(s.firstMs).replace('T', ' ').slice(0, 19)} → ${isoTime(s.lastMs).replace('T', ' ').slice(0, 19)} UTC (${duration(s.lastMs - s.firstMs)})`;
}

function severityLine(report: LogReport, c: Colors | undefined): string {
  const parts: string[] = [];
  for (const n of [...SEVERITY_NAMES].reverse()) {
    const v = report.summary.severityCounts[n];
    if (v === 0) continue;
    const label = n === 'UNSPECIFIED' ? 'no level' : n;
    parts.push(c === undefined ? `${label} ${num(v)}` : `${sevColor(c, n)(label)} ${num(v)}`);
  }
  return parts.join(' · ');
}

function reportText(report: LogReport, o: RenderOptions): string {
  const c = o.colors;
  const s = report.summary;
  const w = o.columns;
  const lines: string[] = [];
  const okSources = s.sources.filter((x) => x.problem === undefined || x.lines > 0).length;
  lines.push(
    c.bold(
      `Bifrost log analysis — ${plural(s.lines, 'line')}, ${plural(s.records, 'record')}, ${plural(okSources, 'source')}`,
    ),
  );
  lines.push(
    `${c.dim('Span:')} ${spanText(report)}   ${c.dim('Templates:')} ${num(s.templates)}${s.evictedTemplates > 0 ? c.yellow(` (${num(s.evictedTemplates)} evicted by the template limit)`) : ''}`,
  );
  lines.push(`${c.dim('Levels:')} ${severityLine(report, c)}`);
  if (s.truncatedLines > 0)
    lines.push(
      c.yellow(
        `${plural(s.truncatedLines, 'line')} longer than the limit ${s.truncatedLines === 1 ? 'was' : 'were'} truncated (--max-line-length)`,
      ),
    );
  lines.push('');
  const incidents = report.incidents ?? [];
  if (incidents.length > 0) {
    const shownIncidents = strongestIncidents(incidents);
    const title = `Incidents${incidents.length > shownIncidents.length ? ` (the ${shownIncidents.length} with the strongest causes of ${incidents.length}; --output json for all)` : ''}`;
    const note = clip(
      '  from the logs alone: services in trouble together, the probable cause first',
      w === undefined ? undefined : Math.max(0, w - title.length),
    );
    lines.push(c.bold(title) + c.dim(note));
    shownIncidents.forEach((inc, i) => {
      const head = `${padStart(String(i + 1), 3)}. ${incidentSpan(inc)}  `;
      lines.push(
        head +
          c.bold(
            clip(
              inc.services.map((x) => x.service).join(', '),
              w === undefined ? undefined : Math.max(20, w - head.length),
            ),
          ),
      );
      const width = Math.max(...inc.causes.map((x) => x.service.length));
      for (const cause of inc.causes) {
        const from = inc.services.find((x) => x.service === cause.service);
        const head = `${pad(cause.service, width)} ${cause.score.toFixed(2)}  ${from === undefined ? '' : `from ${clock(from.onsetMs)}  `}`;
        lines.push(
          `${' '.repeat(6)}${head}${c.dim(clip(oneLine(cause.reasons[0] ?? ''), w === undefined ? undefined : Math.max(20, w - 6 - head.length)))}`,
        );
      }
    });
    lines.push('');
  }
  const shown = report.findings.slice(0, o.limit);
  if (shown.length === 0) {
    lines.push(c.green('No findings: no errors, bursts, new or rare patterns stood out.'));
  } else {
    lines.push(
      c.bold(
        `Findings${report.findings.length > shown.length ? ` (top ${shown.length} of ${report.findings.length}; --limit or --output json for all)` : ''}`,
      ),
    );
    shown.forEach((f, i) => {
      const sev = sevColor(c, f.severity)(pad(f.severity, 5));
      const head = `${padStart(String(i + 1), 3)}. ${sev} ${c.dim(pad(f.kind, 14))} `;
      lines.push(
        head + clip(oneLine(f.reason), w === undefined ? undefined : Math.max(20, w - 29)),
      );
      for (const e of f.evidence.slice(0, f.kind === 'exception' ? 1 : 2)) {
        const where = `${e.source}:${e.line}`;
        lines.push(
          `${' '.repeat(10)}${c.dim('↳ ' + where)}  ${clip(oneLine(e.text), w === undefined ? undefined : Math.max(20, w - 14 - where.length))}`,
        );
      }
    });
  }
  lines.push('');
  lines.push(c.bold('Top templates'));
  lines.push(c.dim(`${padStart('count', 9)}  ${pad('level', 5)}  template`));
  for (const t of report.templates.slice(0, o.templateLimit)) {
    lines.push(
      `${padStart(num(t.count), 9)}  ${sevColor(c, t.severity)(pad(t.severity === 'UNSPECIFIED' ? '-' : t.severity, 5))}  ${clip(t.template, w === undefined ? undefined : Math.max(20, w - 18))}`,
    );
  }
  if (report.templates.length > o.templateLimit)
    lines.push(
      c.dim(
        `${' '.repeat(11)}… ${num(report.templates.length - o.templateLimit)} more (bifrost templates)`,
      ),
    );
  lines.push('');
  lines.push(c.bold('Sources'));
  const nameWidth = Math.min(60, Math.max(...s.sources.map((x) => x.name.length), 6));
  const formatWidth = Math.max(...s.sources.map((x) => x.format.length), 6);
  for (const src of s.sources) {
    const status = src.problem === undefined ? '' : '  ' + c.yellow(src.problem.message);
    lines.push(
      `  ${pad(src.name, nameWidth)}  ${pad(src.format, formatWidth)} ${padStart(num(src.lines), 10)} line${src.lines === 1 ? '' : 's'}${src.truncatedLines > 0 ? `, ${num(src.truncatedLines)} truncated` : ''}${status}`,
    );
  }
  return lines.join('\n') + '\n';
}

function clock(ms: number): string {
  return isoTime(ms).slice(11, 19);
}

/** "2026-11-20 10:41:50 → 10:48:00 (6m 9s)"; the end's date too when it is another day. */
function incidentSpan(inc: LogIncident): string {
  const start = isoTime(inc.startMs).replace('T', ' ').slice(0, 19);
  const end = isoTime(inc.endMs).replace('T', ' ').slice(0, 19);
  return `${start} → ${end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end} (${duration(inc.endMs - inc.startMs)})`;
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function reportMarkdown(report: LogReport, o: RenderOptions): string {
  const s = report.summary;
  const out: string[] = [];
  out.push('# Bifrost log analysis', '');
  out.push(
    `- **Lines:** ${num(s.lines)} (${plural(s.records, 'record')}) from ${plural(s.sources.length, 'source')}`,
  );
  out.push(`- **Span:** ${spanText(report)}`);
  out.push(`- **Levels:** ${severityLine(report, undefined)}`);
  out.push(`- **Templates:** ${num(s.templates)}`, '');
  const incidents = report.incidents ?? [];
  if (incidents.length > 0) {
    const shown = strongestIncidents(incidents);
    const of =
      incidents.length > shown.length
        ? ` The ${shown.length} with the strongest causes of ${incidents.length}; \`--output json\` has all.`
        : '';
    out.push(
      '## Incidents',
      '',
      `From the logs alone: services in trouble together, the probable cause first.${of}`,
      '',
      '| # | when | services | probable causes |',
      '|---|---|---|---|',
    );
    shown.forEach((inc, i) => {
      out.push(
        `| ${i + 1} | ${incidentSpan(inc)} | ${mdEscape(inc.services.map((x) => x.service).join(', '))} | ${inc.causes.map((x) => `**${mdEscape(x.service)}** ${x.score.toFixed(2)}: ${mdEscape(oneLine(x.reasons[0] ?? ''))}`).join('<br>')} |`,
      );
    });
    out.push('');
  }
  out.push('## Findings', '');
  if (report.findings.length === 0) out.push('No findings.', '');
  else {
    out.push('| # | severity | kind | reason | evidence |', '|---|---|---|---|---|');
    report.findings.slice(0, o.limit).forEach((f, i) => {
      const ev = f.evidence[0];
      out.push(
        `| ${i + 1} | ${f.severity} | ${f.kind} | ${mdEscape(oneLine(f.reason))} | ${ev === undefined ? '' : `\`${ev.source}:${ev.line}\``} |`,
      );
    });
    out.push('');
  }
  out.push('## Top templates', '', '| count | level | template |', '|---:|---|---|');
  for (const t of report.templates.slice(0, o.templateLimit))
    out.push(
      `| ${num(t.count)} | ${t.severity} | \`${t.template.replace(/`/g, "'").replace(/\|/g, '\\|')}\` |`,
    );
  out.push('', '## Sources', '', '| source | format | lines | note |', '|---|---|---:|---|');
  for (const src of s.sources)
    out.push(
      `| ${mdEscape(src.name)} | ${src.format} | ${num(src.lines)} | ${src.problem === undefined ? '' : mdEscape(src.problem.message)} |`,
    );
  return out.join('\n') + '\n';
}

export type TemplatesFormat = 'text' | 'json' | 'csv';

export function renderTemplates(
  templates: readonly TemplateSummary[],
  format: TemplatesFormat,
  o: RenderOptions,
): string {
  if (format === 'json') return JSON.stringify(templates, null, 2) + '\n';
  if (format === 'csv') {
    let out = csvRow([
      'template_id',
      'count',
      'severity',
      'first_seen',
      'last_seen',
      'first_source',
      'first_line',
      'template',
      'example',
    ]);
    for (const t of templates)
      out += csvRow([
        t.id,
        t.count,
        t.severity,
        isoTime(t.firstSeenMs),
        isoTime(t.lastSeenMs),
        t.first.source,
        t.first.line,
        t.template,
        t.example,
      ]);
    return out;
  }
  const c = o.colors;
  const w = o.columns;
  const lines = [
    c.dim(
      `${pad('id', 16)}  ${padStart('count', 9)}  ${pad('level', 5)}  ${pad('first seen', 19)}  ${pad('last seen', 19)}  template / example`,
    ),
  ];
  for (const t of templates.slice(0, o.templateLimit)) {
    const first =
      t.firstSeenMs === undefined
        ? pad('-', 19)
        : isoTime(t.firstSeenMs).replace('T', ' ').slice(0, 19);
    const last =
      t.lastSeenMs === undefined
        ? pad('-', 19)
        : isoTime(t.lastSeenMs).replace('T', ' ').slice(0, 19);
    lines.push(
      `${c.dim(t.id)}  ${padStart(num(t.count), 9)}  ${sevColor(c, t.severity)(pad(t.severity === 'UNSPECIFIED' ? '-' : t.severity, 5))}  ${first}  ${last}  ${clip(t.template, w === undefined ? undefined : Math.max(20, w - 78))}`,
    );
    lines.push(
      `${' '.repeat(78)}${c.dim(clip(`e.g. ${t.first.source}:${t.first.line}: ${oneLine(t.example)}`, w === undefined ? undefined : Math.max(20, w - 78)))}`,
    );
  }
  if (templates.length > o.templateLimit)
    lines.push(
      c.dim(
        `… ${num(templates.length - o.templateLimit)} more (--limit, or --output json|csv for all)`,
      ),
    );
  return lines.join('\n') + '\n';
}
