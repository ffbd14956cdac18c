import { parseSeverity } from '../../../domain/severity.js';
import { parseTimeValue } from '../timestamp.js';
import type { LineFormat, ParsedLine } from './parsed-line.js';

/**
 * logfmt (`time=… level=warn msg="disk almost full" path=/var`): pairs parsed by hand with
 * quoted values and escapes. The message is `msg`/`message`; without one, the line minus the
 * time and level pairs.
 */
export function createLogfmtFormat(dateReference: number): LineFormat {
  return { name: 'logfmt', parse: (line) => parseLogfmtLine(line, dateReference) };
}

export function parseLogfmtPairs(line: string): Map<string, string> | undefined {
  const pairs = new Map<string, string>();
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && line.charCodeAt(i) === 32) i++;
    if (i >= n) break;
    const ks = i;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (c === 61 || c === 32 || c === 34) break;
      i++;
    }
    if (i === ks || line.charCodeAt(i) !== 61) return pairs.size >= 2 ? pairs : undefined;
    const key = line.slice(ks, i);
    i++;
    let value: string;
    if (line.charCodeAt(i) === 34) {
      i++;
      let v = '';
      let start = i;
      while (i < n && line.charCodeAt(i) !== 34) {
        if (line.charCodeAt(i) === 92 && i + 1 < n) {
          v += line.slice(start, i);
          const e = line[i + 1]!;
          v += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          i += 2;
          start = i;
        } else i++;
      }
      if (i >= n) return undefined; // unterminated quote
      value = v + line.slice(start, i);
      i++;
    } else {
      const vs = i;
      while (i < n && line.charCodeAt(i) !== 32) i++;
      value = line.slice(vs, i);
    }
    pairs.set(key, value);
  }
  return pairs.size >= 2 ? pairs : undefined;
}

function parseLogfmtLine(line: string, dateReference: number): ParsedLine | undefined {
  const first = line.indexOf('=');
  if (first <= 0 || first > 40 || line.charCodeAt(0) === 32) return undefined;
  const pairs = parseLogfmtPairs(line);
  if (pairs === undefined) return undefined;
  const levelText = pairs.get('level') ?? pairs.get('lvl') ?? pairs.get('severity');
  const severity = levelText === undefined ? 0 : parseSeverity(levelText);
  const timeRaw = pairs.get('time') ?? pairs.get('ts') ?? pairs.get('t') ?? pairs.get('timestamp');
  const timeMs = timeRaw === undefined ? undefined : parseTimeValue(timeRaw, dateReference);
  let message = pairs.get('msg') ?? pairs.get('message');
  if (message === undefined) {
    const rest: string[] = [];
    for (const [k, v] of pairs) {
      if (
        k !== 'level' &&
        k !== 'lvl' &&
        k !== 'severity' &&
        k !== 'time' &&
        k !== 'ts' &&
        k !== 't' &&
        k !== 'timestamp'
      )
        rest.push(`${k}=${v}`);
    }
    message = rest.join(' ');
  } else {
    // the other pairs (except time/level/service) are context the template should keep as key=<value>
    const ctx: string[] = [];
    for (const [k, v] of pairs) {
      if (
        k === 'msg' ||
        k === 'message' ||
        k === 'level' ||
        k === 'lvl' ||
        k === 'severity' ||
        k === 'time' ||
        k === 'ts' ||
        k === 't' ||
        k === 'timestamp' ||
        k === 'caller' ||
        k === 'logger' ||
        k === 'service' ||
        k === 'app' ||
        k === 'component'
      )
        continue;
      ctx.push(`${k}=${v.includes(' ') ? JSON.stringify(v) : v}`);
    }
    if (ctx.length > 0) message = message + ' ' + ctx.join(' ');
  }
  return {
    timeMs,
    severity,
    severityText: severity === 0 ? undefined : levelText,
    message,
    hasHeader: timeMs !== undefined || severity !== 0,
    service: pairs.get('service') ?? pairs.get('app') ?? pairs.get('component'),
    logger: pairs.get('logger') ?? pairs.get('caller'),
    stream: undefined,
    partial: false,
  };
}
