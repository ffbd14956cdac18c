import { describe, expect, it } from 'vitest';
import type { EdgeStats } from '../../../domain/telemetry-aggregates.js';
import { DEFAULT_INSIGHT_CONFIG as C } from '../insight-config.js';
import { signalContext } from './context.js';
import { binomialTail, networkSignals, slowedChance } from './network.js';
import type { EvidenceInput } from './signal.js';

const M = 60_000;
const T = 1_700_000_040_000 - (1_700_000_040_000 % M);
const minutes = Array.from({ length: 70 }, (_, i) => i - 60);

/** Calls on caller → callee for minutes [-60, 10), `gap(m)` ms outside the callee's spans. */
const path = (caller: string, callee: string, gap: (m: number) => number): EdgeStats[] =>
  minutes.map((m) => ({
    caller,
    callee,
    bucketMs: T + m * M,
    calls: 20,
    errors: 0,
    gapP50Ms: gap(m),
  }));

const found = (calls: EdgeStats[]) =>
  networkSignals(
    signalContext(
      {
        window: { fromMs: T, toMs: T + 10 * M },
        atMs: T,
        logs: [],
        spans: [],
        findings: [],
        calls,
      } satisfies EvidenceInput,
      C,
    ),
  );

describe('binomialTail', () => {
  it('is the chance of at least k successes in n trials of chance p', () => {
    expect(binomialTail(0, 5, 0.1)).toBe(1);
    expect(binomialTail(6, 5, 0.1)).toBe(0);
    expect(binomialTail(1, 1, 0.3)).toBeCloseTo(0.3, 12);
    expect(binomialTail(2, 3, 0.5)).toBeCloseTo(0.5, 12);
    expect(binomialTail(3, 3, 0.5)).toBeCloseTo(0.125, 12);
    // against the sum of the probabilities from k to n
    const choose = (n: number, k: number): number =>
      k === 0 ? 1 : (choose(n, k - 1) * (n - k + 1)) / k;
    const direct = (k: number, n: number, p: number) =>
      Array.from(
        { length: n - k + 1 },
        (_, i) => choose(n, k + i) * p ** (k + i) * (1 - p) ** (n - k - i),
      ).reduce((a, b) => a + b, 0);
    for (const [k, n, p] of [
      [1, 10, 0.01],
      [2, 10, 0.05],
      [4, 10, 0.3],
      [7, 20, 0.2],
    ] as const)
      expect(binomialTail(k, n, p)).toBeCloseTo(direct(k, n, p), 12);
  });
});

describe('slowedChance: how likely so many buckets this slow, by the reference alone', () => {
  const bucket = (calls: number, gapP50Ms: number): EdgeStats => ({
    caller: 'a',
    callee: 'b',
    bucketMs: 0,
    calls,
    errors: 0,
    gapP50Ms,
  });
  const usual = Array.from({ length: 59 }, (_, i) => bucket(20, 3 + (i % 3)));
  it('is the chance of a bucket as slow, from how many reference buckets were (half a bucket added each side)', () => {
    expect(slowedChance([bucket(20, 100)], 1, usual)).toBeCloseTo(0.5 / 60, 12);
    expect(slowedChance([bucket(20, 100)], 1, [...usual, bucket(20, 50)])).toBeCloseTo(
      0.5 / 61,
      12,
    );
    expect(slowedChance([bucket(20, 100)], 1, [...usual, bucket(20, 150)])).toBeCloseTo(
      1.5 / 61,
      12,
    );
    expect(slowedChance([bucket(20, 100)], 1, [...usual, bucket(20, 100)])).toBeCloseTo(
      1.5 / 61,
      12,
    );
    // one slowed bucket of the window's ten: ten chances to see it
    expect(slowedChance([bucket(20, 100)], 10, usual)).toBeCloseTo(
      binomialTail(1, 10, 0.5 / 60),
      12,
    );
  });
  it('judges a bucket of few calls against the reference buckets of as few: few such, little said', () => {
    const thin = [...usual, bucket(3, 4)];
    // 3 calls: one reference bucket of at most 3 calls, not as slow
    expect(slowedChance([bucket(3, 100)], 1, thin)).toBeCloseTo(0.5 / 2, 12);
    expect(slowedChance([bucket(20, 100)], 1, thin)).toBeCloseTo(0.5 / 61, 12);
  });
  it('several slowed buckets: the least likely count of them as unlikely as the j-th', () => {
    const two = [bucket(20, 100), bucket(20, 90)];
    expect(slowedChance(two, 10, usual)).toBeCloseTo(binomialTail(2, 10, 0.5 / 60), 12);
    expect(slowedChance([], 10, usual)).toBe(1);
  });
});

describe('network signals: how sure a slowed path is comes from its own reference', () => {
  it('the same slowed minutes say less on a path whose reference was as slow before', () => {
    // both paths usually spend 4 ms outside the callee and take 150 ms in window minutes 2 and 3;
    // the noisy one also took 200 ms in 10 of its 60 reference minutes
    const slowed = (m: number) => (m === 2 || m === 3 ? 150 : 4);
    const steady = found(path('web', 'steady', slowed));
    const noisy = found(path('web', 'noisy', (m) => (m < 0 && m % 6 === 0 ? 200 : slowed(m))));
    expect(steady).toHaveLength(1);
    expect(noisy).toHaveLength(1);
    expect(noisy[0]!.service).toBe('noisy');
    const sure = (asSlow: number) => 1 - binomialTail(2, 10, (asSlow + 0.5) / 61);
    expect(noisy[0]!.signal.score / steady[0]!.signal.score).toBeCloseTo(sure(10) / sure(0), 9);
    expect(sure(10)).toBeLessThan(0.6);
    expect(sure(0)).toBeGreaterThan(0.99);
  });

  it('a path slowed in most window minutes is sure however noisy its reference', () => {
    const noisyThenSlow = (m: number) => (m < 0 ? (m % 6 === 0 ? 200 : 4) : m >= 1 ? 150 : 4);
    const [x] = found(path('web', 'api', noisyThenSlow));
    const [y] = found(path('web', 'api', (m) => (m >= 1 ? 150 : 4)));
    expect(x!.signal.score / y!.signal.score).toBeGreaterThan(0.99);
  });

  it('a minute of three calls this slow is not sure when the reference has hardly any minute so thin', () => {
    // 20 calls a minute, 3 in minute 2 (which took 150 ms): the one thin reference minute says little
    const thin = path('web', 'api', (m) => (m === 2 ? 150 : 4)).map((r) =>
      r.bucketMs === T + 2 * M || r.bucketMs === T - 30 * M ? { ...r, calls: 3 } : r,
    );
    const [x] = found(thin);
    const [y] = found(path('web', 'api', (m) => (m === 2 ? 150 : 4)));
    expect(x!.signal.score / y!.signal.score).toBeCloseTo(
      (1 - binomialTail(1, 10, 0.5 / 2)) / (1 - binomialTail(1, 10, 0.5 / 61)),
      9,
    );
  });
});
