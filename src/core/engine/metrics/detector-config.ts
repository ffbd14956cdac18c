/**
 * What the metric detector can say about a point. Each is one component of the detector; the
 * point's score comes from the component that finds it most unusual.
 */
export const ANOMALY_KINDS = [
  'spike',
  'dip',
  'level-shift',
  'seasonal',
  'stuck',
  'variance',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/**
 * One global configuration: no setting depends on a file, a metric or a category. The detector
 * measures the sampling interval as the series streams in; records, level-shift and stuck-value
 * state age by the time that passed (irregular sampling, gaps), while the baseline moves per point
 * (a gap carries no evidence that the level changed).
 */
export interface MetricDetectorConfig {
  /** EW rate of the local baseline (median-like, Huber-clipped updates). */
  readonly baselineRate: number;
  /** Residuals beyond this many scale units are clipped before they move the baseline or scale. */
  readonly clip: number;
  /** Points before anything is scored. */
  readonly warmup: number;
  /** Intervals a component must have been measured before it may raise the score. */
  readonly componentWarmup: number;
  /** EW rate of the sustained-residual tracker behind level shifts. */
  readonly shiftRate: number;
  /** EW rate, per period, of each seasonal slot (same time of day / week). */
  readonly seasonRate: number;
  /**
   * A daily or weekly pattern is "present" while its mean squared prediction error is below this
   * share of the local baseline's (squared errors: the pattern must get the big moves right).
   */
  readonly seasonalAdvantage: number;
  /** EW rate of the prediction errors that decide whether a daily pattern is present (÷ 7 for weekly). */
  readonly errorRate: number;
  /** Scale floor as a share of the range seen so far (flat lines do not divide by zero). */
  readonly scaleFloor: number;
  /** How fast, per interval, a component forgets its most extreme value ("record"). */
  readonly recordDecay: number;
  /** EW rates of the short and long spread behind variance changes. */
  readonly spreadShortRate: number;
  readonly spreadLongRate: number;
  /**
   * Weight of each component: a point scores 0.5 when its component equals the record seen so far
   * × 1/gain, and tends to 1 as it exceeds it.
   */
  readonly gains: Readonly<Record<AnomalyKind, number>>;
  /**
   * For this many intervals after a point reached the threshold, measures count divided by
   * refractoryDamping: a continuing or escalating anomaly alerts again only when it is clearly
   * worse, not at every new extreme (alerts this close are also grouped into one anomaly).
   */
  readonly refractoryIntervals: number;
  readonly refractoryDamping: number;
  /** Score from which a point is reported as an anomaly (NAB's corpus-optimal threshold). */
  readonly threshold: number;
}

/** Found by coordinate search on the NAB corpus (bench/nab/tune.ts); one set for every series. */
export const DEFAULT_METRIC_DETECTOR_CONFIG: MetricDetectorConfig = {
  baselineRate: 0.05,
  clip: 3,
  warmup: 30,
  componentWarmup: 200,
  shiftRate: 0.08,
  seasonRate: 0.3,
  seasonalAdvantage: 0.3,
  errorRate: 0.01,
  scaleFloor: 0.01,
  recordDecay: 0.0001,
  spreadShortRate: 0.1,
  spreadLongRate: 0.005,
  gains: { spike: 1, dip: 1, 'level-shift': 0.85, seasonal: 0.7225, stuck: 0.1, variance: 0.6 },
  refractoryIntervals: 12,
  refractoryDamping: 2,
  threshold: 0.53,
};
