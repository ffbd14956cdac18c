/**
 * The AIOps Challenge 2018 measure of KPI anomaly detection: a labelled anomaly segment counts as
 * found, all its points true positives, when an alarm falls within its first `delay` + 1 points
 * (delay 7: detected within 7 minutes of its start); else all its points are misses. Alarms
 * outside segments are false positives, point by point. Precision, recall and F1 are over the
 * points of all series pooled (the challenge's scoring code, get_range_proba then F1).
 */

export interface ScoredSeries {
  /** 1 for a labelled anomalous point. */
  labels: Uint8Array;
  /** The detector's score of each point (an alarm where it reaches the threshold). */
  scores: Float64Array;
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export function segmentCounts(
  series: readonly ScoredSeries[],
  threshold: number,
  delay: number,
): Counts {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const { labels, scores } of series) {
    const n = labels.length;
    let i = 0;
    while (i < n) {
      if (labels[i] === 0) {
        if (scores[i]! >= threshold) fp++;
        i++;
        continue;
      }
      let end = i;
      while (end < n && labels[end] === 1) end++;
      let found = false;
      for (let k = i; k < Math.min(end, i + delay + 1); k++)
        if (scores[k]! >= threshold) {
          found = true;
          break;
        }
      if (found) tp += end - i;
      else fn += end - i;
      i = end;
    }
  }
  return { tp, fp, fn };
}

export function f1Of({ tp, fp, fn }: Counts): { precision: number; recall: number; f1: number } {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/**
 * The best pooled F1 over thresholds: every distinct score when there are few, else 400
 * quantiles of the pooled scores (the figure the challenge and SR-CNN report).
 */
export function bestSegmentF1(
  series: readonly ScoredSeries[],
  delay: number,
): Counts & { precision: number; recall: number; f1: number; threshold: number } {
  const all: number[] = [];
  for (const s of series) for (const v of s.scores) if (v > 0) all.push(v);
  all.sort((a, b) => a - b);
  const distinct = [...new Set(all)];
  const candidates =
    distinct.length <= 400
      ? distinct
      : Array.from({ length: 400 }, (_, k) => all[Math.floor(((k + 0.5) / 400) * all.length)]!);
  let best = { tp: 0, fp: 0, fn: 0, precision: 0, recall: 0, f1: 0, threshold: Infinity };
  for (const t of new Set(candidates)) {
    const c = segmentCounts(series, t, delay);
    const f = f1Of(c);
    if (f.f1 > best.f1) best = { ...c, ...f, threshold: t };
  }
  if (best.threshold === Infinity) best = { ...best, ...segmentCounts(series, Infinity, delay) };
  return best;
}
