/**
 * Reading `timestamp,value` series: CSV with a header row (the columns may be named timestamp,
 * time, ts, date or datetime and value, val, y or metric; other columns are carried along and
 * ignored), or JSON lines with the same field names. Pure string work: the adapter feeds lines.
 */
import { clip as clipText } from '../../domain/text.js';

export const TIME_NAMES = ['timestamp', 'time', 'ts', 'date', 'datetime'];
const VALUE_NAMES = ['value', 'val', 'y', 'metric'];
export const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;
const EPOCH = /^\d+(?:\.\d+)?$/;
const ISO_LIKE = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d(?::\d\d(?:\.\d+)?)?)(Z|[+-]\d\d:?\d\d)?$/;

export type SeriesLayout =
  | { kind: 'csv'; timeColumn: number; valueColumn: number; header: string }
  | { kind: 'jsonl'; timeKey?: string; valueKey?: string };

/** Columns (CSV) or fields (JSON lines) the user named, instead of the usual names. */
export interface SeriesColumns {
  time?: string;
  value?: string;
}

export type LayoutResult =
  | { ok: true; layout: SeriesLayout; headerRow: boolean; warning?: string }
  | { ok: false; message: string };

export type RowResult =
  | { ok: true; t: number; x: number; timestamp: string; value: string }
  | { ok: false; message: string; timestamp: string; value: string };

/** Epoch ms from an ISO-like date-time (no zone = UTC) or an epoch number (s, ms, µs or ns by size). */
export function parseTimestamp(s: string): number {
  if (EPOCH.test(s)) {
    const n = Number(s);
    return n < 1e11 ? n * 1000 : n < 1e14 ? n : n < 1e17 ? n / 1000 : n / 1e6;
  }
  const m = ISO_LIKE.exec(s);
  if (m !== null) return Date.parse(`${m[1]!}T${m[2]!}${m[3] ?? 'Z'}`);
  return Date.parse(s);
}

/** Splits one CSV line; fields may be quoted ("a,b" and "" inside quotes). */
export function splitCsv(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line.charCodeAt(i) === 34) {
      let v = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) {
          v += line.slice(j);
          j = line.length;
          break;
        }
        v += line.slice(j, q);
        if (line.charCodeAt(q + 1) === 34) {
          v += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      out.push(v);
      const comma = line.indexOf(',', j);
      if (comma < 0) break;
      i = comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        out.push(line.slice(i));
        break;
      }
      out.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
  return out;
}

export function findColumn(cells: readonly string[], names: readonly string[]): number {
  const lower = cells.map((c) => c.trim().toLowerCase());
  for (const n of names) {
    const i = lower.indexOf(n);
    if (i >= 0) return i;
  }
  return -1;
}

/** Decides the layout from the first non-empty line. */
export function detectLayout(first: string, columns: SeriesColumns = {}): LayoutResult {
  const line = first.charCodeAt(0) === 0xfeff ? first.slice(1) : first;
  if (line.trimStart().startsWith('{'))
    return {
      ok: true,
      layout: {
        kind: 'jsonl',
        ...(columns.time === undefined ? {} : { timeKey: columns.time }),
        ...(columns.value === undefined ? {} : { valueKey: columns.value }),
      },
      headerRow: false,
    };
  const cells = splitCsv(line);
  const tc = findColumn(
    cells,
    columns.time === undefined ? TIME_NAMES : [columns.time.toLowerCase()],
  );
  const vc = findColumn(
    cells,
    columns.value === undefined ? VALUE_NAMES : [columns.value.toLowerCase()],
  );
  const named = cells.map((c) => c.trim()).join(', ');
  for (const [asked, at] of [
    [columns.time, tc],
    [columns.value, vc],
  ] as const) {
    if (asked !== undefined && at < 0)
      return { ok: false, message: `no column "${asked}" in the header (columns: ${clip(named)})` };
  }
  if (tc >= 0 && vc >= 0)
    return {
      ok: true,
      layout: { kind: 'csv', timeColumn: tc, valueColumn: vc, header: line },
      headerRow: true,
    };
  if (
    cells.length === 2 &&
    !Number.isNaN(parseTimestamp(cells[0]!.trim())) &&
    NUMBER.test(cells[1]!.trim())
  ) {
    return {
      ok: true,
      layout: { kind: 'csv', timeColumn: 0, valueColumn: 1, header: 'timestamp,value' },
      headerRow: false,
      warning: 'no header row; reading the two columns as timestamp,value',
    };
  }
  if (cells.length === 2 && tc < 0 && vc < 0 && !NUMBER.test(cells[1]!.trim())) {
    return {
      ok: true,
      layout: { kind: 'csv', timeColumn: 0, valueColumn: 1, header: line },
      headerRow: true,
      warning: `header "${clip(line)}" does not name the columns timestamp,value; reading the first as the time and the second as the value`,
    };
  }
  const choose =
    cells.length > 2
      ? `; name the columns to use with --time <column> --value <column> (columns: ${clip(named)})`
      : '';
  return {
    ok: false,
    message: `expected a header row naming the columns timestamp,value (or JSON lines {"timestamp":…,"value":…}), found "${clip(line)}"${choose}`,
  };
}

