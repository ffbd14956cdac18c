import { parseTimestampAt } from './timestamp.js';

/**
 * Tokenizer and variable masking for template mining. One global configuration: the rules are
 * the published template-correction rules of Khan et al. ("Guidelines for assessing the
 * accuracy of log parsing", ICSE 2022; used by Loghub-2.0: digit-only sub-tokens, path-like
 * strings, booleans/null, word+variable, consecutive variables) plus detectors for values that
 * are variables in any log: IPs (v4/v6, ports), UUIDs, hex, URLs, e-mails, host names,
 * timestamps, identifiers with long or repeated digit runs, numbers with units and sizes.
 *
 * Everything is a single left-to-right scan over char codes: no backtracking regexes on the
 * hot path, and an unchanged token is returned as the same string (no allocation).
 */

export const MASK = '<*>';

// char classes, one lookup per char
const C_DIGIT = 1;
const C_LOWER = 2;
const C_UPPER = 4;
const C_PATH_DELIM = 8; // , ! ; : = | " ' [ ] ( ) { }  — split points for path-like strings
const C_TOKEN_DELIM = 16; // . - + @ # $ % &           — further split points for digit-only rule
const C_HEX_LETTER = 32;
const C_ANGLE = 64; // < > — split points when masking raw text only (they are part of <*>)
const CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLASS[c] = C_DIGIT;
for (let c = 97; c <= 122; c++) CLASS[c] = C_LOWER;
for (let c = 65; c <= 90; c++) CLASS[c] = C_UPPER;
for (const ch of 'abcdefABCDEF') CLASS[ch.charCodeAt(0)]! |= C_HEX_LETTER;
for (const ch of ',!;:=|"\'[](){}') CLASS[ch.charCodeAt(0)] = C_PATH_DELIM;
for (const ch of '.-+@#$%&') CLASS[ch.charCodeAt(0)] = C_TOKEN_DELIM;
const C_SLASH = 128; // / and \\ (paths)
CLASS[47] = C_SLASH;
CLASS[92] = C_SLASH;
CLASS[60] = C_ANGLE;
CLASS[62] = C_ANGLE;
const C_SPLIT = C_PATH_DELIM | C_ANGLE;

function cls(c: number): number {
  return c < 128 ? CLASS[c]! : 0;
}

/** True for the delimiters at which a merged template token may keep a constant prefix/suffix. */
export function isDelimiterCode(c: number): boolean {
  return c < 128 && (CLASS[c]! & (C_PATH_DELIM | C_TOKEN_DELIM)) !== 0;
}

