import type { LogRecord } from '../../domain/log-record.js';
import type {
  EvidenceLine,
  LogFinding,
  LogFindingKind,
  LogReport,
  SourceSummary,
  TemplateSummary,
} from '../../domain/log-report.js';
import {
  SEVERITY,
  SEVERITY_NAMES,
  emptySeverityCounts,
  severityName,
} from '../../domain/severity.js';
import type { SeverityName } from '../../domain/severity.js';
import { findException, inferSeverityFromText } from './exceptions.js';
import { detectFormat, parseLine } from './formats/detect-format.js';
import type { DetectedFormat } from './formats/detect-format.js';
import { createHeaderFormat } from './formats/header-format.js';
import type { LineFormat } from './formats/parsed-line.js';
import { SampleBuffer } from './formats/sample-buffer.js';
import type { HeaderLayout } from './header-layout.js';
import { RecordAssembler } from './multiline.js';
import type { Cluster } from './template-miner.js';
import { follow } from './template-miner.js';
import { TemplateParser } from './template-parser.js';
import { LOG_ENGINE_VERSION } from './version.js';
import { clip } from '../../domain/text.js';

export interface AnalyzerOptions {
  /** Year for formats that do not write one (syslog, klog); the caller's clock decides. */
  dateReference: number;
  layout?: HeaderLayout | undefined;
  /** Template table bound (LRU); evictions are counted in the summary. */
  maxTemplates?: number;
  /** Join stack traces and continuation lines (default true). */
  multiline?: boolean;
  /**
   * Only records from `sinceMs` (inclusive) to `untilMs` (exclusive) are analysed; the others
   * are counted (SourceSummary.outsideRange). A record without a time of its own takes the one
   * before it; one with none at all is kept (nothing to judge it by).
   */
  sinceMs?: number | undefined;
  untilMs?: number | undefined;
}

/** Severity index 0..6 in SEVERITY_NAMES order. */
function sevIndex(n: number): number {
  return SEVERITY_NAMES.indexOf(severityName(n));
}

interface TemplateStats {
  count: number;
  sev: number[];
  maxSeverity: number;
  firstMs: number | undefined;
  lastMs: number | undefined;
  firstPos: number;
  examples: EvidenceLine[];
  buckets: Map<number, number>;
  sources: Map<string, number>;
  /** The services its records name, when they name one (bounded like sources). */
  services: Set<string> | undefined;
}

interface ExceptionStats {
  type: string;
  frame: string;
  message: string;
  count: number;
  fatal: boolean;
  firstMs: number | undefined;
  lastMs: number | undefined;
  examples: EvidenceLine[];
  sources: Set<string>;
  services: Set<string> | undefined;
}

const MAX_EXAMPLES = 3;
const EXAMPLE_CHARS = 500;
const MAX_EXCEPTION_KINDS = 10_000;
const MAX_SOURCES_PER_TEMPLATE = 16;
/** Global time buckets kept before their width doubles (bounded memory per template). */
const MAX_BUCKETS = 2048;

/** Receives the physical lines of one source. */
export interface SourceFeed {
  push(line: string, truncated?: boolean): void;
  /** Ends the source; `problem` records why it stopped early (the lines before it count). */
  end(problem?: { code: string; message: string }): void;
}

/**
 * Streaming analysis of logs from any number of sources: format detection per source,
 * multi-line assembly, template mining, and per-template statistics over time; `finish`
 * turns them into ranked findings with evidence. Deterministic, no I/O.
 */
export class LogAnalyzer {
  private readonly parser: TemplateParser;
  private readonly stats = new Map<Cluster, TemplateStats>();
  private readonly exceptions = new Map<string, ExceptionStats>();
  private readonly sources: SourceSummary[] = [];
  private readonly fallback: LineFormat;
  /** Records per global time bucket: its size decides when buckets widen. */
  private allBuckets = new Map<number, number>();
  private errorBuckets = new Map<number, number>();
  private bucketMs = 1000;
  private records = 0;
  private lines = 0;

  constructor(private readonly options: AnalyzerOptions) {
    this.parser = new TemplateParser({
      ...(options.maxTemplates === undefined ? {} : { maxClusters: options.maxTemplates }),
      // an evicted template's statistics go with it (the miner counts the eviction)
      onEvict: (c) => {
        this.stats.delete(c);
      },
    });
    this.fallback = createHeaderFormat(options.dateReference);
  }

