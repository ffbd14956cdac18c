import { parseTimeValue } from '../timestamp.js';
import type { LineFormat, ParsedLine } from './parsed-line.js';

/**
 * CSV exports of logs (Grafana/Loki, Elastic, Datadog, data sets): a header row names the
 * columns, one of them holds the log line (`log`, `message`, `msg`, `line`, `_raw`, …). The
 * cell is parsed again by the inner format (often container-runtime JSON); time and service
 * come from their columns when the inner line has none. The header row itself is skipped.
 */
const MESSAGE_COLUMNS = [
  'log',
  'message',
  'msg',
  'line',
  '_raw',
  'body',
  'content',
  'text',
  'event',
];
const TIME_COLUMNS = [
  'timestamp',
  'time',
  '@timestamp',
  'ts',
  'date',
  'datetime',
  'timeunixnano',
  '_time',
];
const SERVICE_COLUMNS = [
  'service',
  'service.name',
  'app',
  'application',
  'podname',
  'pod',
  'pod_name',
  'container',
  'container_name',
  'host',
];

/** Splits one CSV row (RFC 4180 quoting, "" escapes); undefined when a quote is left open. */
export function splitCsvRow(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      let v = '';
      let from = i + 1;
      let j = from;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return undefined;
        if (line.charCodeAt(q + 1) === 34) {
          v += line.slice(from, q + 1);
          j = q + 2;
          from = j;
          continue;
        }
        v += line.slice(from, q);
        i = q + 1;
        break;
      }
      out.push(v);
    } else {
      const c = line.indexOf(',', i);
      const end = c < 0 ? n : c;
      out.push(line.slice(i, end));
      i = end;
    }
    if (i >= n) return out;
    if (line.charCodeAt(i) !== 44) return undefined;
    i++;
  }
}

/** Recognises a CSV header row naming a message column; returns the format for its rows. */
export function csvFormatFromHeader(header: string, dateReference: number): LineFormat | undefined {
  const cols = splitCsvRow(header.trim());
  if (
    cols === undefined ||
    cols.length < 2 ||
    cols.some((c) => !/^[A-Za-z_@][\w.@ -]{0,63}$/.test(c))
  )
    return undefined;
  const lower = cols.map((c) => c.toLowerCase());
  const msg = firstIndex(lower, MESSAGE_COLUMNS);
  if (msg < 0) return undefined;
  const time = firstIndex(lower, TIME_COLUMNS);
  const service = firstIndex(lower, SERVICE_COLUMNS);
  return {
    name: 'csv',
    parse(line) {
      if (line === header) return skipped(line);
      const cells = splitCsvRow(line);
      if (cells === undefined || cells.length !== cols.length) return undefined;
      const out: ParsedLine = {
        timeMs: time < 0 ? undefined : parseTimeValue(cells[time], dateReference),
        severity: 0,
        severityText: undefined,
        message: cells[msg]!,
        hasHeader: true,
        service: service < 0 || cells[service] === '' ? undefined : cells[service],
        logger: undefined,
        stream: undefined,
        partial: false,
      };
      return out;
    },
  };
}

function firstIndex(cols: readonly string[], names: readonly string[]): number {
  for (const name of names) {
    const i = cols.indexOf(name);
    if (i >= 0) return i;
  }
  return -1;
}

function skipped(line: string): ParsedLine {
  return {
    timeMs: undefined,
    severity: 0,
    severityText: undefined,
    message: line,
    hasHeader: true,
    service: undefined,
    logger: undefined,
    stream: undefined,
    partial: false,
    skip: true,
  };
}
