import { describe, expect, it } from 'vitest';
import { parseTimeValue, parseTimestampAt } from './timestamp.js';

const at = (s: string, year = 2026) => {
  const m = parseTimestampAt(s, 0, year);
  return m === undefined ? undefined : { iso: new Date(m.ms).toISOString(), end: m.end };
};

describe('parseTimestampAt', () => {
  it.each([
    ['2023-01-29T10:00:00.123456789Z rest', '2023-01-29T10:00:00.123Z', 30],
    ['2023-01-29T10:00:00+02:00 x', '2023-01-29T08:00:00.000Z', 25],
    ['2015-10-18 18:01:47,978 INFO', '2015-10-18T18:01:47.978Z', 23],
    ['2005-06-03-15.42.50.675872 R02', '2005-06-03T15:42:50.675Z', 26],
    ['17/06/09 20:10:40 INFO', '2017-06-09T20:10:40.000Z', 17],
    ['10/Oct/2000:13:55:36 -0700]', '2000-10-10T20:55:36.000Z', 26],
    ['20171223-22:15:29:606|Step', '2017-12-23T22:15:29.606Z', 21],
    ['081109 203615 148 INFO', '2008-11-09T20:36:15.000Z', 13],
    ['Jun 14 15:16:01 combo', '2026-06-14T15:16:01.000Z', 15],
    ['Jun  4 15:16:01 combo', '2026-06-04T15:16:01.000Z', 15],
    ['Sat Jun 18 02:23:10 2005 x', '2005-06-18T02:23:10.000Z', 24],
  ])('%s', (s, iso, end) => {
    expect(at(s)).toEqual({ iso, end });
  });

  it.each(['hello world', '2023-13-45T10:00:00Z', '12:00', 'June is warm', '99999999999', ''])(
    'rejects %s',
    (s) => {
      expect(at(s)).toBeUndefined();
    },
  );
});

describe('dates written without a year (syslog, klog)', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  it('take the latest year that does not put them after now (a day of clock skew allowed)', () => {
    const iso = (s: string) => new Date(parseTimestampAt(s, 0, now)!.ms).toISOString();
    expect(iso('Dec 10 08:00:00 host')).toBe('2025-12-10T08:00:00.000Z');
    expect(iso('Dec  7 11:59:00 host')).toBe('2026-12-07T11:59:00.000Z');
    expect(iso('Dec  8 09:00:00 host')).toBe('2026-12-08T09:00:00.000Z');
    expect(iso('Jun 14 15:16:01 host')).toBe('2026-06-14T15:16:01.000Z');
    expect(iso('Jan  1 00:00:01 host')).toBe('2026-01-01T00:00:01.000Z');
    // a year in the line is kept, in the future or not
    expect(iso('Dec 10 2026 08:00:00 host')).toBe('2026-12-10T08:00:00.000Z');
    expect(iso('Thu Dec 10 08:00:00 2026 host')).toBe('2026-12-10T08:00:00.000Z');
  });
  it("on 1 January, last night's lines are last year's", () => {
    const newYear = Date.parse('2027-01-01T00:05:00Z');
    expect(new Date(parseTimestampAt('Dec 31 23:59:00 h', 0, newYear)!.ms).toISOString()).toBe(
      '2026-12-31T23:59:00.000Z',
    );
  });
  it('a year (below 10,000) is taken as it is: the year of every such date', () => {
    expect(new Date(parseTimestampAt('Dec 10 08:00:00 h', 0, 2026)!.ms).toISOString()).toBe(
      '2026-12-10T08:00:00.000Z',
    );
  });
});

describe('parseTimeValue', () => {
  it('reads epoch seconds, milliseconds, microseconds and nanoseconds by magnitude', () => {
    const ms = Date.UTC(2023, 0, 29, 10);
    expect(parseTimeValue(ms / 1000, 2026)).toBe(ms);
    expect(parseTimeValue(ms, 2026)).toBe(ms);
    expect(parseTimeValue(ms * 1000, 2026)).toBe(ms);
    expect(parseTimeValue(ms * 1e6, 2026)).toBe(ms);
    expect(parseTimeValue(String(ms), 2026)).toBe(ms);
    expect(parseTimeValue('2023-01-29T10:00:00Z', 2026)).toBe(ms);
    expect(parseTimeValue(null, 2026)).toBeUndefined();
    expect(parseTimeValue(-5, 2026)).toBeUndefined();
  });
});
