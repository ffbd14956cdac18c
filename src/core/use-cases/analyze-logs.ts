import { logStreams } from '../domain/log-streams.js';
import type { LogReport } from '../domain/log-report.js';
import { DEFAULT_INSIGHT_CONFIG } from '../engine/insight/insight-config.js';
import { logIncidents } from '../engine/insight/log-incidents.js';
import { LogAnalyzer } from '../engine/logs/log-analyzer.js';
import type { AnalyzerOptions } from '../engine/logs/log-analyzer.js';
import { mergeReports } from '../engine/logs/merge-reports.js';
import type { LogSource } from '../ports/log-source.port.js';

/**
 * Analyses sources into one report, with the incidents across them: the sources of one service
 * (logStreams: rotated copies, replicas) are read as one log, oldest first, and each service is
 * judged against its own log. A source that fails is recorded in the summary (with the lines
 * read before the failure analysed); the others go on.
 */
export async function analyzeSources(
  sources: readonly LogSource[],
  options: AnalyzerOptions,
): Promise<LogReport> {
  const byName = new Map(sources.map((s) => [s.name, s]));
  const reports: LogReport[] = [];
  for (const stream of logStreams(sources.map((s) => s.name)))
    reports.push(
      await readSources(
        stream.names.map((n) => byName.get(n)!),
        options,
      ),
    );
  return withIncidents(mergeReports(reports));
}

/**
 * The report of sources read in order as one log (a service's stream), without incidents: a
 * part of a batch, merged with the others' (mergeReports) before withIncidents looks across all
 * of them.
 */
export async function readSources(
  sources: readonly LogSource[],
  options: AnalyzerOptions,
): Promise<LogReport> {
  const analyzer = new LogAnalyzer(options);
  for (const source of sources) {
    const feed = analyzer.beginSource(source.name);
    const outcome = await source.read({
      push: (line, truncated) => {
        feed.push(line, truncated);
      },
    });
    if (outcome.status === 'failed')
      feed.end({ code: outcome.error.code, message: outcome.error.message });
    else feed.end();
  }
  return analyzer.finish();
}

/** The report with the incidents across its sources and their probable causes (recomputed: after a merge, they span every source). */
export function withIncidents(report: LogReport): LogReport {
  report.incidents = logIncidents(report, DEFAULT_INSIGHT_CONFIG);
  return report;
}