  /** Starts a source (a file, stdin); push its lines in order, then `end` it. */
  beginSource(name: string): SourceFeed {
    const summary: SourceSummary = {
      name,
      format: 'plain',
      lines: 0,
      records: 0,
      truncatedLines: 0,
    };
    this.sources.push(summary);
    let detected: DetectedFormat | undefined;
    let assembler: RecordAssembler | undefined;
    let lastTime: number | undefined;
    let fed = 0;
    const multiline = this.options.multiline !== false;
    const { sinceMs, untilMs } = this.options;
    const onRecord = (r: LogRecord) => {
      if (r.timeMs === undefined) r.timeMs = lastTime;
      else lastTime = r.timeMs;
      const t = r.timeMs;
      if (
        t !== undefined &&
        ((sinceMs !== undefined && t < sinceMs) || (untilMs !== undefined && t >= untilMs))
      ) {
        summary.outsideRange = (summary.outsideRange ?? 0) + 1;
        return;
      }
      summary.records++;
      if (t !== undefined) {
        if (summary.firstMs === undefined || t < summary.firstMs) summary.firstMs = t;
        if (summary.lastMs === undefined || t > summary.lastMs) summary.lastMs = t;
      }
      this.addRecord(r, name);
    };
    const buffer = new SampleBuffer(
      (sample) => {
        detected = detectFormat(sample, {
          dateReference: this.options.dateReference,
          layout: this.options.layout,
        });
        summary.format = detected.label;
        assembler = new RecordAssembler(
          { headered: detected.headered, ...(multiline ? {} : { maxLines: 1 }) },
          {},
          onRecord,
        );
      },
      (line) => {
        assembler!.push(parseLine(detected!, line, this.fallback), ++fed);
      },
    );
    return {
      push: (line, truncated = false) => {
        summary.lines++;
        this.lines++;
        if (truncated) summary.truncatedLines++;
        buffer.push(line);
      },
      end: (problem) => {
        buffer.release();
        assembler!.flush();
        if (problem !== undefined) summary.problem = problem;
      },
    };
  }

  private addRecord(r: LogRecord, source: string): void {
    const pos = this.records++;
    const body = r.body;
    const nl = body.indexOf('\n');
    const head = r.mineText ?? (nl < 0 ? body : body.slice(0, nl));
    const cluster = this.parser.learn(head);
    let s = this.stats.get(cluster);
    if (s === undefined) {
      s = {
        count: 0,
        sev: [0, 0, 0, 0, 0, 0, 0],
        maxSeverity: 0,
        firstMs: r.timeMs,
        lastMs: r.timeMs,
        firstPos: pos,
        examples: [],
        buckets: new Map(),
        sources: new Map(),
        services: undefined,
      };
      this.stats.set(cluster, s);
    }
    s.count++;
    s.sev[sevIndex(r.severity)]!++;
    if (r.severity > s.maxSeverity) s.maxSeverity = r.severity;
    const t = r.timeMs;
    if (t !== undefined) {
      if (s.firstMs === undefined || t < s.firstMs) s.firstMs = t;
      if (s.lastMs === undefined || t > s.lastMs) s.lastMs = t;
      const b = Math.floor(t / this.bucketMs);
      s.buckets.set(b, (s.buckets.get(b) ?? 0) + 1);
      this.allBuckets.set(b, (this.allBuckets.get(b) ?? 0) + 1);
      if (r.severity >= SEVERITY.ERROR)
        this.errorBuckets.set(b, (this.errorBuckets.get(b) ?? 0) + 1);
      if (this.allBuckets.size > MAX_BUCKETS) this.widenBuckets();
    }
    if (s.examples.length < MAX_EXAMPLES) s.examples.push(evidence(source, r, body));
    const sc = s.sources.get(source);
    if (sc !== undefined) s.sources.set(source, sc + 1);
    else if (s.sources.size < MAX_SOURCES_PER_TEMPLATE) s.sources.set(source, 1);
    const service = r.resource.service;
    if (service !== undefined) addService(s, service);
    if (nl >= 0 || body.includes('Exception') || body.includes('Error') || body.includes('panic'))
      this.addException(r, source, body);
  }

