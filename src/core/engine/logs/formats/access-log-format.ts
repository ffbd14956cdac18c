import { SEVERITY } from '../../../domain/severity.js';
import type { SeverityNumber } from '../../../domain/severity.js';
import { parseTimestampAt } from '../timestamp.js';
import type { LineFormat } from './parsed-line.js';

/**
 * HTTP access logs in Common/Combined Log Format and its extensions (nginx, ingress-nginx,
 * Apache, Envoy's default): `client - user [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 502 …`.
 * Access lines carry no level, so the status decides: 5xx ERROR, 4xx WARN, else INFO. The
 * miner sees `METHOD path STATUS_CLASS`, so that templates group requests by outcome; the
 * whole line stays the message (and the evidence).
 */
/** Status classes as enum words: the miner never merges two of them into a variable. */
const STATUS_CLASS: Record<number, string> = {
  1: 'INFORMATIONAL',
  2: 'OK',
  3: 'REDIRECT',
  4: 'CLIENT_ERROR',
  5: 'SERVER_ERROR',
};

export function createAccessLogFormat(dateReference: number): LineFormat {
  return {
    name: 'access',
    parse(line) {
      const open = line.indexOf(' [');
      if (open < 0 || open > 200) return undefined;
      const ts = parseTimestampAt(line, open + 2, dateReference);
      if (ts === undefined) return undefined;
      const close = line.indexOf(']', ts.end);
      if (close < 0 || close - ts.end > 8) return undefined;
      if (line.charCodeAt(close + 1) !== 32 || line.charCodeAt(close + 2) !== 34) return undefined;
      const reqEnd = line.indexOf('" ', close + 3);
      if (reqEnd < 0) return undefined;
      const request = line.slice(close + 3, reqEnd);
      const status = Number(line.slice(reqEnd + 2, reqEnd + 5));
      if (
        !Number.isInteger(status) ||
        status < 100 ||
        status > 599 ||
        (line.length > reqEnd + 5 && line.charCodeAt(reqEnd + 5) !== 32)
      )
        return undefined;
      const sp1 = request.indexOf(' ');
      const method = sp1 > 0 ? request.slice(0, sp1) : request;
      let path =
        sp1 > 0
          ? request.slice(
              sp1 + 1,
              request.lastIndexOf(' ') > sp1 ? request.lastIndexOf(' ') : undefined,
            )
          : '';
      const q = path.indexOf('?');
      if (q >= 0) path = path.slice(0, q);
      let severity: SeverityNumber = SEVERITY.INFO;
      if (status >= 500) severity = SEVERITY.ERROR;
      else if (status >= 400) severity = SEVERITY.WARN;
      return {
        timeMs: ts.ms,
        severity,
        severityText: String(status),
        message: line,
        mineText: `${method} ${path === '' ? '-' : path} ${STATUS_CLASS[Math.floor(status / 100)] ?? 'UNKNOWN'}`,
        hasHeader: true,
        service: undefined,
        logger: undefined,
        stream: undefined,
        partial: false,
      };
    },
  };
}
