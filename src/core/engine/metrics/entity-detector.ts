import { DEFAULT_METRIC_DETECTOR_CONFIG } from './detector-config.js';
import type { MetricDetectorConfig } from './detector-config.js';
import { describeAnomaly } from './reasons.js';
import { SeriesDetector } from './series-detector.js';

/** Score bins: u = ln(1 + ratio) = −ln(1 − score) from 0 to U_MAX, BINS_PER_UNIT to a unit. */
const BINS_PER_UNIT = 64;
const U_MAX = 16;
const BINS = BINS_PER_UNIT * U_MAX;
/** Below the resolution of a bin: orders rows that share one (lexicographic after the surprise). */
const TIE_BREAK = 1e-3;
/** At most this many metrics are named in a reason. */
const REASON_METRICS = 3;
const LN10 = Math.log(10);

export interface EntityDetectorConfig {
  /** The univariate detector every metric runs (its one global configuration). */
  readonly metric: MetricDetectorConfig;
  /**
   * Entity score from which a row is reported: decades of surprise, after the number of metrics
   * is accounted for (2.5 = a row this unusual comes about once in 300 rows of an entity's
   * normal). Chosen between the best thresholds of ASD (2.67) and SMD (2.32), in sample; the
   * threshold chosen on one and scored on the other is in docs/benchmarks.md.
   */
  readonly threshold: number;
}

export const DEFAULT_ENTITY_DETECTOR_CONFIG: EntityDetectorConfig = {
  metric: DEFAULT_METRIC_DETECTOR_CONFIG,
  threshold: 2.5,
};

/**
 * How often a metric's own scores reached a level: a decaying histogram of the scores it gave
 * (binned on ln(1 + ratio), in a Fenwick tree), forgetting at the univariate detector's record
 * decay. Constant memory; a query is O(log bins).
 */
class ScoreHistory {
  private readonly tree = new Float64Array(BINS + 1);
  private total = 0;
  /** Weight of the next score: it grows instead of every older weight shrinking. */
  private weight = 1;
  private top = -1;

  /** growth: 1 / (1 − forgetting per score); 1 counts every score alike. */
  constructor(private readonly growth: number) {}

  static bin(u: number): number {
    const b = Math.floor(u * BINS_PER_UNIT);
    return b < 0 ? 0 : b >= BINS ? BINS - 1 : b;
  }

  /** Decades of surprise of u among the scores seen before: −log10 of the share at least as high (the point itself counted), and beyond the highest ever a Pareto tail. */
  surprise(u: number): number {
    const b = ScoreHistory.bin(u);
    let below = 0;
    for (let i = b; i > 0; i -= i & -i) below += this.tree[i]!;
    const atLeast = this.total - below;
    let s = -Math.log10((Math.max(atLeast, 0) + this.weight) / (this.total + this.weight));
    if (b > this.top) s += (u - (this.top + 1) / BINS_PER_UNIT) / LN10;
    return s;
  }

  learn(u: number): void {
    const b = ScoreHistory.bin(u);
    for (let i = b + 1; i <= BINS; i += i & -i) this.tree[i] = this.tree[i]! + this.weight;
    this.total += this.weight;
    if (b > this.top) this.top = b;
    this.weight *= this.growth;
    if (this.weight > 1e200) {
      const k = 1 / this.weight;
      for (let i = 1; i <= BINS; i++) this.tree[i] = this.tree[i]! * k;
      this.total *= k;
      this.weight = 1;
    }
  }
}

/**
 * Streaming, causal anomaly detector for an entity (a machine, a pod, a VM) with many metrics.
 * Every metric runs the univariate SeriesDetector; each metric's score is then read as its
 * surprise among the scores the same metric gave before (a metric that often scores 0.6 makes
 * 0.6 no news; one that never moved makes it news), so metrics of any kind compare. The row's
 * score is the largest surprise less log10 of the number of metrics (the chance that one of them
 * is this unusual), in decades; the metrics are ranked by their surprise, and the reason names
 * the first ones in words. No setting besides the threshold; memory is constant. Given a
 * stretch of normal operation first (holdCalibration after it), the surprises are measured
 * against that stretch alone.
 */
