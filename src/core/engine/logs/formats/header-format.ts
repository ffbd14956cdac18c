import { parseSeverity } from '../../../domain/severity.js';
import type { SeverityNumber } from '../../../domain/severity.js';
import { parseTimestampAt, timeOfDayEnd } from '../timestamp.js';
import type { LineFormat, ParsedLine } from './parsed-line.js';

/**
 * The common `<date> <time> <level> <logger>: message` family, by hand: an optional bracketed
 * timestamp, optional pid, a level word (bare, `[INFO]`, `INFO:`), an optional `[thread]`, and
 * an optional logger ending in `:` or followed by ` - `. A line without a timestamp or a level
 * at its start has no header (it continues the previous record).
 */
export function createHeaderFormat(dateReference: number): LineFormat {
  return { name: 'header', parse: (line) => parseHeaderLine(line, dateReference) };
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

function skipSpaces(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** End of the word at i (up to a space). */
function wordEnd(s: string, i: number): number {
  while (i < s.length && !isSpace(s.charCodeAt(i))) i++;
  return i;
}

export function parseHeaderLine(line: string, dateReference: number): ParsedLine | undefined {
  if (line.length === 0 || isSpace(line.charCodeAt(0))) return undefined;
  let pos = 0;
  let timeMs: number | undefined;
  const bracket = line.charCodeAt(0) === 91;
  const ts = parseTimestampAt(line, bracket ? 1 : 0, dateReference);
  if (ts !== undefined) {
    timeMs = ts.ms;
    pos = ts.end;
    if (bracket) {
      if (line.charCodeAt(pos) !== 93) return undefined;
      pos++;
    }
    pos = skipSpaces(line, pos);
  } else {
    // a time of day without a date ("16:42:22.382 INFO …"): a header only if a level follows
    const tod = timeOfDayEnd(line, bracket ? 1 : 0);
    if (tod > 0) {
      const after = skipSpaces(line, bracket && line.charCodeAt(tod) === 93 ? tod + 1 : tod);
      if (levelAt(line, after, true) !== 0) pos = after;
    }
  }
  // level, possibly after a pid ("148 INFO") or in brackets
  let severity = levelAt(line, pos, timeMs !== undefined || pos > 0);
  if (severity === 0 && timeMs !== undefined) {
    const we = wordEnd(line, pos);
    if (we > pos && isDigits(line, pos, we)) {
      const p2 = skipSpaces(line, we);
      const s2 = levelAt(line, p2, true);
      if (s2 !== 0) {
        pos = p2;
        severity = s2;
      }
    }
  }
  let severityText: string | undefined;
  if (severity !== 0) {
    severityText = levelOut.text;
    // "panic: …", "error: …" at a line start: the word is part of the message
    if (timeMs !== undefined || pos > 0 || levelOut.text !== levelOut.text.toLowerCase())
      pos = skipSpaces(line, levelOut.end);
    // Spring Boot: "INFO 1 --- [main] logger : msg"
    const we0 = wordEnd(line, pos);
    if (we0 > pos && isDigits(line, pos, we0)) {
      const p2 = skipSpaces(line, we0);
      if (line.startsWith('--- ', p2)) pos = skipSpaces(line, p2 + 4);
    } else if (line.startsWith('--- ', pos)) pos = skipSpaces(line, pos + 4);
  }
  if (timeMs === undefined && severity === 0) return undefined;
  // [thread]
  if (line.charCodeAt(pos) === 91) {
    const close = line.indexOf(']', pos);
    if (
      close > 0 &&
      close - pos < 64 &&
      (close + 1 === line.length || isSpace(line.charCodeAt(close + 1)))
    )
      pos = skipSpaces(line, close + 1);
  }
  // logger: "org.foo.Bar:" or "org.foo.Bar -" or "--- [main] c.e.Foo :"
  let logger: string | undefined;
  const we = wordEnd(line, pos);
  if (pos > 0 && we > pos + 1 && we - pos < 120) {
    if (line.charCodeAt(we - 1) === 58 && isLoggerName(line, pos, we - 1)) {
      logger = line.slice(pos, we - 1);
      pos = skipSpaces(line, we);
    } else if (
      line.charCodeAt(we) === 32 &&
      (line.charCodeAt(we + 1) === 45 || line.charCodeAt(we + 1) === 58) &&
      line.charCodeAt(we + 2) === 32 &&
      isLoggerName(line, pos, we)
    ) {
      logger = line.slice(pos, we);
      pos = skipSpaces(line, we + 3);
    } else if (line.startsWith(' : ', skipSpaces(line, we) - 1) && isLoggerName(line, pos, we)) {
      // Spring Boot pads the logger: "c.e.Foo      : msg"
      logger = line.slice(pos, we);
      pos = skipSpaces(line, skipSpaces(line, we) + 1);
    }
  }
  return {
    timeMs,
    severity,
    severityText,
    message: pos === 0 ? line : line.slice(pos),
    hasHeader: true,
    service: undefined,
    logger,
    stream: undefined,
    partial: false,
  };
}

function isDigits(s: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A logger/component name: identifier chars, dots, $, /, -, no spaces, at least one letter. */
function isLoggerName(s: string, a: number, b: number): boolean {
  let letters = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
    else if (!(
      (c >= 48 && c <= 57) ||
      c === 46 ||
      c === 95 ||
      c === 36 ||
      c === 45 ||
      c === 47 ||
      c === 40 ||
      c === 41 ||
      c === 91 ||
      c === 93 ||
      c === 35
    ))
      return false;
  }
  return letters > 0;
}

const levelOut = { text: '', end: 0 };

/** A level word at i: INFO, [INFO], INFO:, <info>, level=info is left to logfmt. Sets levelOut. */
function levelAt(s: string, i: number, afterTimestamp: boolean): SeverityNumber {
  let a = i;
  const open = s.charCodeAt(i);
  let close = 0;
  if (open === 91) close = 93;
  else if (open === 60) close = 62;
  else if (open === 40) close = 41;
  if (close !== 0) a++;
  let b = a;
  while (b < s.length && b - a <= 11) {
    const c = s.charCodeAt(b);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) b++;
    else break;
  }
  if (b === a || b - a > 11) return 0;
  let end = b;
  if (close !== 0) {
    // allow padding inside brackets: "[INFO ]"
    while (s.charCodeAt(end) === 32) end++;
    if (s.charCodeAt(end) !== close) return 0;
    end++;
  } else if (s.charCodeAt(end) === 58) {
    end++;
  }
  if (end < s.length && !isSpace(s.charCodeAt(end))) return 0;
  // single letters only in brackets ("[E]"), never bare words like "I" or "A"
  if (b - a === 1 && close === 0) return 0;
  const text = s.slice(a, b);
  const sev = parseSeverity(text);
  if (sev === 0) return 0;
  // at a line start, lowercase words that are also English ("error ...", "log") need a colon or brackets
  if (!afterTimestamp && close === 0 && s.charCodeAt(b) !== 58 && text !== text.toUpperCase())
    return 0;
  levelOut.text = text;
  levelOut.end = end;
  return sev;
}