function clip(s: string): string {
  return clipText(s, 78);
}

function checkValue(timestamp: string, value: string): RowResult {
  const v = value.trim();
  const ts = timestamp.trim();
  if (ts === '') return { ok: false, message: 'the timestamp is empty', timestamp, value };
  const t = parseTimestamp(ts);
  if (!Number.isFinite(t))
    return {
      ok: false,
      message: `timestamp "${clip(ts)}" is not a date-time or an epoch number`,
      timestamp,
      value,
    };
  if (v === '') return { ok: false, message: 'the value is empty', timestamp, value };
  if (NUMBER.test(v)) {
    const x = Number(v);
    if (Number.isFinite(x)) return { ok: true, t, x, timestamp, value };
    return {
      ok: false,
      message: `value "${clip(v)}" is too large to be a finite number`,
      timestamp,
      value,
    };
  }
  if (NON_FINITE.test(v))
    return { ok: false, message: `value "${v}" is not a finite number`, timestamp, value };
  return { ok: false, message: `value "${clip(v)}" is not a number`, timestamp, value };
}

/** One data row under a layout. */
export function parseRow(layout: SeriesLayout, line: string): RowResult {
  if (layout.kind === 'csv') {
    const cells = splitCsv(line);
    const need = Math.max(layout.timeColumn, layout.valueColumn) + 1;
    if (cells.length < need)
      return {
        ok: false,
        message: `expected ${need} columns as in the header, found ${cells.length}`,
        timestamp: cells[layout.timeColumn] ?? '',
        value: cells[layout.valueColumn] ?? '',
      };
    return checkValue(cells[layout.timeColumn]!, cells[layout.valueColumn]!);
  }
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return { ok: false, message: 'not valid JSON', timestamp: '', value: '' };
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o))
    return {
      ok: false,
      message: 'expected a JSON object {"timestamp":…,"value":…}',
      timestamp: '',
      value: '',
    };
  const rec = o as Record<string, unknown>;
  const key = (names: readonly string[]) => names.find((n) => n in rec);
  const tk = layout.timeKey ?? key(TIME_NAMES);
  const vk = layout.valueKey ?? key(VALUE_NAMES);
  const ts = tk === undefined ? undefined : rec[tk];
  const val = vk === undefined ? undefined : rec[vk];
  const timestamp = typeof ts === 'string' || typeof ts === 'number' ? String(ts) : '';
  const value =
    typeof val === 'number' || typeof val === 'string' ? String(val) : val === null ? 'null' : '';
  if (tk === undefined || !(tk in rec))
    return { ok: false, message: `no "${tk ?? 'timestamp'}" field`, timestamp, value };
  if (vk === undefined || !(vk in rec))
    return { ok: false, message: `no "${vk ?? 'value'}" field`, timestamp, value };
  if (typeof val !== 'number' && typeof val !== 'string')
    return {
      ok: false,
      message: `"${vk}" is ${val === null ? 'null' : typeof val}, expected a number`,
      timestamp,
      value,
    };
  return checkValue(timestamp, value);
}
