import { ANOMALY_KINDS, DEFAULT_METRIC_DETECTOR_CONFIG } from './detector-config.js';
import type { MetricDetectorConfig } from './detector-config.js';
import type { PointExplanation } from './explanation.js';
import { describeAnomaly } from './reasons.js';
import { SeasonalProfile } from './seasonal-profile.js';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** Weekly slots are at least 5 minutes wide (2,016 per week). */
const WEEK_SLOT_MS = 300_000;
const K = ANOMALY_KINDS.length;
const SPIKE = 0;
const DIP = 1;
const SHIFT = 2;
const SEASONAL = 3;
const STUCK = 4;
const VARIANCE = 5;
/** Ratio given to the first rise or drop of a series that never moved before. */
const FIRST_EVER = 1e6;
const MAX_MAGNITUDE = 1e150;

/**
 * Streaming, causal anomaly detector for one time series. push() scores a point from the points
 * before it and the point itself, then learns it; nothing looks ahead, memory is constant.
 *
 * Six components each measure one way a point can be abnormal — a rise above or a drop below
 * the local baseline, a level shift (sustained residual), a departure from the daily pattern,
 * a value stuck for longer than usual, a change of variance. Each measure is divided by the
 * largest value that component has seen (a slowly forgotten "record"), so the score is free of
 * units and calibrated per series: a point scores 0.5 when it equals the record and tends to 1
 * as it exceeds it. The score is the highest of the components, and the reason is that
 * component's, in words.
 */
export class SeriesDetector {
  private n = 0;
  private lastT = NaN;
  private interval = 0;
  private baseline = 0;
  private scale = 0;
  private min = Infinity;
  private max = -Infinity;
  private shift = 0;
  private shiftMean = 0;
  private shiftFrom = 0;
  private shiftSince = 0;
  private day: SeasonalProfile | undefined;
  private week: SeasonalProfile | undefined;
  private weekError = 0;
  private weekLocalError = 0;
  private weekScale = 0;
  private localError = 0;
  private seasonalError = 0;
  private seasonalScale = 0;
  private prevX = NaN;
  private stuckIntervals = 0;
  /** Longest completed run of one value (decayed), in intervals: the ongoing run is not its own yardstick. */
  private stuckRecord = 0;
  private stuckSince = 0;
  /** The current run of one value has been reported: a frozen gauge is one anomaly, not one per interval. */
  private stuckReported = false;
  private spreadShort = 0;
  private spreadLong = 0;
  private readonly measures = new Float64Array(K);
  private readonly records = new Float64Array(K);
  private readonly active = new Float64Array(K);
  private readonly gains: Float64Array;
  private readonly last: PointExplanation = {
    kind: 'spike',
    ratio: 0,
    value: 0,
    baseline: 0,
    scale: 0,
    record: 0,
    expected: NaN,
    seasonalScale: 0,
    seasonal: false,
    period: 'daily',
    shiftMean: 0,
    shiftFrom: 0,
    shiftSince: 0,
    stuckMs: 0,
    stuckRecordMs: 0,
    spreadNow: 0,
    spreadUsual: 0,
  };
  private lastScore = 0;
  private lastAlertT = -Infinity;

  /**
   * explainAll: keep the explanation of every scored point, not only of points at the threshold
   * (the entity detector describes a metric that is unusual for it even below the threshold).
   */
  constructor(
    private readonly cfg: MetricDetectorConfig = DEFAULT_METRIC_DETECTOR_CONFIG,
    private readonly explainAll = false,
  ) {
    this.gains = Float64Array.from(ANOMALY_KINDS, (k) => cfg.gains[k]);
  }

  /** Typical sampling interval in ms (0 until two points). */
  get intervalMs(): number {
    return this.interval;
  }

