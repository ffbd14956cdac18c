import { parseSeverity, syslogSeverity } from '../../../domain/severity.js';
import type { SeverityNumber } from '../../../domain/severity.js';
import { parseTimestampAt } from '../timestamp.js';
import { createKlogFormat } from './klog-format.js';
import type { LineFormat, ParsedLine } from './parsed-line.js';

/**
 * Syslog: RFC 5424 (`<34>1 2003-10-11T22:14:15.003Z host app procid msgid [sd] msg`) and
 * RFC 3164 / BSD (`<34>Oct 11 22:14:15 host tag[pid]: msg`, the PRI optional as in files
 * written by syslogd). The tag (app name) becomes the service.
 */
export function createSyslogFormat(dateReference: number): LineFormat {
  const klog = createKlogFormat(dateReference);
  return {
    name: 'syslog',
    parse(line) {
      const p = parseSyslogLine(line, dateReference);
      // Kubernetes components log klog lines through journald/syslog: take their level and message
      if (p !== undefined && p.severity === 0) {
        const k = klog.parse(p.message);
        if (k !== undefined) {
          p.severity = k.severity;
          p.severityText = k.severityText;
          p.message = k.message;
          p.logger = k.logger;
        }
      }
      return p;
    },
  };
}

function nextSpace(s: string, i: number): number {
  const j = s.indexOf(' ', i);
  return j < 0 ? s.length : j;
}

function parseSyslogLine(line: string, dateReference: number): ParsedLine | undefined {
  let p = 0;
  let severity: SeverityNumber = 0;
  let severityText: string | undefined;
  if (line.charCodeAt(0) === 60) {
    const close = line.indexOf('>');
    if (close < 2 || close > 4) return undefined;
    const pri = Number(line.slice(1, close));
    if (!Number.isInteger(pri) || pri < 0 || pri > 191) return undefined;
    severity = syslogSeverity(pri % 8);
    severityText = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'][pri % 8];
    p = close + 1;
    if (line.startsWith('1 ', p))
      return rfc5424(line, p + 2, severity, severityText, dateReference);
  }
  const ts = parseTimestampAt(line, p, dateReference);
  if (ts === undefined || line.charCodeAt(ts.end) !== 32) return undefined;
  const timeMs = ts.ms;
  const hostEnd = nextSpace(line, ts.end + 1);
  if (hostEnd >= line.length) return undefined;
  // "2026-01-01 10:00:00 ERROR db: …" is a header line, not a host named ERROR
  if (parseSeverity(line.slice(ts.end + 1, hostEnd)) !== 0) return undefined;
  const tagStart = hostEnd + 1;
  // tag: up to ':' (with optional [pid]) within the next word
  const tagEnd = nextSpace(line, tagStart);
  if (line.charCodeAt(tagEnd - 1) !== 58 || tagEnd - tagStart < 2) return undefined;
  let tag = line.slice(tagStart, tagEnd - 1);
  const bracket = tag.indexOf('[');
  if (bracket > 0 && tag.endsWith(']')) tag = tag.slice(0, bracket);
  const message = line.slice(Math.min(line.length, tagEnd + 1));
  if (severity === 0) {
    // "sshd[1]: error: …" — a level word at the start of the message
    const colon = message.indexOf(':');
    if (colon > 0 && colon <= 8) {
      const s = parseSeverity(message.slice(0, colon));
      if (s !== 0) {
        severity = s;
        severityText = message.slice(0, colon);
      }
    }
  }
  return {
    timeMs,
    severity,
    severityText,
    message,
    hasHeader: true,
    service: tag,
    logger: undefined,
    stream: undefined,
    partial: false,
  };
}

function rfc5424(
  line: string,
  p: number,
  severity: SeverityNumber,
  severityText: string | undefined,
  dateReference: number,
): ParsedLine | undefined {
  const fields: string[] = [];
  let i = p;
  for (let k = 0; k < 5; k++) {
    const e = nextSpace(line, i);
    fields.push(line.slice(i, e));
    i = e + 1;
  }
  // structured data: '-' or one or more [..] groups
  if (line.charCodeAt(i) === 91) {
    let depth = 0;
    let inQuote = false;
    for (; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (c === 92) {
        i++;
        continue;
      }
      if (c === 34) inQuote = !inQuote;
      else if (!inQuote && c === 91) depth++;
      else if (!inQuote && c === 93) {
        depth--;
        if (depth === 0 && line.charCodeAt(i + 1) !== 91) {
          i++;
          break;
        }
      }
    }
    i++;
  } else if (line.charCodeAt(i) === 45) i += 2;
  else return undefined;
  const time = fields[0]!;
  const ts = time === '-' ? undefined : parseTimestampAt(time, 0, dateReference);
  let message = i < line.length ? line.slice(i) : '';
  if (message.charCodeAt(0) === 0xfeff) message = message.slice(1); // BOM
  const app = fields[2];
  return {
    timeMs: ts?.ms,
    severity,
    severityText,
    message,
    hasHeader: true,
    service: app === '-' ? undefined : app,
    logger: undefined,
    stream: undefined,
    partial: false,
  };
}
