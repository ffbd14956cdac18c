import type { LogResource } from './log-record.js';

/** The kinds of the design (DESIGN.md). */
export const FINDING_KINDS = [
  'metric-anomaly',
  'error-burst',
  'new-template',
  'rare-template',
  'latency-shift',
  'call-delay',
  'calls-unanswered',
  'service-silent',
  'error-rate',
  'change',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/**
 * One abnormal thing, computed deterministically, with the reason a person reads and the
 * evidence behind it. (Log findings of `bifrost analyze` live in log-report.ts; the server's
 * findings share this shape.)
 */
export interface Finding {
  /** Stable id: the same finding found again gets the same id. */
  id: string;
  kind: FindingKind;
  timeMs: number;
  score: number;
  reason: string;
  /** What it is about: the metric series ('' and '{}' for findings about logs, spans or changes) and the resource. */
  subject: { metric: string; labels: string; resource: LogResource };
  /**
   * The detector component behind a metric anomaly (spike, dip, level-shift, seasonal, stuck,
   * variance), the template id of a log finding, the kind of a change.
   */
  detail: string;
  /** Evidence: the metric point itself; for others the bucket and its figure (count, p90 ms, error ratio). */
  evidence: { timeMs: number; value: number }[];
}