  private addException(r: LogRecord, source: string, body: string): void {
    const ex = findException(body);
    if (ex === undefined) return;
    const key = `${ex.type}\u0000${ex.frame}`;
    let e = this.exceptions.get(key);
    if (e === undefined) {
      if (this.exceptions.size >= MAX_EXCEPTION_KINDS) return;
      e = {
        type: ex.type,
        frame: ex.frame,
        message: ex.message,
        count: 0,
        fatal: ex.language === 'go' || r.severity >= SEVERITY.FATAL,
        firstMs: r.timeMs,
        lastMs: r.timeMs,
        examples: [],
        sources: new Set(),
        services: undefined,
      };
      this.exceptions.set(key, e);
    }
    e.count++;
    if (r.timeMs !== undefined) {
      if (e.firstMs === undefined || r.timeMs < e.firstMs) e.firstMs = r.timeMs;
      if (e.lastMs === undefined || r.timeMs > e.lastMs) e.lastMs = r.timeMs;
    }
    if (e.examples.length < MAX_EXAMPLES) e.examples.push(evidence(source, r, body, 2000));
    if (e.sources.size < MAX_SOURCES_PER_TEMPLATE) e.sources.add(source);
    if (r.resource.service !== undefined) addService(e, r.resource.service);
  }

  /** Doubles the time bucket width and re-buckets every count (amortised; keeps memory bounded). */
  private widenBuckets(): void {
    this.bucketMs *= 2;
    const halve = (m: Map<number, number>) => {
      const out = new Map<number, number>();
      for (const [k, v] of m) {
        const nk = Math.floor(k / 2);
        out.set(nk, (out.get(nk) ?? 0) + v);
      }
      return out;
    };
    for (const s of this.stats.values()) s.buckets = halve(s.buckets);
    this.allBuckets = halve(this.allBuckets);
    this.errorBuckets = halve(this.errorBuckets);
  }

  /** Ends the analysis: resolves templates and ranks findings. */
  finish(): LogReport {
    this.parser.finish();
    const templates = this.collectTemplates();
    let firstMs: number | undefined;
    let lastMs: number | undefined;
    for (const t of templates) {
      if (t.s.firstMs !== undefined && (firstMs === undefined || t.s.firstMs < firstMs))
        firstMs = t.s.firstMs;
      if (t.s.lastMs !== undefined && (lastMs === undefined || t.s.lastMs > lastMs))
        lastMs = t.s.lastMs;
    }
    const severityCounts = emptySeverityCounts();
    for (const t of templates) {
      for (let i = 0; i < 7; i++) {
        const n = t.s.sev[i]!;
        if (n === 0) continue;
        // records without a level count at the level their words suggest
        const name = i === 0 && t.inferred > 0 ? severityName(t.inferred) : SEVERITY_NAMES[i]!;
        severityCounts[name] += n;
      }
    }
    const findings: LogFinding[] = [];
    const ctx: FindingContext = { firstMs, lastMs, records: this.records, bucketMs: this.bucketMs };
    for (const t of templates) findings.push(...templateFindings(t, ctx));
    findings.push(...this.exceptionFindings());
    const errBurst = aggregateErrorBurst(this.errorBuckets, ctx);
    if (errBurst !== undefined) {
      errBurst.sources = this.sources.filter((x) => x.records > 0).map((x) => x.name);
      // the files it is in, when they are few (one log's rotated copies, say)
      const n = errBurst.sources.length;
      if (n >= 1 && n <= 3)
        errBurst.reason = errBurst.reason.replace(
          'error burst:',
          `error burst in ${errBurst.sources.join(', ')}:`,
        );
      // evidence: error lines of the window, from the templates that contribute most
      const w = errBurst.window!;
      for (const t of templates
        .filter((x) => x.s.maxSeverity >= SEVERITY.ERROR)
        .sort((a, b) => b.s.count - a.s.count)) {
        const e = t.s.examples.find(
          (x) => x.timeMs !== undefined && x.timeMs >= w.startMs && x.timeMs < w.endMs,
        );
        if (e !== undefined) errBurst.evidence.push(e);
        if (errBurst.evidence.length >= MAX_EXAMPLES) break;
      }
      findings.push(errBurst);
    }
    findings.sort(
      (a, b) => b.score - a.score || b.count - a.count || a.reason.localeCompare(b.reason),
    );
    const truncatedLines = this.sources.reduce((n, s) => n + s.truncatedLines, 0);
    return {
      engineVersion: LOG_ENGINE_VERSION,
      summary: {
        lines: this.lines,
        records: this.records,
        templates: templates.length,
        ...(firstMs === undefined ? {} : { firstMs }),
        ...(lastMs === undefined ? {} : { lastMs }),
        severityCounts,
        truncatedLines,
        evictedTemplates: this.parser.evictions,
        sources: this.sources,
      },
      findings,
      templates: templates
        .sort((a, b) => b.s.count - a.s.count || a.text.localeCompare(b.text))
        .map((t) => templateSummary(t)),
    };
  }

