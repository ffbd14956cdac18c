import { parseTimestampAt } from '../timestamp.js';
import { parseObject } from './json-format.js';
import type { LineFormat, ParsedLine } from './parsed-line.js';

/**
 * Kubernetes node log formats that wrap an application line:
 * - docker json-file: `{"log":"…\n","stream":"stdout","time":"2023-…Z"}`
 * - CRI (containerd, CRI-O): `2023-01-29T10:00:00.123456789Z stdout F message` (P = partial)
 * The wrapped text is parsed again by the application's own format.
 */
export function createDockerJsonFormat(dateReference: number): LineFormat {
  return {
    name: 'docker-json',
    parse(line) {
      if (!line.startsWith('{"log":') && !line.includes('"log":')) return undefined;
      const obj = parseObject(line);
      if (obj === undefined || typeof obj.log !== 'string') return undefined;
      const raw = obj.log;
      const partial = !raw.endsWith('\n');
      const message = partial ? raw : raw.slice(0, raw.endsWith('\r\n') ? -2 : -1);
      const ts =
        typeof obj.time === 'string' ? parseTimestampAt(obj.time, 0, dateReference) : undefined;
      return {
        timeMs: ts?.ms,
        severity: 0,
        severityText: undefined,
        message,
        hasHeader: true,
        service: undefined,
        logger: undefined,
        stream: obj.stream === 'stderr' ? 'stderr' : 'stdout',
        // docker splits lines longer than 16 KiB and leaves the newline off all but the last piece
        partial: partial && raw.length >= 16384,
      };
    },
  };
}

export function createCriFormat(dateReference: number): LineFormat {
  return {
    name: 'cri',
    parse(line) {
      const ts = parseTimestampAt(line, 0, dateReference);
      if (ts === undefined || line.charCodeAt(ts.end) !== 32) return undefined;
      const timeMs = ts.ms;
      let p = ts.end + 1;
      let stream: 'stdout' | 'stderr';
      if (line.startsWith('stdout ', p)) stream = 'stdout';
      else if (line.startsWith('stderr ', p)) stream = 'stderr';
      else return undefined;
      p += 7;
      const tag = line.charCodeAt(p);
      if ((tag !== 70 && tag !== 80) || (line.length > p + 1 && line.charCodeAt(p + 1) !== 32))
        return undefined;
      const out: ParsedLine = {
        timeMs,
        severity: 0,
        severityText: undefined,
        message: line.slice(p + 2),
        hasHeader: true,
        service: undefined,
        logger: undefined,
        stream,
        partial: tag === 80,
      };
      return out;
    },
  };
}
