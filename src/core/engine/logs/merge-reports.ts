import type { LogFinding, LogReport, TemplateSummary } from '../../domain/log-report.js';
import { SEVERITY, SEVERITY_NAMES, emptySeverityCounts } from '../../domain/severity.js';
import { LOG_ENGINE_VERSION } from './version.js';

/**
 * Combines reports of separately analysed sources (batch mode): sums the summary, merges
 * templates with the same id, and ranks all findings together.
 */
export function mergeReports(reports: readonly LogReport[]): LogReport {
  if (reports.length === 1) return reports[0]!;
  const severityCounts = emptySeverityCounts();
  let lines = 0;
  let records = 0;
  let truncatedLines = 0;
  let evictedTemplates = 0;
  let firstMs: number | undefined;
  let lastMs: number | undefined;
  const templates = new Map<string, TemplateSummary>();
  const findings: LogFinding[] = [];
  const sources = [];
  for (const r of reports) {
    const s = r.summary;
    lines += s.lines;
    records += s.records;
    truncatedLines += s.truncatedLines;
    evictedTemplates += s.evictedTemplates;
    for (const n of SEVERITY_NAMES) severityCounts[n] += s.severityCounts[n];
    if (s.firstMs !== undefined && (firstMs === undefined || s.firstMs < firstMs))
      firstMs = s.firstMs;
    if (s.lastMs !== undefined && (lastMs === undefined || s.lastMs > lastMs)) lastMs = s.lastMs;
    sources.push(...s.sources);
    findings.push(...r.findings);
    for (const t of r.templates) {
      const e = templates.get(t.id);
      if (e === undefined) {
        templates.set(t.id, { ...t, sources: [...t.sources] });
        continue;
      }
      e.count += t.count;
      if (SEVERITY[t.severity] > SEVERITY[e.severity]) e.severity = t.severity;
      if (
        t.firstSeenMs !== undefined &&
        (e.firstSeenMs === undefined || t.firstSeenMs < e.firstSeenMs)
      ) {
        e.firstSeenMs = t.firstSeenMs;
        e.first = t.first;
        e.example = t.example;
      }
      if (t.lastSeenMs !== undefined && (e.lastSeenMs === undefined || t.lastSeenMs > e.lastSeenMs))
        e.lastSeenMs = t.lastSeenMs;
      for (const src of t.sources) if (!e.sources.includes(src)) e.sources.push(src);
    }
  }
  findings.sort(
    (a, b) => b.score - a.score || b.count - a.count || a.reason.localeCompare(b.reason),
  );
  return {
    engineVersion: LOG_ENGINE_VERSION,
    summary: {
      lines,
      records,
      templates: templates.size,
      ...(firstMs === undefined ? {} : { firstMs }),
      ...(lastMs === undefined ? {} : { lastMs }),
      severityCounts,
      truncatedLines,
      evictedTemplates,
      sources,
    },
    findings,
    templates: [...templates.values()].sort(
      (a, b) => b.count - a.count || a.template.localeCompare(b.template),
    ),
  };
}
