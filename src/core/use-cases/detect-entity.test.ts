import { describe, expect, it } from 'vitest';
import { EntityDetection, joinSeries } from './detect-entity.js';
import type { EntityOptions, EntityRow } from './detect-entity.js';

/** Deterministic noise around 50 (sd 2). */
function noise(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    const u = a / 4294967296;
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    const v = a / 4294967296;
    return 50 + 2 * Math.sqrt(-2 * Math.log(u + 1e-12)) * Math.cos(2 * Math.PI * v);
  };
}

function run(lines: string[], options: EntityOptions = {}) {
  const rows: EntityRow[] = [];
  const d = new EntityDetection((r) => rows.push(r), options);
  lines.forEach((l, i) => {
    d.line(l, i + 1);
  });
  return { summary: d.finish(), rows };
}

const T0 = Date.UTC(2026, 0, 5);
function machine(n: number, withTime = true, shiftAt = -1): string[] {
  const g = noise(9);
  const out = [withTime ? 'timestamp,cpu,mem,disk' : 'cpu,mem,disk'];
  for (let r = 0; r < n; r++) {
    const cpu = g() + (r >= shiftAt && shiftAt >= 0 && r < shiftAt + 30 ? 40 : 0);
    const cells = [cpu, g(), g()].map((x) => x.toFixed(3));
    out.push((withTime ? [new Date(T0 + r * 60_000).toISOString(), ...cells] : cells).join(','));
  }
  return out;
}

