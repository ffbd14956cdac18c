import { describe, expect, it } from 'vitest';
import { DEFAULT_METRIC_DETECTOR_CONFIG } from './detector-config.js';
import { SeriesDetector } from './series-detector.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5);
const THRESHOLD = DEFAULT_METRIC_DETECTOR_CONFIG.threshold;

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

interface Run {
  scores: number[];
  reasons: string[];
  kinds: string[];
}

function run(values: readonly number[], times?: readonly number[]): Run {
  const d = new SeriesDetector();
  const out: Run = { scores: [], reasons: [], kinds: [] };
  values.forEach((v, i) => {
    out.scores.push(d.push(times?.[i] ?? T0 + i * 5 * MIN, v));
    out.reasons.push(d.reason());
    out.kinds.push(out.reasons.at(-1) ? d.explain().kind : '');
  });
  return out;
}

function noise(n: number, seed: number, level = 50, sd = 2): number[] {
  const g = rng(seed);
  return Array.from({ length: n }, () => level + sd * g());
}

function alerts(r: Run, from = 0, to = r.scores.length): number[] {
  const idx: number[] = [];
  for (let i = from; i < to; i++) if (r.scores[i]! >= THRESHOLD) idx.push(i);
  return idx;
}

describe('SeriesDetector', () => {
  it('is causal: cutting the series after t changes no score or reason up to t', () => {
    const values = noise(3000, 1);
    values[1500] = 90;
    for (let i = 2000; i < 3000; i++) values[i] = values[i]! + 20;
    const full = run(values);
    for (const cut of [100, 1499, 1500, 2100, 2999]) {
      const part = run(values.slice(0, cut + 1));
      expect(part.scores).toEqual(full.scores.slice(0, cut + 1));
      expect(part.reasons).toEqual(full.reasons.slice(0, cut + 1));
    }
  });

  it('keeps constant memory per series', () => {
    const size = (d: SeriesDetector) => {
      let bytes = 0;
      const walk = (o: object, depth: number) => {
        for (const v of Object.values(o)) {
          if (ArrayBuffer.isView(v)) bytes += v.byteLength;
          else if (v !== null && typeof v === 'object' && depth < 3) walk(v as object, depth + 1);
          else bytes += 8;
        }
      };
      walk(d, 0);
      return bytes;
    };
    const d = new SeriesDetector();
    const g = rng(2);
    for (let i = 0; i < 2_000; i++) d.push(T0 + i * MIN, g());
    const early = size(d);
    for (let i = 2_000; i < 300_000; i++) d.push(T0 + i * MIN, g() * (1 + (i % 977 === 0 ? 9 : 0)));
    expect(size(d)).toBe(early);
    expect(early).toBeLessThan(64 * 1024);
  });

  it('flags a spike and says how far above the baseline it is', () => {
    const values = noise(2000, 3);
    values[1500] = 75;
    const r = run(values);
    expect(r.scores[1500]).toBeGreaterThanOrEqual(THRESHOLD);
    expect(r.kinds[1500]).toBe('spike');
    expect(r.reasons[1500]).toMatch(
      /^value 75 is 2\d(\.\d)? above its recent baseline (49|50)(\.\d)?, \d+\.\d× the largest rise seen before \(\d+(\.\d+)?\)$/,
    );
  });

  it('flags a dip', () => {
    const values = noise(2000, 4);
    values[1600] = 20;
    const r = run(values);
    expect(r.kinds[1600]).toBe('dip');
    expect(r.reasons[1600]).toMatch(/^value 20 is \d+(\.\d)? below its recent baseline/);
  });

  it('flags a level shift as it starts', () => {
    const values = noise(3000, 5, 10, 0.5);
    for (let i = 2000; i < 3000; i++) values[i] = values[i]! + 5;
    const r = run(values);
    expect(alerts(r, 1990, 2100)[0]).toBe(2000);
  });

  it('the aftermath of a reported anomaly alerts again only when clearly worse', () => {
    const values = noise(2000, 13);
    values[1500] = 80;
    values[1502] = 84;
    values[1504] = 200;
    const r = run(values);
    expect(alerts(r, 1490, 1520)).toEqual([1500, 1504]);
  });

  it('learns a daily pattern: its normal swings are quiet, a missing swing is flagged', () => {
    const g = rng(6);
    const perDay = 288;
    const values: number[] = [];
    for (let i = 0; i < perDay * 12; i++) {
      const hour = ((i % perDay) / perDay) * 24;
      const busy = hour >= 9 && hour < 17 && !(i >= perDay * 10 && i < perDay * 11);
      values.push((busy ? 80 : 20) + g());
    }
    const r = run(values);
    expect(alerts(r, perDay * 4, perDay * 10), 'no alert on ordinary days').toEqual([]);
    const missing = alerts(r, perDay * 10 + 9 * 12, perDay * 10 + 17 * 12);
    expect(missing.length).toBeGreaterThan(0);
    expect(r.reasons[missing[0]!]).toMatch(/daily pattern/);
  });

  it('learns a weekly pattern: quiet weekends are normal, a quiet Monday is not', () => {
    const g = rng(14);
    const perDay = 288;
    const values: number[] = [];
    const times: number[] = [];
    for (let i = 0; i < perDay * 7 * 6; i++) {
      const t = T0 + i * 5 * MIN; // T0 is a Monday
      const day = new Date(t).getUTCDay();
      const hour = new Date(t).getUTCHours();
      const quiet = day === 0 || day === 6 || (i >= perDay * 35 && i < perDay * 36);
      values.push((quiet ? 20 : hour >= 9 && hour < 17 ? 80 : 30) + g());
      times.push(t);
    }
    const r = run(values, times);
    expect(alerts(r, perDay * 15, perDay * 35), 'weeks 3-5 are ordinary').toEqual([]);
    const monday = alerts(r, perDay * 35 + 9 * 12, perDay * 35 + 17 * 12);
    expect(monday.length).toBeGreaterThan(0);
    expect(r.reasons[monday[0]!]).toMatch(
      /^value (19|2\d)(\.\d)? is \d+(\.\d)? deviations below its weekly pattern [78]\d(\.\d)? \(same weekday and time in previous weeks\)$/,
    );
  });

  it('flags a value stuck for longer than any repeat before', () => {
    const values = noise(4000, 7).map((v) => Math.round(v));
    for (let i = 3000; i < 3300; i++) values[i] = 48;
    const r = run(values);
    const stuck = r.reasons.slice(3000, 3300).find((s) => s.startsWith('value stuck'));
    expect(stuck).toMatch(
      /^value stuck at 48 for \d+h( \d+m)?, longer than any repeat seen before \(\d+m\)$/,
    );
    // one alert for the run, however long it lasts (it was one every 13 intervals: a gauge frozen
    // for hours gave hundreds), and again for a later run that outlasts the record
    expect(alerts(r, 3000, 3300).filter((i) => r.kinds[i] === 'stuck')).toHaveLength(1);
    const longer = [...values, ...noise(6000, 8).map((v) => Math.round(v))];
    for (let i = 4000; i < 10_000; i++) longer[i] = 52;
    const again = run(longer);
    expect(alerts(again, 3000, 3300).filter((i) => again.kinds[i] === 'stuck')).toHaveLength(1);
    expect(alerts(again, 4000, 10_000).filter((i) => again.kinds[i] === 'stuck')).toHaveLength(1);
  });

  it('a flat line scores 0 everywhere, and its first change is an anomaly', () => {
    const values = Array.from({ length: 3000 }, () => 45);
    const r = run(values);
    expect(Math.max(...r.scores)).toBe(0);
    const bumped = run([...values, 46, 45, 45]);
    expect(bumped.scores.every(Number.isFinite)).toBe(true);
    expect(bumped.scores[3000]).toBeGreaterThanOrEqual(THRESHOLD);
  });

  it('flags a change of variance', () => {
    const g = rng(15);
    const values = Array.from({ length: 4000 }, (_, i) => 50 + (i >= 3000 ? 3 : 1) * g());
    const r = run(values);
    expect(alerts(r, 1000, 3000).length).toBeLessThanOrEqual(3);
    const after = alerts(r, 3000, 3100);
    expect(after.length).toBeGreaterThan(0);
    expect(after.length).toBeLessThan(20);
    expect(
      r.reasons
        .slice(3000, 3200)
        .some((x) => /amid variability \d+\.\d× its usual$|^variability up/.test(x)),
    ).toBe(true);
  });

  it('follows a trend without alarming on it', () => {
    const g = rng(16);
    const r = run(Array.from({ length: 10_000 }, (_, i) => 10 + 0.01 * i + g()));
    expect(alerts(r, 1000).length).toBeLessThanOrEqual(10);
  });

  it('stays quiet on plain noise', () => {
    const r = run(noise(20_000, 8));
    expect(alerts(r, 1000).length).toBeLessThanOrEqual(20);
  });

  it('handles irregular sampling and gaps', () => {
    const g = rng(9);
    const times: number[] = [];
    let t = T0;
    for (let i = 0; i < 3000; i++) {
      t += MIN * (i === 1800 ? 600 : 1 + Math.floor(Math.abs(g()) * 3));
      times.push(t);
    }
    const values = noise(3000, 10);
    values[2500] = 90;
    const r = run(values, times);
    expect(r.scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    expect(r.kinds[2500]).toBe('spike');
  });

  it('scores are in [0, 1] even for extreme magnitudes', () => {
    const values = noise(2000, 11, 1e12, 1e9);
    values[1500] = 1e300;
    values[1600] = -Number.MAX_VALUE;
    values[1700] = Number.MAX_VALUE;
    const r = run(values);
    expect(r.scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    expect(
      r.scores.slice(1800).some((s) => s >= THRESHOLD),
      'no alert storm after the extreme values',
    ).toBe(false);
    expect(r.scores[1500]).toBeGreaterThanOrEqual(THRESHOLD);
  });
});
