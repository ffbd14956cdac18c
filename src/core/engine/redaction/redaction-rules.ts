/**
 * What the redactor looks for. Each rule is a global regular expression without nested
 * quantifiers (no catastrophic backtracking), the capture group that holds the secret (the
 * whole match when absent) and an optional check that weeds out look-alikes (Luhn for card
 * numbers, "has a digit" for bearer tokens).
 */
export interface RedactionRule {
  /** Placeholder label: `<EMAIL_1>`. Upper case, digits and `_`. */
  label: string;
  pattern: RegExp;
  /**
   * Lower-case literals of which a match contains at least one: a text without any of them is
   * not searched (most log text holds no "://" or "bearer", and the search is the cost).
   */
  anchors?: readonly string[];
  /** Capture group of the secret itself (the first that matched, when several); 0 (default) is the whole match. */
  group?: number | readonly number[];
  /** false: not a secret after all. */
  accept?: (value: string, match: RegExpExecArray) => boolean;
  /** Where the secret starts when the pattern matches only its end (the pattern is anchored on a literal such as "@": fast). */
  extendLeft?: (text: string, at: number) => number | undefined;
}

const isLocalPart = (c: number) =>
  (c >= 48 && c <= 57) ||
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  c === 46 ||
  c === 95 ||
  c === 37 ||
  c === 43 ||
  c === 45;

/** The local part of an address before "@" (1 to 64 characters), or undefined. */
function localPartStart(text: string, at: number): number | undefined {
  let s = at;
  while (s > 0 && at - s < 64 && isLocalPart(text.charCodeAt(s - 1))) s--;
  if (s === at || (s > 0 && isLocalPart(text.charCodeAt(s - 1)))) return undefined;
  return s;
}

export interface RedactionConfig {
  /** IPv4/IPv6 addresses are personal data in many places; some teams need them for debugging. */
  ips: boolean;
  emails: boolean;
  /** Extra rules from configuration: a name (the placeholder label) and a regular expression. */
  patterns: readonly { name: string; pattern: string }[];
}

export const DEFAULT_REDACTION_CONFIG: RedactionConfig = { ips: true, emails: true, patterns: [] };

/** Luhn checksum over the digits of a string (separators ignored). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    const c = digits.charCodeAt(i) - 48;
    if (c < 0 || c > 9) continue;
    let d = c;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes and lengths of the card brands in use; a random 16-digit number rarely has both and a valid checksum. */
function cardBrand(d: string): boolean {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p3 = Number(d.slice(0, 3));
  const p4 = Number(d.slice(0, 4));
  if (d[0] === '4') return n === 13 || n === 16 || n === 19; // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16; // Mastercard
  if (p2 === 34 || p2 === 37) return n === 15; // Amex
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) return n >= 16 && n <= 19; // Discover
  if (p2 === 35) return n >= 16 && n <= 19; // JCB
  if (p2 === 36 || p2 === 38 || (p3 >= 300 && p3 <= 305)) return n >= 14 && n <= 19; // Diners
  if (p2 === 62) return n >= 16 && n <= 19; // UnionPay
  return false;
}

const hasDigit = (s: string) => /\d/.test(s);
/** Values that are not secrets: empty markers, masks, booleans, variables of a template. */
const NOT_A_VALUE =
  /^(?:<\*>|<[A-Z_]+_\d+>|\*+|x+|null|nil|none|true|false|undefined|redacted|\[redacted\]|\$\{[^}]*\}|%s|\{\})$/i;

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/** Words that make a name a secret's, in key=value pairs, JSON fields, headers and environment variables. */
const SECRET_WORD =
  'password|passwd|passphrase|secret|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth[_-]?token|access[_-]?token|refresh[_-]?token|session[_-]?token|id[_-]?token|credentials?|x-api-key|token';

const isNameChar = (c: number) =>
  (c >= 48 && c <= 57) ||
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  c === 95 ||
  c === 46 ||
  c === 45;

/** The whole name of a matched secret: what precedes the secret word (up to 30 name characters) and the word with its suffix. */
function secretName(m: RegExpExecArray): string {
  let s = m.index;
  while (s > 0 && m.index - s < 30 && isNameChar(m.input.charCodeAt(s - 1))) s--;
  const own = /^[A-Za-z0-9_-]+/.exec(m[0])?.[0] ?? '';
  return m.input.slice(s, m.index) + own;
}

const SECRET_ANCHORS = ['pass', 'secret', 'key', 'token', 'credential'];

