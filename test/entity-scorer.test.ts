import { describe, expect, it } from 'vitest';
import { bestPointF1, hitRate, pointF1At } from '../bench/entity/entity-scorer.js';

describe('point F1 without point adjustment', () => {
  it('counts each point on its own and picks the best threshold', () => {
    const labels = Uint8Array.from([0, 1, 1, 1, 0, 0]);
    const scores = Float64Array.from([0.1, 0.9, 0.2, 0.8, 0.7, 0.1]);
    // at 0.8: tp 2, fp 0, fn 1 -> F1 0.8; at 0.7: 0.667; at 0.2: tp 3, fp 1, fn 0 -> 0.857
    const best = bestPointF1([{ labels, scores }]);
    expect(best.f1).toBeCloseTo(6 / 7, 9);
    expect(best.threshold).toBe(0.2);
    expect(best).toMatchObject({ tp: 3, fp: 1, fn: 0 });
  });
  it('is 0, not NaN, when nothing is labelled or nothing scores', () => {
    expect(
      bestPointF1([{ labels: Uint8Array.from([0, 0]), scores: Float64Array.from([0, 0]) }]).f1,
    ).toBe(0);
  });
});

describe('point F1 at a given threshold', () => {
  it('alarms where the score reaches the threshold, pooled over series', () => {
    const a = {
      labels: Uint8Array.from([0, 1, 1, 1, 0, 0]),
      scores: Float64Array.from([0.1, 0.9, 0.2, 0.8, 0.7, 0.1]),
    };
    const b = { labels: Uint8Array.from([1, 0]), scores: Float64Array.from([0.75, 0.75]) };
    // at 0.75: a gives tp 2 (0.9, 0.8), fn 1; b gives tp 1, fp 1 -> P 0.75, R 0.75
    expect(pointF1At([a, b], 0.75)).toMatchObject({ tp: 3, fp: 1, fn: 1 });
    expect(pointF1At([a, b], 0.75).f1).toBeCloseTo(0.75, 9);
    expect(pointF1At([a], 2).f1).toBe(0);
  });
});

describe('HitRate@P% (OmniAnomaly)', () => {
  it("is the share of a point's labelled metrics among its top ⌈P·g⌉ ranked metrics, averaged over labelled points", () => {
    // two labelled points, truth {0, 2} (g = 2)
    const perMetric = [
      Float64Array.from([0.9, 0.1, 0.8, 0.0]), // top 2 = {0, 2}: 2 of 2
      Float64Array.from([0.9, 0.8, 0.1, 0.0]), // top 2 = {0, 1}: 1 of 2; top 3 = {0, 1, 2}: 2 of 2
    ];
    const points = [
      { scores: perMetric[0]!, truth: [0, 2] },
      { scores: perMetric[1]!, truth: [0, 2] },
    ];
    expect(hitRate(points, 1)).toBeCloseTo(0.75, 9);
    expect(hitRate(points, 1.5)).toBeCloseTo(1, 9);
    expect(hitRate([], 1)).toBe(0);
  });
});