describe('EntityDetection (detect --entity)', () => {
  it('reads a header with a time column, finds a shift of one metric and names it', () => {
    const { summary } = run(machine(3000, true, 2500));
    expect(summary.metrics).toEqual(['cpu', 'mem', 'disk']);
    expect(summary.timeColumn).toBe('timestamp');
    expect(summary.rows).toBe(3000);
    const a = summary.anomalies.find((x) => x.start === new Date(T0 + 2500 * 60_000).toISOString());
    expect(a).toBeDefined();
    expect(a!.peak.metrics[0]!.metric).toBe('cpu');
    expect(a!.reason).toMatch(/^cpu: /);
    expect(a!.reason).toMatch(/2 other metrics normal$/);
  });

  it('numbers metrics and rows when there is no header and no time column', () => {
    const lines = machine(500, false).slice(1);
    const { summary, rows } = run(lines);
    expect(summary.metrics).toEqual(['metric 1', 'metric 2', 'metric 3']);
    expect(summary.timeColumn).toBeUndefined();
    expect(rows[0]!.timestamp).toBe('row 1');
    expect(rows.at(-1)!.timestamp).toBe('row 500');
  });

  it('a baseline is declared normal: no anomaly inside it, and held after it', () => {
    const lines = machine(3000, true, 100);
    const { summary } = run(lines, { baseline: { rows: 1000 } });
    expect(summary.baselineRows).toBe(1000);
    expect(
      summary.anomalies.every((a) => a.start > new Date(T0 + 999 * 60_000).toISOString()),
    ).toBe(true);
    const byTime = run(lines, { baseline: { ms: 1000 * 60_000 } }).summary;
    expect(byTime.baselineRows).toBe(1000);
    expect(summary.notes).toEqual([]);
    // 100 rows of 3 metrics cannot certify 2.5 decades: said, with the length that would
    expect(run(lines, { baseline: { rows: 100 } }).summary.notes[0]).toMatch(
      /baseline of 100 rows .*\(about 949 rows\)/,
    );
  });

  it('skips bad rows with their line and reason, and keeps going', () => {
    const lines = machine(400);
    lines[10] = 'not a time,1,2,3';
    lines[20] = '2026-01-05T00:00:00.000Z,1,2'; // too few columns
    lines[30] = lines[29]!; // repeats the previous time
    lines[40] = `${new Date(T0).toISOString()},1,2,3`; // out of order
    lines[50] = `${new Date(T0 + 49.5 * 60_000).toISOString()},abc,,NaN`; // bad cells: left out
    const { summary, rows } = run(lines);
    expect(summary.skipped).toBe(4);
    expect(summary.problems.map((p) => p.line)).toEqual([11, 21, 31, 41, 51]);
    expect(summary.problems[0]!.message).toMatch(/not a date-time/);
    expect(summary.problems[1]!.message).toMatch(/expected 4 columns/);
    expect(summary.problems[4]!.message).toMatch(/cpu: "abc" is not a number/);
    expect(summary.missing).toBe(3);
    expect(rows.filter((r) => r.score === undefined)).toHaveLength(4);
    expect(rows.every((r) => r.score === undefined || Number.isFinite(r.score))).toBe(true);
  });

  it('says what is wrong with an unusable first line or an asked column that is missing', () => {
    expect(run(['timestamp'], {}).summary.fatal).toMatch(/no metric column/);
    expect(run(['a,b,c', '1,2,3'], { time: 'when' }).summary.fatal).toMatch(/no column "when"/);
    expect(run(['1,2,3'], { time: 'when' }).summary.fatal).toMatch(/not a header/);
    expect(run([]).summary.fatal).toBe('no rows');
  });

  it('hostile input: huge numbers, a cut line and a BOM do not break it', () => {
    const lines = machine(300);
    lines[0] = '\ufeff' + lines[0]!;
    lines[100] = `${new Date(T0 + 99.5 * 60_000).toISOString()},1e308,-1e308,1e309`;
    const rows: EntityRow[] = [];
    const d = new EntityDetection((r) => rows.push(r));
    lines.forEach((l, i) => {
      d.line(l, i + 1, i === 200);
    });
    const s = d.finish();
    expect(s.metrics[0]).toBe('cpu');
    expect(s.timeColumn).toBe('timestamp');
    expect(s.problems.some((p) => p.line === 201 && /too long/.test(p.message))).toBe(true);
    expect(rows.every((r) => r.score === undefined || Number.isFinite(r.score))).toBe(true);
  });

  it('rows read elsewhere (begin, row) score as the same lines do', () => {
    const lines = machine(3000, true, 2500);
    const fromLines = run(lines);
    const rows: EntityRow[] = [];
    const d = new EntityDetection((r) => rows.push(r));
    d.begin(['cpu', 'mem', 'disk'], 'timestamp');
    lines.slice(1).forEach((l, i) => {
      const [ts, ...cells] = l.split(',');
      d.row(Date.parse(ts!), ts!, cells.map(Number), i + 2);
    });
    const summary = d.finish();
    expect(summary.anomalies).toEqual(fromLines.summary.anomalies);
    expect(rows).toEqual(fromLines.rows);
    // out of order, repeated, and missing cells
    const e = new EntityDetection();
    e.begin(['a', 'b'], 'timestamp');
    e.row(2000, 't2', [1, 2], 1);
    e.row(1000, 't1', [1, 2], 2);
    e.row(2000, 't2', [1, 2], 3);
    e.row(3000, 't3', [NaN, Infinity], 4);
    expect(e.finish()).toMatchObject({
      rows: 2,
      skipped: 2,
      missing: 2,
      problems: [
        { line: 2, message: 'time t1 is not after the row before; row skipped' },
        { line: 3, message: 'time t2 is not after the row before; row skipped' },
      ],
    });
  });
});

describe('joinSeries (a folder of one series per metric)', () => {
  it('one row per distinct time, in order, NaN where a metric has no point then', () => {
    const rows: { t: number; values: number[] }[] = [];
    // values is reused from row to row: read it as it comes
    for (const r of joinSeries([
      { t: [1, 2, 4], x: [10, 20, 40] },
      { t: [2, 3], x: [200, 300] },
      { t: [], x: [] },
    ]))
      rows.push({ t: r.t, values: [...r.values] });
    expect(rows).toEqual([
      { t: 1, values: [10, NaN, NaN] },
      { t: 2, values: [20, 200, NaN] },
      { t: 3, values: [NaN, 300, NaN] },
      { t: 4, values: [40, NaN, NaN] },
    ]);
    expect([...joinSeries([])]).toEqual([]);
  });
});
