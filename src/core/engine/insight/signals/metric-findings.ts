import type { FoundSignal, SignalSource } from './signal.js';
import { proximity } from './signal.js';

/** Metric anomalies found as the points arrived (stored findings), discounted by how often the service has them anyway. */
export const metricFindingSignals: SignalSource = ({
  input,
  config,
  inWindow,
  windowBuckets,
  refBuckets,
}) => {
  const windowMinutes = (windowBuckets.size * config.bucketMs) / 60_000;
  const refMinutes = (refBuckets.size * config.bucketMs) / 60_000;
  const out: FoundSignal[] = [];
  // metric anomalies found as the points arrived, discounted by how often the service has them anyway
  const metricRef = new Map<string, number>();
  for (const f of input.findings)
    if (!inWindow(f.timeMs) && f.kind === 'metric-anomaly')
      metricRef.set(
        f.subject.resource.service ?? '',
        (metricRef.get(f.subject.resource.service ?? '') ?? 0) + 1,
      );
  for (const f of input.findings) {
    if (!inWindow(f.timeMs) || f.kind !== 'metric-anomaly') continue;
    const service = f.subject.resource.service ?? '';
    const usualPerWindow =
      ((metricRef.get(service) ?? 0) / Math.max(1, refMinutes)) * Math.max(1, windowMinutes);
    const score =
      ((config.metricWeight * f.score) / (1 + usualPerWindow)) * proximity(f.timeMs, input, config);
    out.push({
      service,
      signal: {
        kind: 'metric',
        score,
        reason: `${f.subject.metric}: ${f.reason}`,
        ref: {
          type: 'finding',
          findingId: f.id,
          metric: f.subject.metric,
          timeMs: f.timeMs,
          score: f.score,
        },
        onsetMs: f.timeMs,
        untilMs: f.timeMs,
      },
    });
  }
  return out;
};
