/**
 * Builds what a model reads: the incident's subgraph (services, dependencies, ranked causes,
 * the evidence behind them with ids to cite, changes) and the most similar past incidents,
 * or a log report's findings, within a character budget. Items are added by priority; what
 * does not fit is counted as omitted, never cut in the middle of a line.
 */
import { isoSeconds as iso } from '../../domain/time-text.js';
import { clip } from '../../domain/text.js';

export interface ContextEvidence {
  /** Cited by the model: `e1`. */
  id: string;
  service: string;
  signal: string;
  reason: string;
  /** Log lines, span exemplars: one per entry, already short. */
  lines: string[];
}

export interface ContextCandidate {
  service: string;
  score: number;
  reasons: string[];
  evidence: ContextEvidence[];
}

export interface ContextChange {
  id: string;
  timeMs: number;
  service?: string;
  text: string;
}

export interface ContextPast {
  id: string;
  title: string;
  whenMs: number;
  /** What was found to be the cause, how it ended. */
  outcome: string;
  similarity: number;
}

export interface IncidentContextInput {
  title: string;
  status: string;
  firstSymptomMs: number;
  lastSymptomMs: number;
  services: readonly string[];
  candidates: readonly ContextCandidate[];
  edges: readonly {
    caller: string;
    callee: string;
    calls: number;
    errors: number;
    p90Ms: number;
  }[];
  changes: readonly ContextChange[];
  similar: readonly ContextPast[];
}

export interface LogFindingContext {
  id: string;
  kind: string;
  severity: string;
  reason: string;
  template?: string;
  count: number;
  firstSeenMs?: number;
  lastSeenMs?: number;
  lines: string[];
}

/** An incident across a log's sources, as the engine grouped and ranked it; `findings` are the ids of its findings given. */
export interface LogIncidentContext {
  startMs: number;
  endMs: number;
  services: readonly string[];
  causes: readonly { service: string; score: number; reason: string }[];
  findings: readonly string[];
}

export interface LogsContextInput {
  name: string;
  lines: number;
  records: number;
  firstMs?: number;
  lastMs?: number;
  severityCounts: Readonly<Record<string, number>>;
  /** Incidents across the sources with their ranked causes (logs alone): those chosen to show. */
  incidents?: readonly LogIncidentContext[];
  /** Incidents found but not given (beyond those shown). */
  incidentsLeftOut?: number;
  findings: readonly LogFindingContext[];
  similar: readonly ContextPast[];
}

export interface BuiltContext {
  text: string;
  /** The ids the model may cite. */
  evidenceIds: Set<string>;
  included: Record<string, number>;
  omitted: Record<string, number>;
}

class Budget {
  readonly parts: string[] = [];
  readonly included: Record<string, number> = {};
  readonly omitted: Record<string, number> = {};
  readonly ids = new Set<string>();
  #chars = 0;
  constructor(readonly maxChars: number) {}
  /** Adds the text when it fits (always for a header); counts the item either way. */
  add(text: string, kind?: string, id?: string): boolean {
    if (kind !== undefined && this.#chars + text.length + 1 > this.maxChars) {
      this.omitted[kind] = (this.omitted[kind] ?? 0) + 1;
      return false;
    }
    this.parts.push(text);
    this.#chars += text.length + 1;
    if (kind !== undefined) this.included[kind] = (this.included[kind] ?? 0) + 1;
    if (id !== undefined) this.ids.add(id);
    return true;
  }
  result(): BuiltContext {
    return {
      text: this.parts.join('\n'),
      evidenceIds: this.ids,
      included: this.included,
      omitted: this.omitted,
    };
  }
}

function addSimilar(b: Budget, similar: readonly ContextPast[]): void {
  if (similar.length === 0) return;
  b.add('\n## Similar past incidents (cite as [h…]; they may or may not be related)');
  for (const s of similar)
    b.add(
      `[${s.id}] ${iso(s.whenMs)} "${clip(s.title, 160)}" (similarity ${s.similarity.toFixed(2)}): ${clip(s.outcome, 300)}`,
      'similar',
      s.id,
    );
}