  /**
   * Scores the point (t: epoch ms, non-decreasing; x: finite) in [0, 1) and learns it.
   * The caller keeps timestamps ordered and values finite (the readers do, and say which rows they skipped).
   */
  push(t: number, value: number): number {
    const cfg = this.cfg;
    // beyond ±1e150 differences of two values could overflow and poison the state with NaN
    const x =
      value > MAX_MAGNITUDE ? MAX_MAGNITUDE : value < -MAX_MAGNITUDE ? -MAX_MAGNITUDE : value;
    const n = this.n++;
    let steps = 1;
    if (n > 0) {
      const d = t - this.lastT;
      if (n === 1) this.interval = d > 0 ? d : 0;
      else if (d > 0) {
        if (this.interval <= 0) this.interval = d;
        steps = d / this.interval;
        this.interval += 0.05 * (Math.min(d, 2 * this.interval) - this.interval);
      }
    }
    this.lastT = t;
    if (n === 0) {
      this.baseline = x;
      this.min = x;
      this.max = x;
      this.prevX = x;
      this.shiftSince = t;
      return 0;
    }
    const regular = steps > 0.5 && steps < 1.5;
    if (this.day === undefined && n >= 10 && this.interval > 0) {
      this.day = new SeasonalProfile(DAY_MS, this.interval, cfg.seasonRate);
      this.week = new SeasonalProfile(WEEK_MS, this.interval, cfg.seasonRate, WEEK_SLOT_MS);
    }
    const floor = Math.max(cfg.scaleFloor * (this.max - this.min), 1e-12);
    const scale = Math.max(this.scale, floor);
    const r = x - this.baseline;
    const zLocal = r / scale;

    // daily pattern: used while it predicts clearly better than the local baseline
    let zSeason = 0;
    let expected = NaN;
    let seasonal = false;
    let period: 'daily' | 'weekly' = 'daily';
    if (this.day !== undefined) {
      expected = this.day.expected(t);
      if (!Number.isNaN(expected)) {
        const rs = x - expected;
        const sScale = Math.max(this.seasonalScale, floor);
        zSeason = rs / sScale;
        const ae = Math.abs(rs);
        const er = cfg.errorRate;
        this.seasonalError =
          this.seasonalError === 0
            ? ae * ae
            : this.seasonalError + er * (ae * ae - this.seasonalError);
        this.localError =
          this.localError === 0 ? r * r : this.localError + er * (r * r - this.localError);
        this.seasonalScale =
          this.seasonalScale === 0
            ? ae
            : this.seasonalScale + er * (Math.min(ae, cfg.clip * sScale) - this.seasonalScale);
        seasonal = this.seasonalError < cfg.seasonalAdvantage * this.localError;
        this.last.seasonalScale = sScale;
      }
      this.day.learn(x);
    }
    // weekly pattern: used where it beats both the local baseline and the daily pattern
    if (this.week !== undefined) {
      const ew = this.week.expected(t);
      if (!Number.isNaN(ew)) {
        const rw = x - ew;
        const aw = Math.abs(rw);
        const wScale = Math.max(this.weekScale, floor);
        // a week's memory for a weekly decision (a day's changes must not be forgotten over a weekend)
        const er = cfg.errorRate / 7;
        this.weekError =
          this.weekError === 0 ? aw * aw : this.weekError + er * (aw * aw - this.weekError);
        this.weekLocalError =
          this.weekLocalError === 0
            ? r * r
            : this.weekLocalError + er * (r * r - this.weekLocalError);
        this.weekScale =
          this.weekScale === 0
            ? aw
            : this.weekScale + er * (Math.min(aw, cfg.clip * wScale) - this.weekScale);
        if (
          this.weekError < cfg.seasonalAdvantage * this.weekLocalError &&
          (!seasonal || this.weekError < cfg.seasonalAdvantage * this.seasonalError)
        ) {
          seasonal = true;
          period = 'weekly';
          expected = ew;
          zSeason = rw / wScale;
          this.last.seasonalScale = wScale;
        }
      }
      this.week.learn(x);
    }

    // sustained residual → level shift
    const z = seasonal ? zSeason : zLocal;
    const shiftRate = regular ? cfg.shiftRate : 1 - Math.pow(1 - cfg.shiftRate, steps);
    this.shift += shiftRate * (Math.max(-10, Math.min(10, z)) - this.shift);
    if (Math.abs(this.shift) < 1) {
      this.shiftSince = t;
      this.shiftFrom = this.baseline;
      this.shiftMean = x;
    } else this.shiftMean += shiftRate * (x - this.shiftMean);

    if (x > this.max) this.max = x;
    if (x < this.min) this.min = x;

    // stuck value: same value for longer than usual
    if (Math.abs(x - this.prevX) <= 1e-12 * Math.max(1, Math.abs(x)))
      this.stuckIntervals += Math.max(steps, 1);
    else {
      if (this.stuckIntervals > this.stuckRecord) this.stuckRecord = this.stuckIntervals;
      this.stuckIntervals = 0;
      this.stuckSince = t;
      // a reported freeze lasts until the value moves: what follows is its aftermath (the refractory)
      if (this.stuckReported) this.lastAlertT = t;
      this.stuckReported = false;
    }
    this.prevX = x;

    // variance: recent spread against the usual one
    const ad = Math.abs(r);
    const spreadBefore = this.spreadShort;
    this.spreadShort += cfg.spreadShortRate * (ad - this.spreadShort);
    this.spreadLong += cfg.spreadLongRate * (ad - this.spreadLong);

    // learn the local baseline and scale (Huber: a spike moves them by at most clip × scale)
    // (per point, not per interval: a gap carries no evidence that the level changed)
    const warm = n >= cfg.warmup;
    const a = warm ? cfg.baselineRate : 1 / (n + 1);
    const limit = cfg.clip * Math.max(scale, 1e-300);
    const bounded = warm && scale > 1e-12 ? Math.max(-limit, Math.min(limit, r)) : r;
    const prevBaseline = this.baseline;
    this.baseline += a * bounded;
    this.scale += a * (Math.min(ad, limit) - this.scale);
    if (!warm) return (this.lastScore = 0);

    const m = this.measures;
    m[SPIKE] = r > 0 ? r : 0;
    m[DIP] = r < 0 ? -r : 0;
    m[SHIFT] = Math.abs(this.shift);
    m[SEASONAL] = seasonal ? Math.abs(zSeason) : 0;
    m[STUCK] = this.stuckIntervals;
    m[VARIANCE] = this.spreadLong > floor ? this.spreadShort / this.spreadLong : 0;

    const keep = regular ? 1 - cfg.recordDecay : Math.pow(1 - cfg.recordDecay, steps);
    let best = 0;
    let bestK = 0;
    let bestRecord = 0;
    this.stuckRecord *= keep;
    this.records[STUCK] = this.stuckRecord;
    for (let k = 0; k < K; k++) {
      const rec = this.records[k]!;
      const v = m[k]!;
      // a rise or drop where there never was one (a flat line that moves) is as new as it gets
      const firstEver = rec === 0 && v > 0 && k <= DIP && n >= cfg.componentWarmup;
      const ratio = firstEver ? FIRST_EVER : rec > 0 ? (this.gains[k]! * v) / rec : 0;
      if (k !== STUCK) this.records[k] = Math.max(v, rec * keep);
      if (v > 0 || this.active[k]! > 0) this.active[k] = this.active[k]! + Math.max(steps, 1);
      if (this.active[k]! < cfg.componentWarmup && !firstEver) continue;
      if (k === STUCK && this.stuckReported) continue;
      if (ratio > best) {
        // (ratio is never NaN: measures are finite and records positive, or the ratio is 0)
        best = ratio;
        bestK = k;
        bestRecord = rec;
      }
    }
    // the aftermath of an anomaly already reported is part of it: only a clear escalation alerts again
    if (t - this.lastAlertT <= cfg.refractoryIntervals * this.interval)
      best /= cfg.refractoryDamping;
    const score = best / (1 + best);
    if (score >= cfg.threshold) {
      this.lastAlertT = t;
      if (bestK === STUCK) this.stuckReported = true;
    }
    if (score >= cfg.threshold || (this.explainAll && score > 0)) {
      const e = this.last;
      e.kind = ANOMALY_KINDS[bestK]!;
      e.ratio = best;
      e.value = value;
      e.baseline = prevBaseline;
      e.scale = scale;
      e.record = bestRecord;
      e.expected = expected;
      e.seasonal = seasonal;
      e.period = period;
      e.shiftMean = this.shiftMean;
      e.shiftFrom = this.shiftFrom;
      e.shiftSince = this.shiftSince;
      e.stuckMs = t - this.stuckSince;
      e.stuckRecordMs = bestRecord * this.interval;
      e.spreadNow = e.kind === 'variance' ? this.spreadShort : spreadBefore;
      e.spreadUsual = this.spreadLong;
    }
    return (this.lastScore = score);
  }

  /** Why the last point scored as it did; only meaningful when its score reached the threshold (or above 0 with explainAll). */
  explain(): PointExplanation {
    return this.last;
  }

  /** The last point's reason in words ("" below the threshold). */
  reason(): string {
    return this.lastScore >= this.cfg.threshold ? describeAnomaly(this.last) : '';
  }
}
