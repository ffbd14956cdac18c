import type { LogReport } from '../domain/log-report.js';
import { DEFAULT_INSIGHT_CONFIG } from '../engine/insight/insight-config.js';
import { logIncidents } from '../engine/insight/log-incidents.js';
import { LogAnalyzer } from '../engine/logs/log-analyzer.js';
import type { AnalyzerOptions } from '../engine/logs/log-analyzer.js';
import type { LogSource } from '../ports/log-source.port.js';

/**
 * Analyses sources in order into one report, with the incidents across them. A source that
 * fails is recorded in the summary (with the lines read before the failure analysed); the
 * others go on.
 */
export async function analyzeSources(sources: readonly LogSource[], options: AnalyzerOptions): Promise<LogReport> {
  return withIncidents(await readSources(sources, options));
}

/**
 * The report of sources without incidents: a part of a batch, merged with the others'
 * (mergeReports) before withIncidents looks across all of them.
 */
export async function readSources(sources: readonly LogSource[], options: AnalyzerOptions): Promise<LogReport> {
  const analyzer = new LogAnalyzer(options);
  for (const source of sources) {
    const feed = analyzer.beginSource(source.name);
    const outcome = await source.read({ push: (line, truncated) => { feed.push(line, truncated); } });
    if (outcome.status === 'failed') feed.end({ code: outcome.error.code, message: outcome.error.message });
    else feed.end();
  }
  return analyzer.finish();
}

/** The report with the incidents across its sources and their probable causes (recomputed: after a merge, they span every source). */
export function withIncidents(report: LogReport): LogReport {
  report.incidents = logIncidents(report, DEFAULT_INSIGHT_CONFIG);
  return report;
}
