import type { LogResource } from './log-record.js';

/** The kinds of the design (DESIGN.md); the server produces metric-anomaly so far. */
export type FindingKind = 'metric-anomaly' | 'error-burst' | 'new-template' | 'rare-template' | 'latency-shift' | 'error-rate' | 'change';

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
  /** What it is about: the metric series. */
  subject: { metric: string; labels: string; resource: LogResource };
  /** The detector component behind a metric anomaly (spike, dip, level-shift, seasonal, stuck, variance). */
  detail: string;
  /** Evidence: the metric point itself. */
  evidence: { timeMs: number; value: number }[];
}
