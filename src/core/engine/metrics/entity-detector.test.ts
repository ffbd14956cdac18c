import { describe, expect, it } from 'vitest';
import { EntityDetector } from './entity-detector.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5);

/** Deterministic noise (mulberry32 + Box-Muller). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
}

/** rows × width of noise around 50 (sd 2); metric 0 also has a routine burst every 97 rows. */
function machine(rows: number, width: number, seed: number): number[][] {
  const g = rng(seed);
  return Array.from({ length: rows }, (_, r) =>
    Array.from({ length: width }, (_, k) => 50 + 2 * g() + (k === 0 && r % 97 === 0 ? 30 : 0)),
  );
}

interface Run {
  scores: number[];
  ranked: number[][];
  reasons: string[];
}

function run(rows: readonly number[][], names?: string[]): Run {
  const d = new EntityDetector(rows[0]!.length);
  const out: Run = { scores: [], ranked: [], reasons: [] };
  rows.forEach((row, i) => {
    out.scores.push(d.push(T0 + i * MIN, row));
    out.ranked.push(d.ranked().slice(0, 3));
    out.reasons.push(d.reason(names));
  });
  return out;
}

describe('EntityDetector', () => {
  it('is causal: cutting the rows after t changes no score, ranking or reason up to t', () => {
    const rows = machine(3000, 4, 1);
    rows[2000]![2] = 90;
    const full = run(rows);
    for (const cut of [100, 1999, 2000, 2500]) {
      const part = run(rows.slice(0, cut + 1));
      expect(part.scores).toEqual(full.scores.slice(0, cut + 1));
      expect(part.ranked).toEqual(full.ranked.slice(0, cut + 1));
      expect(part.reasons).toEqual(full.reasons.slice(0, cut + 1));
    }
  });

  it('keeps constant memory per entity', () => {
    const size = (d: EntityDetector) => {
      let bytes = 0;
      const walk = (o: object, depth: number) => {
        for (const v of Object.values(o)) {
          if (ArrayBuffer.isView(v)) bytes += v.byteLength;
          else if (v !== null && typeof v === 'object' && depth < 5) walk(v as object, depth + 1);
          else bytes += 8;
        }
      };
      walk(d, 0);
      return bytes;
    };
    const d = new EntityDetector(5);
    const rows = machine(20_000, 5, 2);
    rows.slice(0, 2000).forEach((r, i) => d.push(T0 + i * MIN, r));
    const early = size(d);
    rows.slice(2000).forEach((r, i) => d.push(T0 + (2000 + i) * MIN, r));
    expect(size(d)).toBe(early);
  });

  it('a shift of one metric makes the row abnormal and ranks that metric first', () => {
    const rows = machine(3000, 5, 3);
    for (let r = 2500; r < 2520; r++) rows[r]![3] = rows[r]![3]! + 25;
    const out = run(rows, ['cpu', 'mem', 'disk', 'net', 'io']);
    const quiet = Math.max(...out.scores.slice(1500, 2500));
    expect(out.scores[2500]!).toBeGreaterThan(quiet);
    expect(out.ranked[2500]![0]).toBe(3);
    expect(out.reasons[2500]).toMatch(/^net: /);
  });

  it('a metric that often bursts does not outrank a calm one that moves for the first time', () => {
    const rows = machine(3000, 3, 4);
    // at row 2522 metric 0 has its routine burst (2522 = 26 × 97) and metric 1 rises by 6 sd
    rows[2522]![1] = rows[2522]![1]! + 12;
    const out = run(rows);
    expect(out.ranked[2522]![0]).toBe(1);
    // and a routine burst alone is not news: lower than the calm metric's first move
    expect(out.scores[2425]!).toBeLessThan(out.scores[2522]!);
  });

  it('held after a normal stretch, a lasting anomaly stays surprising; learning, it fades', () => {
    const rows = machine(6000, 3, 7);
    for (let r = 3000; r < 6000; r++) rows[r]![2] = rows[r]![2]! * (r % 2 === 0 ? 1.3 : 0.7);
    const learning = new EntityDetector(3);
    const held = new EntityDetector(3, undefined, { baseline: true });
    const late = { learning: 0, held: 0 };
    rows.forEach((row, i) => {
      if (i === 3000) held.holdCalibration();
      const a = learning.push(T0 + i * MIN, row);
      const b = held.push(T0 + i * MIN, row);
      if (i >= 5000) {
        late.learning += a;
        late.held += b;
      }
    });
    expect(late.held).toBeGreaterThan(1.5 * late.learning);
  });

  it('reasons name the abnormal metrics and say how many others are normal', () => {
    const rows = machine(3000, 6, 5);
    for (let r = 2600; r < 2700; r++) rows[r]![4] = rows[r]![4]! + 40;
    const out = run(rows, ['cpu', 'mem', 'disk', 'net', 'load', 'io']);
    expect(out.reasons[2600]).toMatch(/^load: .*above/);
    expect(out.reasons[2600]).toMatch(/5 other metrics normal$/);
    expect(out.reasons[1000]).toBe('');
  });

  it('a missing value (NaN) scores that metric 0 for the row and breaks nothing', () => {
    const rows = machine(2000, 3, 6);
    rows[1500]![1] = NaN;
    const out = run(rows);
    expect(out.scores.every((s) => Number.isFinite(s) && s >= 0)).toBe(true);
  });

  it('the first n ranked are the full ranking cut at n (ties in index order)', () => {
    const rows = machine(2600, 9, 8);
    rows[2500]![5] = 95;
    rows[2500]![2] = 80;
    const d = new EntityDetector(9);
    rows.forEach((row, i) => {
      d.push(T0 + i * MIN, row);
      if (i % 50 === 0 || i === 2500)
        for (const n of [1, 3, 5, 8]) expect(d.ranked(n)).toEqual(d.ranked().slice(0, n));
    });
  });

  it('refuses a row of the wrong width', () => {
    const d = new EntityDetector(3);
    expect(() => d.push(T0, [1, 2])).toThrow(/3 metrics/);
  });
});
