import { describe, expect, it } from 'vitest';
import { bestSegmentF1, segmentCounts } from '../bench/kpi/segment-f1.js';
import { robustZScores, spectralResidualScores } from '../bench/kpi/references.js';

const series = (labels: number[], scores: number[]) => ({
  labels: Uint8Array.from(labels),
  scores: Float64Array.from(scores),
});

describe('segment F1 of the AIOps challenge (delay 7)', () => {
  it('a segment is found, all its points, when an alarm falls in its first delay + 1 points', () => {
    // segment of 12 points at 2..13; an alarm at its 8th point (index 9) counts, at its 9th does not
    const labels = [0, 0, ...Array<number>(12).fill(1), 0, 0];
    const at = (i: number) => labels.map((_, k) => (k === i ? 1 : 0));
    expect(segmentCounts([series(labels, at(9))], 0.5, 7)).toEqual({ tp: 12, fp: 0, fn: 0 });
    expect(segmentCounts([series(labels, at(10))], 0.5, 7)).toEqual({ tp: 0, fp: 0, fn: 12 });
    // alarms outside segments are false positives, point by point
    expect(segmentCounts([series(labels, at(0))], 0.5, 7)).toEqual({ tp: 0, fp: 1, fn: 12 });
  });

  it('pools the counts over series and picks the best threshold', () => {
    const a = series([0, 1, 1, 0, 0], [0.1, 0.9, 0.2, 0.1, 0.6]);
    const b = series([1, 1, 0, 0, 0], [0.3, 0.1, 0.1, 0.7, 0.1]);
    // at 0.8: a's segment found (2 tp), b's missed (2 fn), no fp -> F1 0.5
    expect(segmentCounts([a, b], 0.8, 7)).toEqual({ tp: 2, fp: 0, fn: 2 });
    const best = bestSegmentF1([a, b], 7);
    // at 0.2-0.3: both found (4 tp), fp at a[4] (0.6) and b[3] (0.7): precision 2/3, recall 1, F1 0.8
    expect(best.f1).toBeCloseTo(0.8, 9);
    expect(best.threshold).toBeGreaterThan(0.1);
    expect(best.threshold).toBeLessThanOrEqual(0.3);
  });

  it('scores nothing found as F1 0, not NaN', () => {
    expect(bestSegmentF1([series([0, 0, 0], [0, 0, 0])], 7).f1).toBe(0);
  });
});

describe('reference detectors', () => {
  // a daily-like wave with noise (a pure sine's extrema are where SR's extrapolation errs most)
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
  const wave = Array.from(
    { length: 3000 },
    (_, i) => 10 + Math.sin((2 * Math.PI * i) / 60) + 0.5 * rnd(),
  );
  const spiked = wave.map((v, i) => (i === 2500 ? v + 8 : v));

  it('spectral residual scores a spike highest, using only points up to each one', () => {
    const s = spectralResidualScores(spiked);
    expect(s).toHaveLength(spiked.length);
    let arg = 0;
    for (let i = 0; i < s.length; i++) if (s[i]! > s[arg]!) arg = i;
    expect(arg).toBe(2500);
    // causal: the points before the spike score the same without it
    const plain = spectralResidualScores(wave);
    for (let i = 0; i < 2500; i++) expect(s[i]).toBe(plain[i]);
  });

  it('a rolling robust z-score scores a spike highest, from the points before it', () => {
    const s = robustZScores(spiked);
    let arg = 0;
    for (let i = 0; i < s.length; i++) if (s[i]! > s[arg]!) arg = i;
    expect(arg).toBe(2500);
    const plain = robustZScores(wave);
    for (let i = 0; i < 2500; i++) expect(s[i]).toBe(plain[i]);
  });
});
