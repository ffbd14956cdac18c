import { describe, expect, it } from 'vitest';
import { detectLayout, parseRow, parseTimestamp, splitCsv } from './series-format.js';
import type { SeriesLayout } from './series-format.js';

const CSV: SeriesLayout = { kind: 'csv', timeColumn: 0, valueColumn: 1, header: 'timestamp,value' };

describe('series format', () => {
  it('parses NAB, ISO and epoch timestamps (no zone = UTC)', () => {
    const ms = Date.UTC(2014, 3, 10, 7, 15);
    expect(parseTimestamp('2014-04-10 07:15:00')).toBe(ms);
    expect(parseTimestamp('2014-04-10 07:15:00.000000')).toBe(ms);
    expect(parseTimestamp('2014-04-10T09:15:00+02:00')).toBe(ms);
    expect(parseTimestamp('2014-04-10T07:15Z')).toBe(ms);
    expect(parseTimestamp(String(ms / 1000))).toBe(ms);
    expect(parseTimestamp(String(ms))).toBe(ms);
    expect(parseTimestamp(String(ms * 1e6))).toBe(ms);
    expect(parseTimestamp('yesterday')).toBeNaN();
  });

  it('splits quoted CSV cells', () => {
    expect(splitCsv('a,b,c')).toEqual(['a', 'b', 'c']);
    expect(splitCsv('"2014-04-10 07:15:00","1,5",x')).toEqual(['2014-04-10 07:15:00', '1,5', 'x']);
    expect(splitCsv('"say ""hi""",2')).toEqual(['say "hi"', '2']);
    expect(splitCsv('"unterminated,2')).toEqual(['unterminated,2']);
  });

  it('finds the columns by name, in any order, with extra columns and a BOM', () => {
    expect(detectLayout('\uFEFFhost,value,timestamp')).toMatchObject({
      ok: true,
      headerRow: true,
      layout: { kind: 'csv', timeColumn: 2, valueColumn: 1 },
    });
    expect(detectLayout('Time,Y')).toMatchObject({
      ok: true,
      layout: { timeColumn: 0, valueColumn: 1 },
    });
    expect(detectLayout('{"timestamp":1,"value":2}')).toMatchObject({
      ok: true,
      headerRow: false,
      layout: { kind: 'jsonl' },
    });
  });

  it('a missing header is a warning when the first row is data, an error when nothing fits', () => {
    const noHeader = detectLayout('2014-04-10 07:15:00,12.5');
    expect(noHeader).toMatchObject({
      ok: true,
      headerRow: false,
      warning: expect.stringMatching(/no header row/) as unknown,
    });
    expect(detectLayout('when,how much')).toMatchObject({
      ok: true,
      headerRow: true,
      warning: expect.stringMatching(/does not name the columns/) as unknown,
    });
    const bad = detectLayout('a;b;c;d');
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.message).toMatch(/expected a header row naming the columns timestamp,value/);
  });

  it('uses the columns or fields the user names; says which exist when one does not', () => {
    expect(
      detectLayout('Time,TimeStamp,Service,Cpu,Mem', { time: 'timestamp', value: 'mem' }),
    ).toMatchObject({
      ok: true,
      headerRow: true,
      layout: { kind: 'csv', timeColumn: 1, valueColumn: 4 },
    });
    expect(detectLayout('Time,Cpu', { value: 'gpu' })).toEqual({
      ok: false,
      message: 'no column "gpu" in the header (columns: Time, Cpu)',
    });
    const wide = detectLayout('Time,TimeStamp,Cpu,Mem');
    expect(wide.ok).toBe(false);
    if (!wide.ok)
      expect(wide.message).toMatch(
        /; name the columns to use with --time <column> --value <column> \(columns: Time, TimeStamp, Cpu, Mem\)$/,
      );
    const j = detectLayout('{"t":1,"cpu":2}', { time: 't', value: 'cpu' });
    expect(j).toMatchObject({ ok: true, layout: { kind: 'jsonl', timeKey: 't', valueKey: 'cpu' } });
    if (j.ok) {
      expect(parseRow(j.layout, '{"t":1397114100,"cpu":2.5}')).toMatchObject({ ok: true, x: 2.5 });
      expect(parseRow(j.layout, '{"t":1397114100,"mem":2.5}')).toMatchObject({
        ok: false,
        message: 'no "cpu" field',
      });
    }
  });

  it('rejects bad rows with the reason', () => {
    const msg = (line: string, layout: SeriesLayout = CSV) => {
      const r = parseRow(layout, line);
      return r.ok ? 'ok' : r.message;
    };
    expect(msg('2014-04-10 07:15:00,12.5')).toBe('ok');
    expect(msg('2014-04-10 07:15:00,abc')).toBe('value "abc" is not a number');
    expect(msg('2014-04-10 07:15:00,NaN')).toBe('value "NaN" is not a finite number');
    expect(msg('2014-04-10 07:15:00,-Infinity')).toBe('value "-Infinity" is not a finite number');
    expect(msg('2014-04-10 07:15:00,1e999')).toBe(
      'value "1e999" is too large to be a finite number',
    );
    expect(msg('2014-04-10 07:15:00,')).toBe('the value is empty');
    expect(msg('2014-04-10 07:15:00,0x10')).toBe('value "0x10" is not a number');
    expect(msg('not a time,1')).toBe(
      'timestamp "not a time" is not a date-time or an epoch number',
    );
    expect(msg('2014-04-10 07:15:00')).toBe('expected 2 columns as in the header, found 1');
    const J: SeriesLayout = { kind: 'jsonl' };
    expect(msg('{"timestamp":"2014-04-10 07:15:00","value":3}', J)).toBe('ok');
    expect(msg('{"ts":1397114100,"y":"3.5"}', J)).toBe('ok');
    expect(msg('{"timestamp":"2014-04-10 07:15:00","value":null}', J)).toBe(
      '"value" is null, expected a number',
    );
    expect(msg('{"timestamp":"2014-04-10 07:15:00"}', J)).toBe('no "value" field');
    expect(msg('{"timestamp":', J)).toBe('not valid JSON');
    expect(msg('[1,2]', J)).toBe('expected a JSON object {"timestamp":…,"value":…}');
  });
});
