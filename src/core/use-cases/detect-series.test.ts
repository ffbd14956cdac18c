import { describe, expect, it } from 'vitest';
import { SeriesDetection } from './detect-series.js';
import type { ScoredRow } from './detect-series.js';

function feed(lines: readonly string[]) {
  const rows: ScoredRow[] = [];
  const d = new SeriesDetection((r) => rows.push(r));
  lines.forEach((l, i) => {
    d.line(l, i + 1);
  });
  return { rows, summary: d.finish() };
}

const T0 = Date.UTC(2026, 0, 1);
const iso = (i: number) => new Date(T0 + i * 60_000).toISOString().replace('T', ' ').slice(0, 19);

describe('SeriesDetection', () => {
  it('keeps every row in the output (blank lines aside); bad, out-of-order and duplicate rows are skipped with their line', () => {
    const lines = [
      'timestamp,value',
      `${iso(0)},1`,
      `${iso(1)},x`,
      `${iso(3)},2`,
      `${iso(2)},3`,
      `${iso(3)},4`,
      '',
      `${iso(4)},Infinity`,
      `${iso(5)},5`,
    ];
    const { rows, summary } = feed(lines);
    expect(rows).toHaveLength(7);
    expect(rows.map((r) => r.score === undefined)).toEqual([
      false,
      true,
      false,
      true,
      true,
      true,
      false,
    ]);
    expect(summary.points).toBe(3);
    expect(summary.skipped).toBe(4);
    expect(summary.problems.map((p) => p.line)).toEqual([3, 5, 6, 8]);
    expect(summary.problems[1]!.message).toMatch(/earlier than line 4's; out-of-order row skipped/);
    expect(summary.problems[2]!.message).toMatch(/repeats line 4's; duplicate skipped/);
    expect(rows[1]!.reason).toBe('skipped: value "x" is not a number');
  });

  it('an empty file, a header only, and an unreadable first line are fatal for that file only', () => {
    expect(feed([]).summary.fatal).toBe('the file is empty');
    expect(feed(['', '  ']).summary.fatal).toBe('the file is empty');
    expect(feed(['timestamp,value']).summary.fatal).toBe('no row could be scored (0 skipped)');
    expect(feed(['a;b;c']).summary.fatal).toMatch(/^line 1: expected a header row/);
  });

  it('a single row is scored (0) without complaint', () => {
    const { rows, summary } = feed(['timestamp,value', `${iso(0)},7`]);
    expect(rows[0]!.score).toBe(0);
    expect(summary.fatal).toBeUndefined();
  });

  it('groups close alerts into one anomaly with its start and peak', () => {
    const lines = ['timestamp,value'];
    for (let i = 0; i < 2000; i++)
      lines.push(
        `${iso(i)},${50 + Math.sin(i * 1.7) * 2 + (i >= 1500 && i < 1504 ? 40 + i - 1500 : 0)}`,
      );
    const { summary } = feed(lines);
    expect(summary.anomalies).toHaveLength(1);
    const e = summary.anomalies[0]!;
    expect(e.start.timestamp).toBe(iso(1500));
    expect(e.points).toBeGreaterThanOrEqual(1);
    expect(e.peak.reason).toMatch(/above its recent baseline/);
  });

  it('a spike that lasts is named a level shift, with the levels before and since', () => {
    const lines = ['timestamp,value'];
    for (let i = 0; i < 2000; i++)
      lines.push(`${iso(i)},${(50 + Math.sin(i * 1.7) * 2 + (i >= 1500 ? 30 : 0)).toFixed(2)}`);
    const { summary } = feed(lines);
    const e = summary.anomalies.find((a) => a.start.timestamp === iso(1500))!;
    expect(e.start.kind).toBe('spike');
    expect(e.followUp?.reason).toMatch(
      /^level shift: 5\d(\.\d)? before, 8\d(\.\d)? on average since 2026-01-02 01:00 UTC \(\d+ points\)$/,
    );
  });

  it('a lone spike stays a spike', () => {
    const lines = ['timestamp,value'];
    for (let i = 0; i < 2000; i++)
      lines.push(`${iso(i)},${(50 + Math.sin(i * 1.7) * 2 + (i === 1500 ? 30 : 0)).toFixed(2)}`);
    const e = feed(lines).summary.anomalies.find((a) => a.start.timestamp === iso(1500))!;
    expect(e.followUp).toBeUndefined();
  });

  it('caps the problems kept and counts the rest', () => {
    const lines = ['timestamp,value', ...Array.from({ length: 250 }, (_, i) => `${iso(i)},bad`)];
    const { summary } = feed(lines);
    expect(summary.problems).toHaveLength(100);
    expect(summary.moreProblems).toBe(150);
  });
});