export class EntityDetector {
  private readonly detectors: SeriesDetector[];
  private readonly history: ScoreHistory[];
  private readonly surprises: Float64Array;
  private readonly offset: number;
  private lastScore = 0;
  private holding = false;

  /**
   * baseline: the rows until holdCalibration() are the entity's normal, every one counted alike,
   * and the calibration is held after them. Without it the calibration learns every row for as
   * long as the stream lasts, forgetting at the univariate detector's record decay.
   */
  constructor(
    readonly width: number,
    private readonly cfg: EntityDetectorConfig = DEFAULT_ENTITY_DETECTOR_CONFIG,
    options: { baseline?: boolean } = {},
  ) {
    if (!Number.isInteger(width) || width < 1)
      throw new RangeError(`an entity has at least 1 metric (got ${width})`);
    const growth = options.baseline === true ? 1 : 1 / (1 - cfg.metric.recordDecay);
    this.detectors = Array.from({ length: width }, () => new SeriesDetector(cfg.metric, true));
    this.history = Array.from({ length: width }, () => new ScoreHistory(growth));
    this.surprises = new Float64Array(width);
    this.offset = Math.log10(width);
  }

  /** Scores the row (t: epoch ms, non-decreasing; a value that is not finite: that metric sits the row out) and learns it. */
  push(t: number, values: ArrayLike<number>): number {
    if (values.length !== this.width)
      throw new RangeError(`a row of this entity has ${this.width} metrics, got ${values.length}`);
    let best = 0;
    for (let k = 0; k < this.width; k++) {
      const x = values[k]!;
      if (!Number.isFinite(x)) {
        this.surprises[k] = 0;
        continue;
      }
      const score = this.detectors[k]!.push(t, x);
      const u = score < 1 ? -Math.log1p(-score) : U_MAX;
      const h = this.history[k]!;
      const s = score > 0 ? h.surprise(u) + TIE_BREAK * u : 0;
      if (!this.holding) h.learn(u);
      this.surprises[k] = s;
      if (s > best) best = s;
    }
    return (this.lastScore = Math.max(0, best - this.offset));
  }

  /**
   * The rows so far were the entity's normal: from now on each metric's scores are judged against
   * them and no longer learned (the metrics' own detectors go on adapting). Without it the
   * calibration keeps learning every row: an anomaly that lasts becomes less surprising as it goes.
   */
  holdCalibration(): void {
    this.holding = true;
  }

  /** Each metric's surprise at the last row (decades; 0 when it sat the row out). */
  contributions(): Readonly<Float64Array> {
    return this.surprises;
  }

  /**
   * The n most unusual metrics at the last row (all by default), most unusual first, ties in
   * index order. A few are picked in one pass over the metrics, without sorting them all.
   */
  ranked(n = this.width): number[] {
    const s = this.surprises;
    const before = (a: number, b: number) => s[a]! > s[b]! || (s[a] === s[b] && a < b);
    if (n >= this.width)
      return Array.from({ length: this.width }, (_, k) => k).sort((a, b) =>
        before(a, b) ? -1 : 1,
      );
    const top: number[] = [];
    for (let k = 0; k < this.width; k++) {
      if (top.length === n && !before(k, top[n - 1]!)) continue;
      let i = top.length === n ? n - 1 : top.length;
      while (i > 0 && before(k, top[i - 1]!)) i--;
      top.splice(i, 0, k);
      if (top.length > n) top.pop();
    }
    return top;
  }

  /** The last row's reason in words ("" below the threshold): the metrics behind it, then how many others are normal. */
  reason(names?: readonly string[]): string {
    if (this.lastScore < this.cfg.threshold) return '';
    const s = this.surprises;
    const bar = this.cfg.threshold + this.offset;
    // ranked: those at the bar come first
    const named = this.ranked(REASON_METRICS).filter((k) => s[k]! >= bar);
    const parts = named.map(
      (k) => `${names?.[k] ?? `metric ${k + 1}`}: ${describeAnomaly(this.detectors[k]!.explain())}`,
    );
    const others = this.width - named.length;
    if (others > 0) parts.push(`${others} other metric${others === 1 ? '' : 's'} normal`);
    return parts.join('; ');
  }
}