/** The built-in rules, most specific first (an earlier rule wins a tie on the same text). */
export function redactionRules(
  config: RedactionConfig = DEFAULT_REDACTION_CONFIG,
): RedactionRule[] {
  const rules: RedactionRule[] = [
    // a PEM private key, up to its END line (or the end of the text when cut off)
    {
      label: 'PRIVATE_KEY',
      anchors: ['private key'],
      pattern:
        /-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----|$)/g,
    },
    {
      label: 'AWS_KEY',
      pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g,
    },
    {
      label: 'GITHUB_TOKEN',
      anchors: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
      pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,255})\b/g,
    },
    { label: 'SLACK_TOKEN', anchors: ['xox'], pattern: /\bxox[abposre]-[A-Za-z0-9-]{10,250}/g },
    {
      label: 'SLACK_WEBHOOK',
      anchors: ['hooks.slack.com'],
      pattern:
        /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{8,200}/g,
    },
    {
      label: 'STRIPE_KEY',
      anchors: ['_live_', '_test_'],
      pattern: /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,99}\b/g,
    },
    { label: 'GOOGLE_KEY', anchors: ['aiza'], pattern: /\bAIza[A-Za-z0-9_-]{35}\b/g },
    {
      label: 'JWT',
      anchors: ['eyj'],
      pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
    },
    // Authorization: Bearer …, Basic …; only token-like values (a digit or a symbol), not "Bearer authentication failed"
    {
      label: 'TOKEN',
      anchors: ['bearer', 'basic', 'token'],
      pattern: /\b(?:Bearer|Basic|Token)\s{1,3}([A-Za-z0-9._~+/-]{8,2048}={0,2})/gi,
      group: 1,
      accept: (v) => hasDigit(v) || /[._~+/-]/.test(v),
    },
    // scheme://user:password@host
    {
      label: 'PASSWORD',
      anchors: ['://'],
      pattern: /\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}:\/\/[^\s:/@]{1,256}:([^\s@/]{1,256})@/g,
      group: 1,
      accept: (v) => !NOT_A_VALUE.test(v),
    },
    // password=…, "api_key": "…", X-Api-Key: …, AWS_SECRET_ACCESS_KEY=…: matched from the secret word (fast to find), the rest of the name read to its left
    {
      label: 'SECRET',
      anchors: SECRET_ANCHORS,
      pattern: new RegExp(
        `(?:${SECRET_WORD})[A-Za-z0-9_-]{0,20}["']?[ \\t]{0,3}[:=][ \\t]{0,3}(?:"([^"\\r\\n]{1,512})"|'([^'\\r\\n]{1,512})'|([^\\s"',;&}\\])]{1,512}))`,
        'gi',
      ),
      group: [1, 2, 3],
      accept: (v, m) => {
        if (NOT_A_VALUE.test(v)) return false;
        const key = secretName(m).toLowerCase();
        // counts and limits: max_tokens=512, token_count: 3, tokens=…
        if (
          /tokens?$|token_?(?:count|limit|len(?:gth)?|type|s)$|^max|count$/.test(key) &&
          /^\d{1,6}$/.test(v)
        )
          return false;
        if (/(?:^|[_-])tokens$|tokenizer|_count$|_len$|_type$|_expir|_ttl$/.test(key)) return false;
        return true;
      },
    },
  ];
  // matched from the "@" (a literal the engine finds fast), the local part added by a scan to the left
  if (config.emails)
    rules.push({
      label: 'EMAIL',
      anchors: ['@'],
      pattern: /@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}\b/g,
      extendLeft: localPartStart,
    });
  rules.push({
    label: 'CARD',
    pattern: /\b\d(?:[ -]?\d){12,18}\b/g,
    accept: (v) => {
      const d = v.replace(/[ -]/g, '');
      // one kind of separator, in groups (4111 1111 1111 1111), or none
      if (/ /.test(v) && /-/.test(v)) return false;
      return cardBrand(d) && luhnValid(d);
    },
  });
  if (config.ips) {
    rules.push({
      label: 'IP',
      pattern: new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?!\\.?\\d)`, 'g'),
      accept: (v, m) => {
        // versions: v1.2.3.4, 1.2.3.4-beta
        const before = m.input.slice(Math.max(0, m.index - 8), m.index).toLowerCase();
        return !/(?:version|ver|v)[ =:]?$/.test(before);
      },
    });
    rules.push({
      label: 'IP',
      pattern: /(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])/g,
      accept: (v) => {
        const groups = v.split(':').filter((g) => g !== '').length;
        const double = v.indexOf('::');
        if (v.includes(':::') || (double >= 0 && double !== v.lastIndexOf('::'))) return false;
        // a single colon cannot open or close an address
        if ((v.startsWith(':') && double !== 0) || (v.endsWith(':') && !v.endsWith('::')))
          return false;
        // times (12:30:45) and MACs have no "::" and fewer than 8 groups; "::" alone is nothing
        return double >= 0 ? groups >= 1 && groups <= 7 : groups === 8;
      },
    });
  }
  for (const p of config.patterns)
    rules.push({ label: p.name.toUpperCase(), pattern: new RegExp(p.pattern, 'g') });
  return rules;
}

/**
 * Checks configured patterns before use: the name must make a placeholder label, the pattern
 * must compile and must not match the empty string (it would match everywhere). Returns the
 * problem in words, or undefined.
 */
export function checkRedactionPattern(p: { name: string; pattern: string }): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(p.name))
    return `redaction pattern name "${p.name}" must be a letter then letters, digits or _ (it becomes the placeholder <${p.name.toUpperCase()}_1>)`;
  let re: RegExp;
  try {
    re = new RegExp(p.pattern, 'g');
  } catch (e) {
    return `redaction pattern "${p.name}" is not a valid regular expression: ${(e as Error).message}`;
  }
  if (re.test(''))
    return `redaction pattern "${p.name}" matches the empty string; it must match the secret itself`;
  return undefined;
}
