import type { AnomalyKind } from './detector-config.js';

/** What the detector saw at the last point: everything a reason needs, copied without allocation. */
export interface PointExplanation {
  kind: AnomalyKind;
  /** The component's measure and the largest one seen before (decayed), after its gain. */
  ratio: number;
  value: number;
  baseline: number;
  scale: number;
  /** Previous largest rise/drop above/below the baseline (spike, dip). */
  record: number;
  /** Daily pattern's expected value and its typical deviation (seasonal, level-shift in season). */
  expected: number;
  seasonalScale: number;
  seasonal: boolean;
  /** Which pattern the expected value comes from. */
  period: 'daily' | 'weekly';
  /** Level shift: mean since it started, the level before, and when it started (epoch ms). */
  shiftMean: number;
  shiftFrom: number;
  shiftSince: number;
  /** Stuck: how long the value has not changed, and the longest such run before (ms). */
  stuckMs: number;
  stuckRecordMs: number;
  /** Recent (before this point, except for a variance anomaly) and usual mean absolute deviation. */
  spreadNow: number;
  spreadUsual: number;
}