export function buildIncidentContext(input: IncidentContextInput, maxChars: number): BuiltContext {
  const b = new Budget(maxChars);
  b.add('## Incident');
  b.add(`title: ${clip(input.title, 200)}`);
  b.add(
    `status: ${input.status}; first symptom ${iso(input.firstSymptomMs)}; last symptom ${iso(input.lastSymptomMs)}`,
  );
  b.add(`abnormal services (most abnormal first): ${input.services.join(', ')}`);
  b.add('\n## Root-cause candidates ranked by the deterministic engine (score 0..1)');
  input.candidates.forEach((c, i) =>
    b.add(
      `${i + 1}. ${c.service} (score ${c.score.toFixed(2)}): ${c.reasons.map((r) => clip(r, 240)).join('; ')}`,
      'candidates',
    ),
  );
  b.add('\n## Evidence (cite by id, e.g. [e1])');
  for (const c of input.candidates) {
    for (const e of c.evidence) {
      const head = `[${e.id}] ${e.service} · ${e.signal} · ${clip(e.reason, 300)}`;
      const lines = e.lines.map((l) => `    ${clip(l, 300)}`);
      if (b.add([head, ...lines].join('\n'), 'evidence', e.id))
        b.included.lines = (b.included.lines ?? 0) + lines.length;
    }
  }
  if (input.changes.length > 0) {
    b.add('\n## Changes in and before the window (cite as [c…])');
    for (const c of input.changes)
      b.add(
        `[${c.id}] ${iso(c.timeMs)} ${c.service ?? ''} ${clip(c.text, 240)}`.replace(/ {2,}/g, ' '),
        'changes',
        c.id,
      );
  }
  if (input.edges.length > 0) {
    b.add(
      '\n## Service dependencies around the incident (caller -> callee: calls, errors, callee p90)',
    );
    for (const e of input.edges)
      b.add(
        `${e.caller} -> ${e.callee}: ${e.calls} calls, ${e.errors} errors, p90 ${Math.round(e.p90Ms)} ms`,
        'edges',
      );
  }
  addSimilar(b, input.similar);
  return b.result();
}

export function buildLogsContext(input: LogsContextInput, maxChars: number): BuiltContext {
  const b = new Budget(maxChars);
  b.add('## Log analysis');
  b.add(
    `source: ${clip(input.name, 200)}; ${input.lines} lines, ${input.records} records${input.firstMs === undefined ? '' : `, ${iso(input.firstMs)} to ${iso(input.lastMs ?? input.firstMs)}`}`,
  );
  b.add(
    `severities: ${Object.entries(input.severityCounts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
  if ((input.incidents ?? []).length > 0) {
    b.add(
      '\n## Incidents the deterministic engine found across the sources (services in trouble together, probable causes ranked)',
    );
    if ((input.incidentsLeftOut ?? 0) > 0)
      b.add(
        `(the ${(input.incidents ?? []).length} with the strongest causes, in time order; ${input.incidentsLeftOut} more left out)`,
      );
    for (const [n, inc] of (input.incidents ?? []).entries()) {
      const causes = inc.causes
        .map((c) => `${c.service} ${c.score.toFixed(2)} (${clip(c.reason, 200)})`)
        .join('; ');
      b.add(
        `incident ${n + 1}: ${iso(inc.startMs)} to ${iso(inc.endMs)}; services ${inc.services.join(', ')}; probable causes: ${causes}${inc.findings.length === 0 ? '' : `; findings ${inc.findings.map((f) => `[${f}]`).join(' ')}`}`,
        'incidents',
      );
    }
  }
  b.add('\n## Findings ranked by the deterministic engine (cite by id, e.g. [f1])');
  for (const f of input.findings) {
    const when =
      f.firstSeenMs === undefined
        ? ''
        : ` first ${iso(f.firstSeenMs)}${f.lastSeenMs === undefined ? '' : `, last ${iso(f.lastSeenMs)}`}`;
    const head = `[${f.id}] ${f.severity} ${f.kind} ×${f.count}${when}: ${clip(f.reason, 300)}${f.template === undefined ? '' : `\n    template: ${clip(f.template, 300)}`}`;
    const lines = f.lines.map((l) => `    ${clip(l, 300)}`);
    if (b.add([head, ...lines].join('\n'), 'findings', f.id))
      b.included.lines = (b.included.lines ?? 0) + lines.length;
  }
  addSimilar(b, input.similar);
  return b.result();
}

/** Jaccard similarity of two feature sets. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/** Words of a text that say something (lower case, 4+ letters, no template masks). */
export function words(text: string): string[] {
  return (text.toLowerCase().match(/[a-z][a-z_-]{3,}/g) ?? []).filter((w) => !STOP.has(w));
}
const STOP = new Set([
  'that',
  'this',
  'with',
  'from',
  'usually',
  'times',
  'which',
  'call',
  'calls',
  'their',
  'them',
  'there',
  'abnormal',
  'service',
  'explains',
  'symptoms',
  'error',
  'errors',
  'warn',
  'info',
]);
