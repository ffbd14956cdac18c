import { describe, expect, it } from 'vitest';
import { loadBaseline, loadWindows } from '../bench/nab/data.js';
import {
  PROFILES,
  optimiseThreshold,
  probationLength,
  scaledSigmoid,
  sweepFile,
} from '../bench/nab/scorer.js';
import type { ProfileName } from '../bench/nab/scorer.js';
import { recoverNabThreshold } from '../bench/nab/validate.js';

describe('NAB scoring rules', () => {
  it('scaled sigmoid and probation as NAB defines them', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.9866, 4);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(3.5)).toBe(-1);
    expect(probationLength(1000)).toBe(150);
    expect(probationLength(100_000)).toBe(750);
  });

  it('the earliest detection of a window earns tpWeight, a missed window costs fnWeight, FPs cost', () => {
    const ts = Array.from({ length: 100 }, (_, i) => i * 60_000);
    const s = sweepFile(ts, [[ts[50]!, ts[59]!]], PROFILES.standard);
    expect(s.sweep[50]).toBeCloseTo(1, 10);
    expect(s.window[50]).toBe(0);
    expect(s.window[10]).toBe(-2);
    expect(s.sweep[30]).toBeCloseTo(-0.11, 10);
    const hit = optimiseThreshold(
      [{ sweep: s, scores: ts.map((_, i) => (i === 50 ? 1 : 0)) }],
      PROFILES.standard,
    );
    expect(hit.normalized).toBeCloseTo(100, 6);
    const none = optimiseThreshold([{ sweep: s, scores: ts.map(() => 0) }], PROFILES.standard);
    expect(none.raw).toBe(-1);
  });

  it('scores a threshold chosen elsewhere: alarms at and above it, however good or bad', () => {
    const ts = Array.from({ length: 100 }, (_, i) => i * 60_000);
    const s = sweepFile(ts, [[ts[50]!, ts[59]!]], PROFILES.standard);
    // a false alarm at row 30 (score 0.9), the window found at row 50 (score 0.5)
    const scores = ts.map((_, i) => (i === 30 ? 0.9 : i === 50 ? 0.5 : 0));
    const files = [{ sweep: s, scores }];
    const best = optimiseThreshold(files, PROFILES.standard);
    expect(best.threshold).toBe(0.5);
    expect(optimiseThreshold(files, PROFILES.standard, 0.5)).toEqual(best);
    // above the window's score: the false alarm only, and the window missed
    const high = optimiseThreshold(files, PROFILES.standard, 0.8);
    expect(high).toMatchObject({ tp: 0, fp: 1, fn: 1 });
    expect(high.raw).toBeCloseTo(-1 - 0.11, 10);
    // above every score: nothing alarms (the null detector)
    expect(optimiseThreshold(files, PROFILES.standard, 2)).toMatchObject({
      raw: -1,
      normalized: 0,
    });
  });
});

// Independent check: NAB's own per-row scores (columns S(t)_<profile> of the published raw
// outputs, computed by NAB's Python scorer) must be reproduced row by row at NAB's threshold.
describe.each(['numenta', 'windowedGaussian'])(
  'reproduces NAB on the published %s outputs',
  (detector) => {
    const files = loadBaseline(detector);
    const windows = loadWindows();
    it.each(Object.keys(PROFILES) as ProfileName[])(
      '%s: every row equal, and the corpus score',
      (name) => {
        const profile = PROFILES[name];
        const recovered = recoverNabThreshold(files, windows, name, profile);
        expect(recovered, 'a threshold at which every row matches').toBeDefined();
        expect(recovered!.maxDiff).toBeLessThan(1e-9);
        const best = optimiseThreshold(
          files.map((f) => ({
            sweep: sweepFile(f.timestamps, windows.get(f.key) ?? [], profile),
            scores: f.scores,
          })),
          profile,
        );
        const reference = {
          numenta: { standard: 71.36, reward_low_FP_rate: 65.37, reward_low_FN_rate: 75.28 },
          windowedGaussian: {
            standard: 41.51,
            reward_low_FP_rate: 16.53,
            reward_low_FN_rate: 51.37,
          },
        }[detector as 'numenta' | 'windowedGaussian'][name];
        expect(best.normalized).toBeCloseTo(reference, 2);
      },
    );
  },
);
