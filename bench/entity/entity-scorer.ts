/**
 * Measures of multivariate (entity) anomaly detection as ASD (InterFusion, KDD 2021) and SMD
 * (OmniAnomaly, KDD 2019) report them: point F1 at the best threshold without point adjustment
 * (each labelled point on its own: adjustment, which credits a whole segment for one alarm,
 * inflates F1 and is not used), and HitRate@P% of the metrics ranked for each labelled point
 * against the metrics that explain its segment.
 */

export interface PointSeries {
  labels: Uint8Array;
  scores: Float64Array;
}

export function bestPointF1(series: readonly PointSeries[]): {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  threshold: number;
} {
  // sort every point by score, then sweep: each distinct score is a threshold (alarm where ≥)
  const pts: { s: number; l: number }[] = [];
  let positives = 0;
  for (const { labels, scores } of series)
    for (let i = 0; i < labels.length; i++) {
      pts.push({ s: scores[i]!, l: labels[i]! });
      positives += labels[i]!;
    }
  pts.sort((a, b) => b.s - a.s);
  let best = { tp: 0, fp: 0, fn: positives, precision: 0, recall: 0, f1: 0, threshold: Infinity };
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < pts.length; i++) {
    if (pts[i]!.l === 1) tp++;
    else fp++;
    if (i + 1 < pts.length && pts[i + 1]!.s === pts[i]!.s) continue;
    if (!(pts[i]!.s > 0)) break;
    const precision = tp / (tp + fp);
    const recall = positives === 0 ? 0 : tp / positives;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    if (f1 > best.f1)
      best = { tp, fp, fn: positives - tp, precision, recall, f1, threshold: pts[i]!.s };
  }
  return best;
}

/** Point F1 with alarms where the score reaches a threshold chosen beforehand (pooled over series). */
export function pointF1At(
  series: readonly PointSeries[],
  threshold: number,
): { tp: number; fp: number; fn: number; precision: number; recall: number; f1: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const { labels, scores } of series)
    for (let i = 0; i < labels.length; i++) {
      const alarm = scores[i]! >= threshold;
      if (labels[i] === 1) {
        if (alarm) tp++;
        else fn++;
      } else if (alarm) fp++;
    }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, precision, recall, f1 };
}

/**
 * HitRate@P%: for each labelled point, the share of its g labelled metrics found among the
 * ⌈P·g⌉ metrics it ranks highest (ties in index order), averaged over the points.
 */
export function hitRate(
  points: readonly { scores: ArrayLike<number>; truth: readonly number[] }[],
  p: number,
): number {
  if (points.length === 0) return 0;
  let sum = 0;
  for (const { scores, truth } of points) {
    const order = Array.from({ length: scores.length }, (_, i) => i).sort(
      (a, b) => scores[b]! - scores[a]! || a - b,
    );
    const top = new Set(order.slice(0, Math.ceil(p * truth.length)));
    sum += truth.filter((m) => top.has(m)).length / truth.length;
  }
  return sum / points.length;
}