  private collectTemplates(): ResolvedStats[] {
    const byId = new Map<string, ResolvedStats>();
    for (const c of this.parser.knownClusters()) {
      const s = this.stats.get(c);
      if (s === undefined) continue;
      const target = follow(c);
      const r = this.parser.resolve(target);
      const existing = byId.get(r.id);
      if (existing === undefined)
        byId.set(r.id, { id: r.id, text: r.text, s: cloneStats(s), inferred: 0 });
      else mergeStats(existing.s, s);
    }
    const out = [...byId.values()];
    for (const t of out) t.inferred = t.s.maxSeverity > 0 ? 0 : inferSeverityFromText(t.text);
    return out;
  }

  private exceptionFindings(): LogFinding[] {
    const out: LogFinding[] = [];
    for (const e of this.exceptions.values()) {
      const severity: SeverityName = e.fatal ? 'FATAL' : 'ERROR';
      const where = e.frame === '' ? '' : ` at ${e.frame}`;
      out.push({
        kind: 'exception',
        severity,
        score: score('exception', severity, e.count),
        reason: `${fmt(e.count)}× ${e.type}${where}${e.message === '' ? '' : `: ${oneLineClip(e.message, 80)}`}`,
        count: e.count,
        ...(e.firstMs === undefined ? {} : { firstSeenMs: e.firstMs }),
        ...(e.lastMs === undefined ? {} : { lastSeenMs: e.lastMs }),
        exception: { type: e.type, frame: e.frame, message: e.message },
        sources: [...e.sources],
        ...(e.services === undefined ? {} : { services: [...e.services] }),
        evidence: e.examples,
      });
    }
    return out;
  }
}

interface ResolvedStats {
  id: string;
  text: string;
  s: TemplateStats;
  /** Severity suggested by the words when no record carried a level (0 = none). */
  inferred: number;
}

interface FindingContext {
  firstMs: number | undefined;
  lastMs: number | undefined;
  records: number;
  bucketMs: number;
}

function cloneStats(s: TemplateStats): TemplateStats {
  return {
    ...s,
    sev: s.sev.slice(),
    examples: s.examples.slice(),
    buckets: new Map(s.buckets),
    sources: new Map(s.sources),
    services: s.services === undefined ? undefined : new Set(s.services),
  };
}

function mergeStats(a: TemplateStats, b: TemplateStats): void {
  a.count += b.count;
  for (let i = 0; i < 7; i++) a.sev[i]! += b.sev[i]!;
  a.maxSeverity = Math.max(a.maxSeverity, b.maxSeverity);
  if (b.firstMs !== undefined && (a.firstMs === undefined || b.firstMs < a.firstMs))
    a.firstMs = b.firstMs;
  if (b.lastMs !== undefined && (a.lastMs === undefined || b.lastMs > a.lastMs))
    a.lastMs = b.lastMs;
  if (b.firstPos < a.firstPos) {
    a.firstPos = b.firstPos;
    a.examples = [...b.examples, ...a.examples].slice(0, MAX_EXAMPLES);
  } else a.examples = [...a.examples, ...b.examples].slice(0, MAX_EXAMPLES);
  for (const [k, v] of b.buckets) a.buckets.set(k, (a.buckets.get(k) ?? 0) + v);
  for (const [k, v] of b.sources) {
    if (a.sources.has(k) || a.sources.size < MAX_SOURCES_PER_TEMPLATE)
      a.sources.set(k, (a.sources.get(k) ?? 0) + v);
  }
  for (const service of b.services ?? []) addService(a, service);
}

