import type { RedactionConfig, RedactionRule } from './redaction-rules.js';
import { DEFAULT_REDACTION_CONFIG, redactionRules } from './redaction-rules.js';

/** A secret found in a text: where it is and what kind. */
export interface SecretSpan {
  start: number;
  end: number;
  label: string;
}

interface CompiledRule {
  label: string;
  anchors: readonly string[] | undefined;
  re: RegExp;
  groups: readonly number[];
  accept: RedactionRule['accept'];
  extendLeft: RedactionRule['extendLeft'];
}

function compile(rules: readonly RedactionRule[]): CompiledRule[] {
  return rules.map((r) => {
    const flags = new Set([...r.pattern.flags.split(''), 'g', 'd']);
    const group = r.group ?? 0;
    return {
      label: r.label,
      anchors: r.anchors,
      re: new RegExp(r.pattern.source, [...flags].join('')),
      groups: typeof group === 'number' ? [group] : group,
      accept: r.accept,
      extendLeft: r.extendLeft,
    };
  });
}

/**
 * Every secret in the text, left to right, without overlaps: where two rules claim text, the
 * span that starts first wins, then the longer, then the earlier rule.
 */
export function findSecrets(text: string, rules: readonly CompiledRule[]): SecretSpan[] {
  const found: (SecretSpan & { rank: number })[] = [];
  let lower: string | undefined;
  rules.forEach((r, rank) => {
    if (r.anchors !== undefined) {
      lower ??= text.toLowerCase();
      const l = lower;
      if (!r.anchors.some((a) => l.includes(a))) return;
    }
    r.re.lastIndex = 0;
    for (let m = r.re.exec(text); m !== null; m = r.re.exec(text)) {
      if (m[0] === '') {
        r.re.lastIndex++;
        continue;
      }
      const g = r.groups.find((i) => m[i] !== undefined);
      const span = g === undefined ? undefined : m.indices?.[g];
      if (g === undefined || span === undefined) continue;
      const value = m[g]!;
      if (value === '' || (r.accept !== undefined && !r.accept(value, m))) continue;
      const start = r.extendLeft === undefined ? span[0] : r.extendLeft(text, span[0]);
      if (start === undefined) continue;
      found.push({ start, end: span[1], label: r.label, rank });
    }
  });
  found.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start) || a.rank - b.rank);
  const out: SecretSpan[] = [];
  let end = -1;
  for (const f of found) {
    // overlaps a span already taken (which starts earlier, or at the same place and is longer)
    if (f.start < end) continue;
    out.push({ start: f.start, end: f.end, label: f.label });
    end = f.end;
  }
  return out;
}

const PLACEHOLDER = /<([A-Z][A-Z0-9_]*?)_(\d+)>/g;

/**
 * Replaces secrets and personal data with placeholders that stay the same for the same value
 * (`<EMAIL_1>` every time that address appears), so a model can still tell "the same user"
 * apart from "another user", and the answer can be shown locally with the values restored.
 * One redactor per conversation: its table maps placeholders back to the originals and never
 * leaves the process.
 */
export class Redactor {
  readonly #rules: CompiledRule[];
  readonly #byValue = new Map<string, string>();
  readonly #byPlaceholder = new Map<string, string>();
  readonly #next = new Map<string, number>();
  readonly #counts = new Map<string, number>();

  constructor(config: RedactionConfig = DEFAULT_REDACTION_CONFIG) {
    this.#rules = compile(redactionRules(config));
  }

  /** Where the secrets are, without replacing them (tests, reports). */
  find(text: string): SecretSpan[] {
    return findSecrets(text, this.#rules);
  }

  redact(text: string): string {
    const spans = findSecrets(text, this.#rules);
    if (spans.length === 0) return text;
    let out = '';
    let at = 0;
    for (const s of spans) {
      out += text.slice(at, s.start) + this.#placeholder(s.label, text.slice(s.start, s.end));
      at = s.end;
    }
    return out + text.slice(at);
  }

  /** Puts the original values back in place of this redactor's placeholders (for local display only). */
  restore(text: string): string {
    return text.replace(PLACEHOLDER, (p) => this.#byPlaceholder.get(p) ?? p);
  }

  /** Secrets replaced so far, by kind (each value once). */
  counts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  get size(): number {
    return this.#byValue.size;
  }

  #placeholder(label: string, value: string): string {
    const key = `${label}\u0000${value}`;
    const known = this.#byValue.get(key);
    if (known !== undefined) return known;
    const n = (this.#next.get(label) ?? 0) + 1;
    this.#next.set(label, n);
    const p = `<${label}_${n}>`;
    this.#byValue.set(key, p);
    this.#byPlaceholder.set(p, value);
    this.#counts.set(label, (this.#counts.get(label) ?? 0) + 1);
    return p;
  }
}