const GENERIC_TLDS = new Set([
  'com',
  'net',
  'org',
  'edu',
  'gov',
  'mil',
  'int',
  'io',
  'info',
  'biz',
  'local',
  'internal',
  'lan',
  'localdomain',
  'cluster',
  'svc',
  'cloud',
  'dev',
  'app',
]);
const VALUE_WORDS = new Set(['true', 'false', 'null', 'root']);
const SIZE_UNITS = new Set(['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'KiB', 'MiB', 'GiB', 'TiB', 'kB']);
const DATE_WORDS = new Set([
  'Mon',
  'Tue',
  'Wed',
  'Thu',
  'Fri',
  'Sat',
  'Sun',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Sept',
  'Oct',
  'Nov',
  'Dec',
  'January',
  'February',
  'March',
  'April',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]);

/**
 * Tokens repeat heavily in logs (the constant words of each template): masking results are
 * memoised. Bounded: the cache is dropped and rebuilt when full (pure function, no state lost).
 */
const MASK_CACHE_SIZE = 1 << 16;
const maskCache = new Map<string, string>();

/**
 * Splits `text` on whitespace into `raw` and writes the masked form of each token into
 * `masked` (same index). Returns the token count. Arrays are reused by the caller.
 */
export function tokenize(text: string, raw: string[], masked: string[]): number {
  let n = 0;
  let sawMask = false;
  const len = text.length;
  let start = -1;
  let flags = 0;
  // one scan: token boundaries and each token's char classes together
  for (let i = 0; i <= len; i++) {
    const c = i < len ? text.charCodeAt(i) : 32;
    if (c === 32 || (c >= 9 && c <= 13)) {
      if (start < 0) continue;
      // a quoted value over several words (user "John Smith", err="failed to pull image") is one
      // variable; a quoted text that opens the line is the message itself (klog structured logs)
      const qs = (flags & C_PATH_DELIM) === 0 ? -1 : quoteStart(text, start, i, n > 0);
      if (qs >= 0) {
        const q = text.charCodeAt(qs);
        const close = quotedEnd(text, i, q);
        if (close > 0) {
          let end = close + 1;
          while (
            end < len &&
            (cls(text.charCodeAt(end)) & C_SPLIT) !== 0 &&
            text.charCodeAt(end) !== q
          )
            end++;
          raw[n] = text.slice(start, end);
          masked[n] =
            text.slice(start, qs + 1) + MASK + String.fromCharCode(q) + text.slice(close + 1, end);
          sawMask = true;
          n++;
          i = end - 1; // the loop steps to `end`
          start = -1;
          flags = 0;
          continue;
        }
      }
      const tok = text.slice(start, i);
      let m: string;
      if ((flags & (C_DIGIT | C_SPLIT | C_TOKEN_DELIM | C_SLASH)) === 0) {
        // a plain word: only value words and hex words are variables
        m =
          maybeValueWord(tok, 0, tok.length) || (tok.length >= 8 && isHexWord(tok, 0, tok.length))
            ? MASK
            : tok;
      } else if ((flags & C_DIGIT) === 0) {
        // constant-looking words with punctuation (org.acme.Foo:, [preauth], user=root): memoised
        const hit = maskCache.get(tok);
        if (hit === undefined) {
          m = maskToken(tok);
          if (maskCache.size >= MASK_CACHE_SIZE) maskCache.clear();
          maskCache.set(tok, m);
        } else m = hit;
      } else if ((flags & ~(C_DIGIT | C_TOKEN_DELIM)) === 0 && isPlainNumber(tok)) {
        // 42, 3.14, 10.0.0.1, 2005-06-03: one value
        m = MASK;
      } else if ((flags & (C_LOWER | C_UPPER | C_SLASH)) === 0) {
        // no letters: 10.0.0.1:5000, [42], 1514038440000##6993, (0x… has letters, not here)
        m = maskLetterFree(tok);
      } else m = maskByShape(tok, flags);
      // a size unit after a masked number belongs to the number ("5.2 KB," -> "<*>,")
      if (n > 0 && masked[n - 1] === MASK && tok.length <= 4 && isSizeUnitToken(tok)) {
        raw[n - 1] = raw[n - 1]! + ' ' + tok;
        masked[n - 1] = MASK + trailingPunct(tok);
      } else {
        raw[n] = tok;
        masked[n] = m;
        if (m === MASK) sawMask = true;
        n++;
      }
      start = -1;
      flags = 0;
    } else {
      if (start < 0) start = i;
      flags |= c < 128 ? CLASS[c]! : 0;
    }
  }
  if (sawMask && n >= LIST_RUN) n = collapseMaskRuns(raw, masked, n);
  // day and month names inside a date ("at Sat Jun 18 02:23:10 2005") are part of the value
  for (let i = 0; i < n; i++) {
    const m = masked[i]!;
    const c0 = m.charCodeAt(0);
    if (
      c0 >= 65 &&
      c0 <= 90 &&
      m.length >= 3 &&
      m.length <= 10 &&
      DATE_WORDS.has(m.endsWith(',') ? m.slice(0, -1) : m)
    ) {
      const next = i + 1 < n ? masked[i + 1]! : '';
      if (
        next.startsWith(MASK) ||
        (DATE_WORDS.has(next) && i + 2 < n && masked[i + 2]!.startsWith(MASK))
      ) {
        masked[i] = m.endsWith(',') ? MASK + ',' : MASK;
      }
    }
  }
  return n;
}

/** Lists of values (`delete blk_1 blk_2 blk_3 blk_4 …`): a run of 5+ variables is one variable. */
const LIST_RUN = 5;
function collapseMaskRuns(raw: string[], masked: string[], n: number): number {
  let w = 0;
  for (let r = 0; r < n;) {
    if (masked[r] === MASK) {
      let e = r + 1;
      while (e < n && masked[e] === MASK) e++;
      if (e - r >= LIST_RUN) {
        raw[w] = raw.slice(r, e).join(' ');
        masked[w++] = MASK;
        r = e;
        continue;
      }
    }
    if (w !== r) {
      raw[w] = raw[r]!;
      masked[w] = masked[r]!;
    }
    w++;
    r++;
  }
  return w;
}

/**
 * Masks a token without letters or slashes in one pass: each number (digits joined by . - _,
 * with a leading sign at a token or delimiter start) becomes <*>; punctuation stays. Same
 * result as the general path for these tokens (checked on the Loghub and example data).
 */
export function maskLetterFree(tok: string): string {
  const len = tok.length;
  let out = '';
  let from = 0;
  let i = 0;
  let changed = false;
  while (i < len) {
    const c = tok.charCodeAt(i);
    const signed =
      (c === 45 || c === 43) &&
      i + 1 < len &&
      isDigitCode(tok.charCodeAt(i + 1)) &&
      (i === 0 || (cls(tok.charCodeAt(i - 1)) & C_SPLIT) !== 0);
    if (isDigitCode(c) || signed) {
      let j = i + 1;
      while (j < len) {
        const d = tok.charCodeAt(j);
        if (isDigitCode(d)) j++;
        else if (
          (d === 46 || d === 45 || d === 95) &&
          j + 1 < len &&
          isDigitCode(tok.charCodeAt(j + 1))
        )
          j += 2;
        else break;
      }
      // a unit-like % right after a number belongs to it (50%)
      if (
        j < len &&
        tok.charCodeAt(j) === 37 &&
        (j + 1 === len || (cls(tok.charCodeAt(j + 1)) & C_SPLIT) !== 0)
      )
        j++;
      out += tok.slice(from, i) + MASK;
      from = j;
      i = j;
      changed = true;
    } else i++;
  }
  return changed ? out + tok.slice(from) : tok;
}

/**
 * Tokens mixing letters and digits (sshd[1234]:, uid=0, R02-M1-N0-C:J12-U11) repeat in shape
 * with other digits. The rules look at where digits are and how long their runs are, not at
 * their values — except timestamp validation — so the result for the shape (every digit → 0)
 * is the result for the token whenever it masked every digit. Tokens that could be
 * timestamps (a digit first and a ':') always take the general path.
 */
const shapeCache = new Map<string, string>();

function maskByShape(tok: string, flags: number): string {
  const c0 = tok.charCodeAt(tok.charCodeAt(0) === 91 ? 1 : 0);
  if (isDigitCode(c0) && tok.indexOf(':') >= 0) return maskToken(tok, flags);
  let shape = '';
  let from = 0;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (c >= 49 && c <= 57) {
      shape += tok.slice(from, i) + '0';
      from = i + 1;
    }
  }
  shape = from === 0 ? tok : shape + tok.slice(from);
  const hit = shapeCache.get(shape);
  if (hit !== undefined) return hit === '' ? maskToken(tok, flags) : hit;
  const m = maskToken(shape, flags);
  // a result with digits kept a constant part (ssh2): it is not valid for other digits
  const valid = !/[0-9]/.test(m);
  if (shapeCache.size >= MASK_CACHE_SIZE) shapeCache.clear();
  shapeCache.set(shape, valid ? m : '');
  return valid ? m : maskToken(tok, flags);
}

/**
 * Where a quote opens a value that the word [s, e) does not close: at the word's start (not
 * for the line's first word) or right after `key=`. -1 otherwise.
 */
function quoteStart(text: string, s: number, e: number, notFirst: boolean): number {
  let qs = -1;
  const c0 = text.charCodeAt(s);
  if ((c0 === 34 || c0 === 39) && notFirst) qs = s;
  else {
    // key="…: an = directly before the quote, within this word
    for (let k = s + 1; k < e - 1; k++) {
      if (text.charCodeAt(k) !== 61) continue;
      const c = text.charCodeAt(k + 1);
      if (c === 34 || c === 39) qs = k + 1;
      break;
    }
  }
  if (qs < 0 || e - qs < 2) return -1;
  // the word closes its own quote ("ok", key="v",): not a multi-word value
  const q = text.charCodeAt(qs);
  for (let k = e - 1; k > qs; k--) {
    const c = text.charCodeAt(k);
    if (c === q && text.charCodeAt(k - 1) !== 92) return -1;
    if ((cls(c) & C_SPLIT) === 0) break;
  }
  return qs;
}

/** Index of the quote closing a multi-word quoted string that continues at `from`, or -1 (at most 32 words, 512 chars). */
const QUOTE_MAX_CHARS = 512;
function quotedEnd(text: string, from: number, q: number): number {
  const limit = Math.min(text.length, from + QUOTE_MAX_CHARS);
  let words = 0;
  for (let k = from; k < limit; k++) {
    const c = text.charCodeAt(k);
    if (c === 32) {
      if (++words > 32) return -1;
    } else if (c === q) {
      const next = k + 1 < text.length ? text.charCodeAt(k + 1) : 32;
      // a closing quote ends a word: followed by white space, punctuation or the end
      if (next === 32 || next === 9 || (cls(next) & C_SPLIT) !== 0 || next === 46) return k;
    } else if (c === 92) k++; // escaped char
  }
  return -1;
}

/** Digits joined by . or - with a digit at both ends. */
function isPlainNumber(tok: string): boolean {
  const last = tok.length - 1;
  if (!isDigitCode(tok.charCodeAt(0)) || !isDigitCode(tok.charCodeAt(last))) return false;
  for (let i = 1; i < last; i++) {
    const c = tok.charCodeAt(i);
    if (!isDigitCode(c) && c !== 46 && c !== 45) return false;
  }
  return true;
}

/** Cheap pre-check before lower-casing: value words start with one of these letters. */
function maybeValueWord(tok: string, s: number, e: number): boolean {
  const len = e - s;
  if (len < 4 || len > 5) return false;
  const c = tok.charCodeAt(s) | 32;
  return (
    (c === 116 || c === 102 || c === 110 || c === 114) &&
    VALUE_WORDS.has(tok.slice(s, e).toLowerCase())
  );
}

function trailingPunct(tok: string): string {
  let e = tok.length;
  while (e > 0 && (cls(tok.charCodeAt(e - 1)) & (C_PATH_DELIM | C_TOKEN_DELIM)) !== 0) e--;
  return tok.slice(e);
}

function isSizeUnitToken(tok: string): boolean {
  let e = tok.length;
  while (e > 0 && (cls(tok.charCodeAt(e - 1)) & C_PATH_DELIM) !== 0) e--;
  if (e === 0 || e > 3) return false;
  return SIZE_UNITS.has(e === tok.length ? tok : tok.slice(0, e));
}

/** Masks the variable parts of one whitespace-free token. Returns `tok` itself when nothing is variable. */
/**
 * A code location as Java logging patterns print it (`%logger#%line`): a dotted logger name, '#',
 * and a source line (`t.s.TravelServiceImpl#457`, `o.a.c.c.C.[.[.[.[dispatcherServlet]#175`).
 * It names a place in the code, so it is a constant: two messages from different lines are
 * different events, even when their words match.
 */
export function isCodeLocation(tok: string): boolean {
  const h = tok.lastIndexOf('#');
  if (h <= 0 || h === tok.length - 1) return false;
  for (let i = h + 1; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const c0 = tok.charCodeAt(0) | 32;
  if (c0 < 97 || c0 > 122) return false;
  let dots = 0;
  for (let i = 0; i < h; i++) {
    const c = tok.charCodeAt(i);
    const l = c | 32;
    if (c === 46) dots++;
    else if (!(
      (l >= 97 && l <= 122) ||
      (c >= 48 && c <= 57) ||
      c === 95 ||
      c === 36 ||
      c === 91 ||
      c === 93
    ))
      return false;
  }
  return dots >= 1;
}

export function maskToken(tok: string, knownFlags = -1): string {
  const len = tok.length;
  let flags = knownFlags;
  if (flags < 0) {
    flags = 0;
    for (let i = 0; i < len; i++) flags |= cls(tok.charCodeAt(i));
  }
  const c0 = tok.charCodeAt(0);
  if (
    (flags & C_DIGIT) === 0 &&
    c0 !== 47 /* / */ &&
    c0 !== 92 /* \ */ &&
    (flags & (C_SPLIT | C_TOKEN_DELIM)) === 0
  ) {
    // a plain word: only value words and hex words are variables
    if (maybeValueWord(tok, 0, len)) return MASK;
    return len >= 8 && isHexWord(tok, 0, len) ? MASK : tok;
  }
  if ((flags & C_TOKEN_DELIM) !== 0 && tok.indexOf('#') > 0 && isCodeLocation(tok)) return tok;
  // URLs, e-mails, IPv6 and timestamps need ':' or '@'; UUIDs are 36 chars
  if (
    len >= 7 &&
    (len >= 36 || (flags & (C_PATH_DELIM | C_TOKEN_DELIM)) !== 0) &&
    (len >= 36 || tok.indexOf(':') >= 0 || tok.indexOf('@') >= 0)
  ) {
    const whole = wholeTokenVariable(tok);
    if (whole !== undefined) return whole;
  }
  if ((flags & C_SPLIT) === 0) return maskPiece(tok, 0, len);
  // split at path delimiters, mask each piece
  let out = '';
  let changed = false;
  let pieceStart = 0;
  for (let i = 0; i <= len; i++) {
    const c = i < len ? tok.charCodeAt(i) : 0;
    if (i === len || (cls(c) & C_SPLIT) !== 0) {
      if (i > pieceStart) {
        const m = maskPiece(tok, pieceStart, i);
        if (m.length !== i - pieceStart || m === MASK) changed = true;
        out += m;
      }
      if (i < len) out += tok.charAt(i);
      pieceStart = i + 1;
    }
  }
  return changed ? collapseMasks(out) : tok;
}

/** Variables recognised on the whole token: URLs, e-mails, IPv6, UUIDs, ISO timestamps. */
function wholeTokenVariable(tok: string): string | undefined {
  // URL: scheme://rest -> scheme://<*>
  const sep = tok.indexOf('://');
  if (sep > 0 && sep + 3 < tok.length) {
    let b = sep;
    while (b > 0 && (cls(tok.charCodeAt(b - 1)) & (C_LOWER | C_UPPER | C_DIGIT)) !== 0) b--;
    if (b < sep && sep - b < 12) return tok.slice(0, sep + 3) + MASK + trailingBracket(tok);
  }
  const at = tok.indexOf('@');
  if (at > 0 && tok.indexOf('.', at) > at + 1 && tok.indexOf(':') < 0)
    return MASK + trailingBracket(tok);
  if (isUuidAt(tok, 0)) return tok.length === 36 ? MASK : undefined;
  const c = tok.charCodeAt(0);
  if (c >= 48 && c <= 57 && isIsoTimestamp(tok)) return MASK + trailingBracket(tok);
  // [10/Oct/2000:13:55:36 and other dates with a clock
  const s0 = c === 91 ? 1 : 0;
  const cs = tok.charCodeAt(s0);
  if (cs >= 48 && cs <= 57 && tok.indexOf(':') > 0) {
    const ts = parseTimestampAt(tok, s0, 2000);
    if (ts !== undefined && ts.end >= tok.length - 1)
      return (s0 === 1 ? '[' : '') + MASK + (ts.end < tok.length ? tok.slice(ts.end) : '');
  }
  if (tok.indexOf('::') >= 0 || countChar(tok, 58) >= 4) {
    if (isIpv6Like(tok)) return MASK;
  }
  return undefined;
}

function trailingBracket(tok: string): string {
  const last = tok.charCodeAt(tok.length - 1);
  return last === 41 || last === 93 || last === 44 || last === 59 || last === 125
    ? tok[tok.length - 1]!
    : '';
}

function countChar(s: string, code: number): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === code) n++;
  return n;
}

function isHexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isUuidAt(s: string, p: number): boolean {
  if (s.length - p < 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(p + i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!isHexCode(c)) return false;
  }
  return true;
}

function isIsoTimestamp(s: string): boolean {
  // 2023-01-29T10:00:00(.123)?(Z|+01:00)?  or 2023-01-29 (date only is handled by digit rules)
  if (s.length < 19) return false;
  for (let i = 0; i < 4; i++) if (!isDigitCode(s.charCodeAt(i))) return false;
  const t = s.charCodeAt(10);
  return (
    s.charCodeAt(4) === 45 &&
    s.charCodeAt(7) === 45 &&
    (t === 84 || t === 95) &&
    s.charCodeAt(13) === 58
  );
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isIpv6Like(tok: string): boolean {
  let s = 0;
  let e = tok.length;
  if (tok.charCodeAt(0) === 91) s = 1; // [::1]:8080
  const close = tok.indexOf(']');
  if (close > 0) e = close;
  let colons = 0;
  for (let i = s; i < e; i++) {
    const c = tok.charCodeAt(i);
    if (c === 58) colons++;
    else if (!isHexCode(c) && c !== 46 && c !== 37) return false;
  }
  return colons >= 2;
}

/**
 * Masks one piece of a token between path delimiters (`key=value`, `a:b`, `(x)` split there).
 */
function maskPiece(tok: string, s: number, e: number): string {
  const c0 = tok.charCodeAt(s);
  // path-like string: /a/b, \a\b (Khan et al. PS rule: ^(/[^/]+)+$), also relative a/b/c
  if ((c0 === 47 || c0 === 92) && e - s > 1 && isPathLike(tok, s, e, c0)) return MASK;
  let digits = 0;
  let runs = 0;
  let maxRun = 0;
  let run = 0;
  let letters = 0;
  let hexOnly = true;
  let dots = 0;
  let slashes = 0;
  let hyphens = 0;
  for (let i = s; i < e; i++) {
    const c = tok.charCodeAt(i);
    const k = cls(c);
    if ((k & C_DIGIT) !== 0) {
      digits++;
      if (run === 0) runs++;
      run++;
      if (run > maxRun) maxRun = run;
    } else {
      run = 0;
      if ((k & (C_LOWER | C_UPPER)) !== 0) {
        letters++;
        if ((k & C_HEX_LETTER) === 0) hexOnly = false;
      } else {
        hexOnly = false;
        if (c === 46) dots++;
        else if (c === 47) slashes++;
        else if (c === 45) hyphens++;
      }
    }
  }
  if (slashes >= 2 && letters + digits > 2) return MASK; // relative path a/b/c
  if (slashes === 1 && c0 !== 47 && c0 !== 92) {
    // host/ip, PS/2, 8086/2410: each side on its own
    const at = tok.indexOf('/', s);
    if (at > s && at < e - 1)
      return collapseMasks(maskPiece(tok, s, at) + '/' + maskPiece(tok, at + 1, e));
  }
  if (digits === 0) {
    if (dots >= 1 && isHostName(tok, s, e, hyphens > 0)) return MASK;
    if (maybeValueWord(tok, s, e)) return MASK;
    if (e - s >= 8 && isHexWord(tok, s, e)) return MASK;
    return e - s === tok.length ? tok : tok.slice(s, e);
  }
  if (isNumberWithUnit(tok, s, e)) return MASK;
  // 0x1f, deadbeef01 (hex with a digit, >= 8 chars): identifiers
  if (c0 === 48 && e - s > 2 && (tok.charCodeAt(s + 1) | 32) === 120) return MASK;
  if (hexOnly && letters > 0 && e - s >= 8) return MASK;
  if (dots >= 1 && isHostName(tok, s, e, true)) return MASK;
  // identifiers: letters and digits mixed in one word with a long digit run or several runs
  // (blk_-123456, job_1445_0020, rdd_2_1, R02-M1-N0) — but not versions (jetty-6.1.26) or ssh2
  if (letters > 0 && (maxRun >= 6 || ((maxRun >= 4 || runs >= 2) && hasMixedSubtoken(tok, s, e))))
    return MASK;
  // remaining: Khan et al. DG rule — digit-only sub-tokens between . - + @ # $ % & become <*>
  return maskDigitSubtokens(tok, s, e);
}

function isHexWord(tok: string, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (!isHexCode(tok.charCodeAt(i))) return false;
  return true;
}

/** True when a sub-token between . - + @ # $ % & mixes letters and digits (piece0, R02, blk_123). */
function hasMixedSubtoken(tok: string, s: number, e: number): boolean {
  let letters = false;
  let digits = false;
  for (let i = s; i <= e; i++) {
    const k = i < e ? cls(tok.charCodeAt(i)) : C_TOKEN_DELIM;
    if ((k & C_TOKEN_DELIM) !== 0 || tok.charCodeAt(i) === 47) {
      if (letters && digits) return true;
      letters = false;
      digits = false;
    } else if ((k & C_DIGIT) !== 0) digits = true;
    else if ((k & (C_LOWER | C_UPPER)) !== 0) letters = true;
  }
  return false;
}

function isPathLike(tok: string, s: number, e: number, sep: number): boolean {
  if (tok.charCodeAt(e - 1) === sep)
    return e - s > 2 && tok.indexOf(String.fromCharCode(sep), s + 1) < e - 1;
  for (let i = s + 1; i < e; i++)
    if (tok.charCodeAt(i) === sep && tok.charCodeAt(i - 1) === sep) return false;
  return true;
}

function isNumberWithUnit(tok: string, s: number, e: number): boolean {
  let i = s;
  let c = tok.charCodeAt(i);
  if (c === 45 || c === 43) i++;
  const digitStart = i;
  while (i < e && isDigitCode(tok.charCodeAt(i))) i++;
  if (i === digitStart) return false;
  if (
    i < e &&
    (tok.charCodeAt(i) === 46 || tok.charCodeAt(i) === 44) &&
    i + 1 < e &&
    isDigitCode(tok.charCodeAt(i + 1))
  ) {
    i++;
    while (i < e && isDigitCode(tok.charCodeAt(i))) i++;
  }
  if (i < e && (tok.charCodeAt(i) | 32) === 101 && i + 1 < e) {
    // exponent
    let j = i + 1;
    c = tok.charCodeAt(j);
    if (c === 45 || c === 43) j++;
    if (j < e && isDigitCode(tok.charCodeAt(j))) {
      while (j < e && isDigitCode(tok.charCodeAt(j))) j++;
      i = j;
    }
  }
  if (i === e) return true;
  // unit suffix: letters only (ms, s, KB, MiB, %) up to 3 chars
  const unitLen = e - i;
  if (unitLen > 3) return false;
  for (let j = i; j < e; j++) {
    const k = cls(tok.charCodeAt(j));
    if ((k & (C_LOWER | C_UPPER)) === 0 && tok.charCodeAt(j) !== 37) return false;
  }
  return true;
}

function isHostName(tok: string, s: number, e: number, hasDigitOrHyphen: boolean): boolean {
  const lastDot = tok.lastIndexOf('.', e - 1);
  if (lastDot <= s || lastDot >= e - 2) return false;
  for (let i = s; i < e; i++) {
    const c = tok.charCodeAt(i);
    const k = cls(c);
    if ((k & (C_DIGIT | C_LOWER | C_UPPER)) === 0 && c !== 45 && c !== 46 && c !== 95) return false;
  }
  const tld = tok.slice(lastDot + 1, e);
  for (let i = 0; i < tld.length; i++) if ((cls(tld.charCodeAt(i)) & C_LOWER) === 0) return false;
  if (GENERIC_TLDS.has(tld)) return true;
  return tld.length === 2 && hasDigitOrHyphen;
}

function maskDigitSubtokens(tok: string, s: number, e: number): string {
  let out = '';
  let subStart = s;
  let changed = false;
  for (let i = s; i <= e; i++) {
    const c = i < e ? tok.charCodeAt(i) : 0;
    if (i === e || (cls(c) & C_TOKEN_DELIM) !== 0) {
      if (i > subStart) {
        let allDigits = true;
        for (let j = subStart; j < i; j++) {
          if (!isDigitCode(tok.charCodeAt(j))) {
            allDigits = false;
            break;
          }
        }
        if (allDigits) {
          out += MASK;
          changed = true;
        } else out += tok.slice(subStart, i);
      }
      if (i < e) out += tok.charAt(i);
      subStart = i + 1;
    }
  }
  return changed ? collapseMasks(out) : tok.slice(s, e);
}

/**
 * Khan et al. DV and CV rules: `<*>.<*>` and `<*><*>` become `<*>`; likewise variables joined by
 * `-` or `_` (dates, ranges, compound ids) are one value. `<*>:<*>` and `<*>/<*>` keep their structure.
 */
export function collapseMasks(t: string): string {
  if (!hasAdjacentMasks(t)) return t;
  // one pass: after a <*>, swallow further <*> joined directly or by . - _
  let out = '';
  let from = 0;
  let i = t.indexOf(MASK);
  while (i >= 0) {
    let j = i + 3;
    for (;;) {
      if (t.startsWith(MASK, j)) j += 3;
      else {
        const c = t.charCodeAt(j);
        if ((c === 46 || c === 45 || c === 95) && t.startsWith(MASK, j + 1)) j += 4;
        else break;
      }
    }
    out += t.slice(from, i) + MASK;
    from = j;
    i = t.indexOf(MASK, j);
  }
  return out + t.slice(from);
}

function hasAdjacentMasks(t: string): boolean {
  let i = t.indexOf('<*>');
  while (i >= 0) {
    const a = t.charCodeAt(i + 3);
    if (a === 60 /* < */) return true;
    if ((a === 46 || a === 45 || a === 95) && t.charCodeAt(i + 4) === 60) return true;
    i = t.indexOf('<*>', i + 3);
  }
  return false;
}

/**
 * Canonical form of a template token (Khan et al. WV rule): a word glued to a variable
 * (`blk_<*>`, `piece<*>`) is a variable. Delimiter-separated structure (`uid=<*>`, `[<*>]`) stays.
 */
export function canonicalToken(tok: string): string {
  if (tok === MASK || tok.indexOf('<*>') < 0) return tok;
  let out = '';
  let subStart = 0;
  const len = tok.length;
  for (let i = 0; i <= len; i++) {
    const c = i < len ? tok.charCodeAt(i) : 0;
    if (i === len || (c < 128 && (CLASS[c]! & (C_PATH_DELIM | C_TOKEN_DELIM)) !== 0)) {
      if (i > subStart) {
        const sub = tok.slice(subStart, i);
        out += sub !== MASK && sub.includes(MASK) && !sub.includes('/') ? MASK : sub;
      }
      if (i < len) out += tok.charAt(i);
      subStart = i + 1;
    }
  }
  return collapseMasks(out);
}