function evidence(source: string, r: LogRecord, body: string, max = EXAMPLE_CHARS): EvidenceLine {
  const e: EvidenceLine = {
    source,
    line: r.line,
    text: body.length > max ? body.slice(0, max) + '…' : body,
  };
  if (r.timeMs !== undefined) e.timeMs = r.timeMs;
  if (r.resource.service !== undefined) e.service = r.resource.service;
  return e;
}

/** Notes a service a template's or exception's records name (at most MAX_SOURCES_PER_TEMPLATE). */
function addService(s: { services: Set<string> | undefined }, service: string): void {
  if (s.services === undefined) s.services = new Set([service]);
  else if (s.services.size < MAX_SOURCES_PER_TEMPLATE) s.services.add(service);
}

function effectiveSeverity(t: ResolvedStats): SeverityName {
  return severityName(t.s.maxSeverity > 0 ? t.s.maxSeverity : t.inferred);
}

function templateSummary(t: ResolvedStats): TemplateSummary {
  const first = t.s.examples[0]!;
  return {
    id: t.id,
    template: t.text,
    count: t.s.count,
    severity: effectiveSeverity(t),
    ...(t.s.firstMs === undefined ? {} : { firstSeenMs: t.s.firstMs }),
    ...(t.s.lastMs === undefined ? {} : { lastSeenMs: t.s.lastMs }),
    first: { source: first.source, line: first.line },
    example: first.text,
    sources: [...t.s.sources.keys()],
  };
}

const SEVERITY_WEIGHT: Record<SeverityName, number> = {
  FATAL: 1,
  ERROR: 0.8,
  WARN: 0.55,
  INFO: 0.3,
  DEBUG: 0.2,
  TRACE: 0.1,
  UNSPECIFIED: 0.25,
};
const KIND_WEIGHT: Record<LogFindingKind, number> = {
  exception: 1,
  burst: 0.95,
  'error-template': 0.9,
  'new-template': 0.85,
  'warn-template': 0.8,
  'rare-template': 0.6,
};

function score(kind: LogFindingKind, severity: SeverityName, count: number): number {
  const countFactor = 0.6 + 0.4 * Math.min(1, Math.log10(count + 1) / 4);
  return Math.round(SEVERITY_WEIGHT[severity] * KIND_WEIGHT[kind] * countFactor * 1000) / 1000;
}

