/**
 * Timestamp recognition at a position in a line, by hand (no regexes): ISO 8601 and its
 * common variants (`2023-01-29T10:00:00.123456789Z`, `2015-10-18 18:01:47,978`,
 * `2005-06-03-15.42.50.675872`), `17/06/09 20:10:40`, `2023/01/29 10:00:00`,
 * Common Log Format `10/Oct/2000:13:55:36 -0700`, syslog `Jun 14 15:16:01` (year from the
 * caller's reference year), `20171223-22:15:29:606`, `081109 203615`.
 * Times without a zone are taken as UTC.
 */
export interface TimestampMatch {
  ms: number;
  /** Index just past the timestamp. */
  end: number;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

function d(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** Reads `n` digits at i; -1 if any is not a digit. */
function num(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const x = d(s, i + k);
    if (x < 0) return -1;
    v = v * 10 + x;
  }
  return v;
}

function validDate(
  y: number,
  mo: number,
  day: number,
  h: number,
  mi: number,
  sec: number,
): boolean {
  return (
    y >= 1970 &&
    y < 2200 &&
    mo >= 1 &&
    mo <= 12 &&
    day >= 1 &&
    day <= 31 &&
    h >= 0 &&
    h <= 24 &&
    mi >= 0 &&
    mi <= 59 &&
    sec >= 0 &&
    sec <= 60
  );
}

/** Fraction digits after a separator; returns [ms fraction, end]. */
function fraction(s: string, i: number): [number, number] {
  let v = 0;
  let scale = 1;
  let k = i;
  while (d(s, k) >= 0) {
    if (scale < 1e9) {
      v = v * 10 + d(s, k);
      scale *= 10;
    }
    k++;
  }
  return [scale === 1 ? 0 : (v / scale) * 1000, k];
}

/** Zone offset (Z, +08:00, +0800, -07) at i; returns [offset minutes, end]. */
function zone(s: string, i: number): [number, number] {
  const c = s.charCodeAt(i);
  if (c === 90 /* Z */) return [0, i + 1];
  if (c === 43 || c === 45) {
    const sign = c === 43 ? 1 : -1;
    const hh = num(s, i + 1, 2);
    if (hh < 0) return [0, i];
    let k = i + 3;
    if (s.charCodeAt(k) === 58) k++;
    const mm = num(s, k, 2);
    if (mm >= 0) return [sign * (hh * 60 + mm), k + 2];
    return [sign * hh * 60, i + 3];
  }
  return [0, i];
}

const out: TimestampMatch = { ms: 0, end: 0 };

const DAY_MS = 86_400_000;

/**
 * The date reference for `now` (epoch ms): the end of its UTC day. Dates without a year are
 * judged by the day, not the millisecond, so that what depends on them (a cached analysis) stays
 * the same all day.
 */
export function dateReferenceAt(nowMs: number): number {
  return Math.floor(nowMs / DAY_MS) * DAY_MS + DAY_MS;
}

/**
 * The year of a date written without one (syslog's "Dec 10 08:00:00", klog). `dateReference` is
 * the time now (epoch ms), and the year is the latest that does not put the date more than a day
 * (clock skew) after it: on 7 December, "Dec 10" is last year's. A `dateReference` below 10,000
 * is a year, taken as it is (fixed expectations in tests and benchmarks).
 */
export function yearOf(
  dateReference: number,
  mo: number,
  day: number,
  h: number,
  mi: number,
  sec: number,
): number {
  if (dateReference < 10_000) return dateReference;
  const y = referenceYear(dateReference);
  return Date.UTC(y, mo - 1, day, h, mi, sec) > dateReference + DAY_MS ? y - 1 : y;
}

/** The year of the last reference asked for: a run asks with one, so no Date per line. */
let lastReference = NaN;
let lastReferenceYear = 0;
function referenceYear(dateReference: number): number {
  if (dateReference !== lastReference) {
    lastReference = dateReference;
    lastReferenceYear = new Date(dateReference).getUTCFullYear();
  }
  return lastReferenceYear;
}

/** Finds a timestamp starting exactly at `pos`. The returned object is reused: copy what you keep. */
export function parseTimestampAt(
  s: string,
  pos: number,
  dateReference: number,
): TimestampMatch | undefined {
  const c = s.charCodeAt(pos);
  if (c >= 48 && c <= 57) return numericStart(s, pos);
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return syslogStart(s, pos, dateReference);
  return undefined;
}

function finish(
  y: number,
  mo: number,
  day: number,
  h: number,
  mi: number,
  sec: number,
  frac: number,
  offsetMin: number,
  end: number,
): TimestampMatch | undefined {
  if (!validDate(y, mo, day, h, mi, sec)) return undefined;
  out.ms = Date.UTC(y, mo - 1, day, h, mi, sec) + frac - offsetMin * 60_000;
  out.end = end;
  return out;
}

/** HH:MM(:SS)?(frac)? at i with ':' or '.' separators; returns [h, m, s, frac ms, end] or undefined. */
function clock(s: string, i: number): [number, number, number, number, number] | undefined {
  const h = num(s, i, 2);
  const sep = s.charCodeAt(i + 2);
  if (h < 0 || (sep !== 58 && sep !== 46)) return undefined;
  const mi = num(s, i + 3, 2);
  if (mi < 0) return undefined;
  let k = i + 5;
  let sec = 0;
  if (s.charCodeAt(k) === sep || s.charCodeAt(k) === 58) {
    sec = num(s, k + 1, 2);
    if (sec < 0) return undefined;
    k += 3;
  }
  let frac = 0;
  const fc = s.charCodeAt(k);
  if ((fc === 46 || fc === 44 || fc === 58) && d(s, k + 1) >= 0) [frac, k] = fraction(s, k + 1);
  return [h, mi, sec, frac, k];
}

/** A clock at `at` and an optional zone after a date already read. */
function dateClockZone(
  s: string,
  at: number,
  y: number,
  mo: number,
  day: number,
): TimestampMatch | undefined {
  const k = clock(s, at);
  if (k === undefined) return undefined;
  const [off, end] = zone(s, k[4]);
  return finish(y, mo, day, k[0], k[1], k[2], k[3], off, end);
}

function numericStart(s: string, p: number): TimestampMatch | undefined {
  const y4 = num(s, p, 4);
  const sep = s.charCodeAt(p + 4);
  if (y4 >= 0 && (sep === 45 || sep === 47 || sep === 46)) {
    // YYYY-MM-DD[T ]HH:MM:SS...
    const mo = num(s, p + 5, 2);
    const day = num(s, p + 8, 2);
    if (mo < 0 || day < 0 || s.charCodeAt(p + 7) !== sep) return undefined;
    const t = s.charCodeAt(p + 10);
    return t === 84 || t === 32 || t === 45 || t === 95
      ? dateClockZone(s, p + 11, y4, mo, day)
      : undefined;
  }
  if (y4 >= 0 && num(s, p + 4, 4) >= 0) {
    // YYYYMMDD-HH:MM:SS:mmm or YYYYMMDD HH:MM:SS or YYYYMMDDTHHMMSS
    const mo = num(s, p + 4, 2);
    const day = num(s, p + 6, 2);
    const t = s.charCodeAt(p + 8);
    return t === 45 || t === 32 || t === 84 ? dateClockZone(s, p + 9, y4, mo, day) : undefined;
  }
  const a = num(s, p, 2);
  const sep2 = s.charCodeAt(p + 2);
  if (a >= 0 && sep2 === 47) {
    // DD/Mon/YYYY:HH:MM:SS zone (Common Log Format)
    const mon = MONTHS[s.slice(p + 3, p + 6).toLowerCase()];
    if (mon !== undefined && s.charCodeAt(p + 6) === 47) {
      const y = num(s, p + 7, 4);
      const k = clock(s, p + 12);
      if (y < 0 || k === undefined) return undefined;
      let end = k[4];
      let off = 0;
      if (s.charCodeAt(end) === 32) {
        const z = zone(s, end + 1);
        if (z[1] > end + 1) [off, end] = z;
      }
      return finish(y, mon, a, k[0], k[1], k[2], k[3], off, end);
    }
    // YY/MM/DD HH:MM:SS
    const mo = num(s, p + 3, 2);
    const day = num(s, p + 6, 2);
    if (mo >= 0 && day >= 0 && s.charCodeAt(p + 5) === 47 && s.charCodeAt(p + 8) === 32) {
      const k = clock(s, p + 9);
      if (k !== undefined) return finish(2000 + a, mo, day, k[0], k[1], k[2], k[3], 0, k[4]);
    }
    return undefined;
  }
  // YYMMDD HHMMSS (HDFS)
  const yymmdd = num(s, p, 6);
  if (yymmdd >= 0 && s.charCodeAt(p + 6) === 32 && num(s, p + 7, 6) >= 0 && d(s, p + 13) < 0) {
    const y = 2000 + Math.floor(yymmdd / 10000);
    const mo = Math.floor(yymmdd / 100) % 100;
    const day = yymmdd % 100;
    const hms = num(s, p + 7, 6);
    return finish(
      y,
      mo,
      day,
      Math.floor(hms / 10000),
      Math.floor(hms / 100) % 100,
      hms % 100,
      0,
      0,
      p + 13,
    );
  }
  return undefined;
}

function syslogStart(s: string, p: number, dateReference: number): TimestampMatch | undefined {
  // optional weekday: "Sat Jun 18 02:23:10 2005"
  let q = p;
  if (
    s.charCodeAt(p + 3) === 32 &&
    MONTHS[s.slice(p + 4, p + 7).toLowerCase()] !== undefined &&
    isWeekday(s, p)
  )
    q = p + 4;
  const mon = MONTHS[s.slice(q, q + 3).toLowerCase()];
  if (mon === undefined || s.charCodeAt(q + 3) !== 32) return undefined;
  let k = q + 4;
  if (s.charCodeAt(k) === 32) k++; // "Jun  4"
  let day = d(s, k);
  if (day < 0) return undefined;
  k++;
  if (d(s, k) >= 0) {
    day = day * 10 + d(s, k);
    k++;
  }
  if (s.charCodeAt(k) !== 32) return undefined;
  let year: number | undefined;
  // "Jun 18 2005 02:23:10"
  const y = num(s, k + 1, 4);
  if (y >= 1970 && s.charCodeAt(k + 5) === 32) {
    year = y;
    k += 5;
  }
  const c = clock(s, k + 1);
  if (c === undefined) return undefined;
  let end = c[4];
  // trailing year: "Sat Jun 18 02:23:10 2005"
  if (year === undefined && s.charCodeAt(end) === 32) {
    const ty = num(s, end + 1, 4);
    if (ty >= 1970 && d(s, end + 5) < 0) {
      year = ty;
      end += 5;
    }
  }
  year ??= yearOf(dateReference, mon, day, c[0], c[1], c[2]);
  return finish(year, mon, day, c[0], c[1], c[2], c[3], 0, end);
}

function isWeekday(s: string, p: number): boolean {
  const w = s.slice(p, p + 3).toLowerCase();
  return (
    w === 'mon' ||
    w === 'tue' ||
    w === 'wed' ||
    w === 'thu' ||
    w === 'fri' ||
    w === 'sat' ||
    w === 'sun'
  );
}

/** End of a time of day `HH:MM:SS(.fff)` at `pos` (logback's default pattern), or -1. No date, so no instant. */
export function timeOfDayEnd(s: string, pos: number): number {
  const c = clock(s, pos);
  if (c === undefined || c[0] > 23) return -1;
  const next = s.charCodeAt(c[4]);
  return Number.isNaN(next) || next === 32 || next === 93 ? c[4] : -1;
}

/** Parses a whole value as a time: ISO-like text or epoch seconds/ms/µs/ns (by magnitude). */
export function parseTimeValue(v: unknown, dateReference: number): number | undefined {
  if (typeof v === 'number') return epochToMs(v);
  if (typeof v !== 'string' || v.length === 0) return undefined;
  const c = v.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    const m = parseTimestampAt(v, 0, dateReference);
    if (m !== undefined) return m.ms;
    const n = Number(v);
    return Number.isFinite(n) ? epochToMs(n) : undefined;
  }
  return parseTimestampAt(v, 0, dateReference)?.ms;
}

function epochToMs(n: number): number | undefined {
  if (!Number.isFinite(n) || n <= 0) return undefined;
  if (n > 1e17) return n / 1e6; // ns
  if (n > 1e14) return n / 1e3; // µs
  if (n > 1e11) return n; // ms
  if (n > 1e8) return n * 1000; // s
  return undefined;
}