/** Short UTC time for reasons: HH:MM:SS, with the date when the log spans days. */
export function shortTime(ms: number, withDate: boolean): string {
  const iso = new Date(ms).toISOString();
  return withDate ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : iso.slice(11, 19);
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** On one line (runs of white space as one space), cut to `n` characters. */
function oneLineClip(s: string, n: number): string {
  return clip(s.replace(/\s+/g, ' '), n);
}

function quoted(t: ResolvedStats): string {
  return `"${oneLineClip(t.text, 120)}"`;
}

function base(
  t: ResolvedStats,
  kind: LogFindingKind,
  severity: SeverityName,
  reason: string,
  count = t.s.count,
): LogFinding {
  return {
    kind,
    severity,
    score: score(kind, severity, count),
    reason,
    templateId: t.id,
    template: t.text,
    count,
    ...(t.s.firstMs === undefined ? {} : { firstSeenMs: t.s.firstMs }),
    ...(t.s.lastMs === undefined ? {} : { lastSeenMs: t.s.lastMs }),
    sources: [...t.s.sources.keys()],
    ...(t.s.services === undefined ? {} : { services: [...t.s.services] }),
    evidence: t.s.examples,
  };
}

function templateFindings(t: ResolvedStats, ctx: FindingContext): LogFinding[] {
  const out: LogFinding[] = [];
  const sev = effectiveSeverity(t);
  const rank = SEVERITY[sev];
  const multiDay =
    ctx.firstMs !== undefined && ctx.lastMs !== undefined && ctx.lastMs - ctx.firstMs > 86_400_000;
  const span =
    t.s.firstMs !== undefined && t.s.lastMs !== undefined
      ? ` (${shortTime(t.s.firstMs, multiDay)} → ${shortTime(t.s.lastMs, multiDay)})`
      : '';
  const inferredNote =
    t.s.maxSeverity === 0 && t.inferred > 0 ? ' (level inferred from its words)' : '';
  const burst = templateBurst(t, ctx);
  const isNew = newSince(t, ctx);
  const lines = `${fmt(t.s.count)} line${t.s.count === 1 ? '' : 's'}`;
  if (rank >= SEVERITY.WARN) {
    // one finding per error/warn template; being new or bursting adds to it
    const kind: LogFindingKind = rank >= SEVERITY.ERROR ? 'error-template' : 'warn-template';
    const facts: string[] = [];
    if (isNew !== undefined) facts.push(isNew);
    if (burst !== undefined) facts.push(burst.text);
    const f = base(
      t,
      kind,
      sev,
      `${fmt(t.s.count)} ${sev} line${t.s.count === 1 ? '' : 's'}${inferredNote}${facts.length > 0 ? ', ' + facts.join(', ') : ''}: ${quoted(t)}${span}`,
    );
    const tags: ('new' | 'burst')[] = [];
    if (isNew !== undefined) {
      tags.push('new');
      if (t.s.firstMs !== undefined) f.newSinceMs = t.s.firstMs;
    }
    if (burst !== undefined) {
      tags.push('burst');
      f.window = burst.window;
    }
    if (tags.length > 0) {
      f.tags = tags;
      f.score = Math.min(1, Math.round((f.score + 0.04 * tags.length) * 1000) / 1000);
    }
    out.push(f);
    return out;
  }
  if (burst !== undefined) {
    const f = base(t, 'burst', 'INFO', `${burst.text}: ${quoted(t)}`, burst.window.count);
    f.window = burst.window;
    out.push(f);
  }
  if (isNew !== undefined && t.s.count >= 5) {
    const f = base(t, 'new-template', 'INFO', `${isNew}: ${quoted(t)} — ${lines}`);
    if (t.s.firstMs !== undefined) f.newSinceMs = t.s.firstMs;
    out.push(f);
  } else if (ctx.records >= 500 && t.s.count <= 2) {
    out.push(
      base(
        t,
        'rare-template',
        'INFO',
        `rare: seen ${t.s.count === 1 ? 'once' : 'twice'} in ${ctx.records.toLocaleString('en-US')} records: ${quoted(t)}`,
      ),
    );
  }
  return out;
}

/** A template first seen after this share of the log (of its time span, else of its records) is new in it. */
export const NEW_AFTER_SHARE = 0.2;

/** "new since 10:42:13" when the template first appears after the first 20% of the log. */
function newSince(t: ResolvedStats, ctx: FindingContext): string | undefined {
  if (
    t.s.firstMs !== undefined &&
    ctx.firstMs !== undefined &&
    ctx.lastMs !== undefined &&
    ctx.lastMs - ctx.firstMs >= 60_000
  ) {
    const p = (t.s.firstMs - ctx.firstMs) / (ctx.lastMs - ctx.firstMs);
    if (p < NEW_AFTER_SHARE) return undefined;
    const multiDay = ctx.lastMs - ctx.firstMs > 86_400_000;
    return `new since ${shortTime(t.s.firstMs, multiDay)} (absent from the first ${Math.floor(p * 100)}% of the log)`;
  }
  if (ctx.records < 200) return undefined;
  const p = t.s.firstPos / ctx.records;
  if (p < NEW_AFTER_SHARE) return undefined;
  const first = t.s.examples[0]!;
  return `new since line ${first.line} of ${first.source} (absent from the first ${Math.floor(p * 100)}% of records)`;
}

interface Burst {
  /** "burst: 120 lines in 1 min from 10:42:00 (usual 0.5 per 1 min)" */
  text: string;
  window: { startMs: number; endMs: number; count: number; expected: number };
}

/** Splits counts into ~60 windows over the whole log; returns [counts, windowMs, startBucket]. */
function windows(
  buckets: Map<number, number>,
  ctx: FindingContext,
): [number[], number, number] | undefined {
  if (ctx.firstMs === undefined || ctx.lastMs === undefined) return undefined;
  const b0 = Math.floor(ctx.firstMs / ctx.bucketMs);
  const b1 = Math.floor(ctx.lastMs / ctx.bucketMs);
  const nb = b1 - b0 + 1;
  if (nb < 6) return undefined;
  const per = Math.max(1, Math.ceil(nb / 60));
  const counts = new Array<number>(Math.ceil(nb / per)).fill(0);
  for (const [b, v] of buckets) {
    const w = Math.floor((b - b0) / per);
    if (w >= 0 && w < counts.length) counts[w]! += v;
  }
  return [counts, per * ctx.bucketMs, b0];
}

function describeWindow(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

/**
 * Strongest rise: a run of windows whose count is far above the mean of the windows before
 * it (a causal baseline, so a sustained rise is found at its start). `requireBaseline` asks
 * that the series existed before the rise (else it is "new", not a burst).
 */
function findBurst(
  counts: number[],
  requireBaseline: boolean,
): { from: number; to: number; count: number; expected: number } | undefined {
  const w = counts.length;
  let before = 0;
  // with a baseline required, the rate is measured from the series' first appearance on
  let first = requireBaseline ? counts.findIndex((c) => c > 0) : 0;
  if (first < 0) first = w;
  let best: { from: number; to: number; count: number; expected: number; z: number } | undefined;
  for (let i = first; i < w; i++) {
    const c = counts[i]!;
    const lambda = i === first ? 0 : before / (i - first);
    const eligible = i - first >= 3;
    if (eligible && c >= 5 && c >= 4 * lambda + 3 && (c - lambda) / Math.sqrt(lambda + 1) >= 5) {
      // extend over the following windows that stay high
      let to = i;
      let sum = c;
      while (to + 1 < w && counts[to + 1]! >= 4 * lambda + 3) sum += counts[++to]!;
      const n = to - i + 1;
      const z = (sum - lambda * n) / Math.sqrt(lambda * n + 1);
      if (best === undefined || z > best.z) best = { from: i, to, count: sum, expected: lambda, z };
      for (let k = i; k <= to; k++) before += counts[k]!;
      i = to;
      continue;
    }
    before += c;
  }
  return best;
}

function templateBurst(t: ResolvedStats, ctx: FindingContext): Burst | undefined {
  if (t.s.count < 10) return undefined;
  const win = windows(t.s.buckets, ctx);
  if (win === undefined) return undefined;
  const [counts, wMs, b0] = win;
  const b = findBurst(counts, true);
  if (b === undefined) return undefined;
  const startMs = b0 * ctx.bucketMs + b.from * wMs;
  const endMs = b0 * ctx.bucketMs + (b.to + 1) * wMs;
  const multiDay = ctx.lastMs! - ctx.firstMs! > 86_400_000;
  const n = b.to - b.from + 1;
  return {
    text: `burst: ${fmt(b.count)} lines in ${describeWindow(n * wMs)} from ${shortTime(startMs, multiDay)} (usual ${b.expected.toFixed(1)} per ${describeWindow(wMs)})`,
    window: { startMs, endMs, count: b.count, expected: Math.round(b.expected * 100) / 100 },
  };
}

/** The overall error rate jumping: "error rate rose to 45 per min at 10:42 (usual 0.2)". */
function aggregateErrorBurst(
  errors: Map<number, number>,
  ctx: FindingContext,
): LogFinding | undefined {
  const win = windows(errors, ctx);
  if (win === undefined) return undefined;
  const [counts, wMs, b0] = win;
  const b = findBurst(counts, false);
  if (b === undefined || b.count < 10) return undefined;
  const startMs = b0 * ctx.bucketMs + b.from * wMs;
  const endMs = b0 * ctx.bucketMs + (b.to + 1) * wMs;
  const multiDay = ctx.lastMs! - ctx.firstMs! > 86_400_000;
  const n = b.to - b.from + 1;
  return {
    kind: 'burst',
    severity: 'ERROR',
    score: score('burst', 'ERROR', b.count),
    reason: `error burst: ${fmt(b.count)} ERROR+ lines in ${describeWindow(n * wMs)} from ${shortTime(startMs, multiDay)} (usual ${b.expected.toFixed(1)} per ${describeWindow(wMs)})`,
    count: b.count,
    firstSeenMs: startMs,
    lastSeenMs: endMs,
    window: { startMs, endMs, count: b.count, expected: Math.round(b.expected * 100) / 100 },
    sources: [],
    evidence: [],
  };
}
