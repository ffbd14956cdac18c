/**
 * What every signal source shares: the signal a service's evidence is made of, the input they all
 * read, and the small helpers that turn counts into scores and words. One file per signal kind
 * sits beside this one; each is a SignalSource: (context) => the signals it found, per service.
 */
import type { Finding } from '../../../domain/finding.js';
import { severityName } from '../../../domain/severity.js';
import { messageOf } from '../../../domain/text.js';
import type {
  EdgeStats,
  PeerCallStats,
  ServiceMention,
  ServiceMetricStats,
  ServiceSpanStats,
  ServiceTemplateCount,
} from '../../../domain/telemetry-aggregates.js';
import { formatNumber } from '../../metrics/reasons.js';
import type { InsightConfig } from '../insight-config.js';

/** What a signal points at, so a person (or a model) can look at the records themselves. */
export type EvidenceRef =
  /** `service`: whose records they are, when another's (a service named in them). */
  | {
      type: 'template';
      templateId: string;
      template: string;
      severity: number;
      count: number;
      usualPerBucket: number;
      referenceCount: number;
      service?: string;
    }
  /**
   * `external`: a dependency without spans of its own, judged from its callers' calls to it
   * (`spans` are those calls). `perRequest`: how much longer the service's requests took on
   * average in the slow buckets, and how much of that went to calls to each service or
   * dependency it calls directly (where the store measures durations).
   */
  | {
      type: 'latency';
      p90Ms: number;
      usualP90Ms: number;
      spans: number;
      external?: true;
      perRequest?: PerRequest;
    }
  /**
   * Failed requests to the service (`errors` of `requests`: its spans called by another service or
   * from outside the traces); `passedUp` of them only passed up the failure of a call they made
   * to another service (the failure began there).
   */
  | {
      type: 'span-errors';
      errors: number;
      requests: number;
      usualRate: number;
      passedUp: number;
      external?: true;
    }
  /** Calls between the service and `peers` that spent longer outside the callee's span (the worst minute's median, its usual at most). */
  | { type: 'calls'; peers: string[]; gapMs: number; usualGapMs: number; calls: number }
  /** Spans and records the service left in its silent minutes (`count`), where `expected` were due from its share of the reference. */
  | { type: 'silence'; count: number; expected: number; referenceMinutes: number }
  /** Calls from `callers` that the service, which answered them in the reference (usualShare of them), left unanswered. */
  | { type: 'unanswered'; callers: string[]; calls: number; answered: number; usualShare: number }
  | { type: 'finding'; findingId: string; metric: string; timeMs: number; score: number }
  /** Calls to `callee` that stopped while the service's requests went on: `calls` made where `expected` were due (`perRequest` in the reference). */
  | { type: 'stopped-calls'; callee: string; calls: number; expected: number; perRequest: number }
  /** A service's metric beyond its usual: the worst bucket's mean (at `timeMs`), the reference median and its usual high (low) end. */
  | {
      type: 'metric-shift';
      metric: string;
      value: number;
      usual: number;
      edge: number;
      direction: 'up' | 'down';
      timeMs: number;
    }
  | { type: 'change'; findingId: string; change: string; timeMs: number };

/** A service's mean request time in some buckets over its usual (the median bucket's), and the calls that account for it. */
export interface PerRequest {
  usualMs: number;
  addedMs: number;
  /** Per dependency called directly: the time per request spent in calls to it over its usual, most first (only those that rose). */
  in: { service: string; addedMs: number }[];
}

export interface Signal {
  kind:
    | 'log'
    | 'flow'
    | 'latency'
    | 'errors'
    | 'network'
    | 'unanswered'
    | 'silent'
    | 'metric'
    | 'change'
    | 'named';
  /** 0..1 */
  score: number;
  reason: string;
  ref: EvidenceRef;
  /** When it began: the first abnormal bucket (logs, latency, span errors), the anomaly's or the change's time. */
  onsetMs?: number;
  /** When it was last seen: the last abnormal bucket, the anomaly's time (a change has none: it stays). */
  untilMs?: number;
  /** The buckets in which it was abnormal, in order, when it is counted per bucket (not a metric anomaly or a change). */
  buckets?: number[];
  /** Other services that the signal's records name, with how many of its records name each ('log' signals). */
  names?: { service: string; count: number }[];
}

/** Signals combined as independent evidence, the strongest of each kind: 1 − Π(1 − s). */
export function combineSignals(
  signals: Iterable<Signal>,
  score: (s: Signal) => number = (s) => s.score,
): number {
  const best = new Map<Signal['kind'], number>();
  for (const s of signals) best.set(s.kind, Math.max(best.get(s.kind) ?? 0, score(s)));
  let none = 1;
  for (const v of best.values()) none *= 1 - v;
  return 1 - none;
}

/** A signal's abnormal buckets, the first and the last. */
export function bucketSpan(buckets: Iterable<number>): {
  onsetMs?: number;
  untilMs?: number;
  buckets?: number[];
} {
  const sorted = [...new Set(buckets)].sort((a, b) => a - b);
  return sorted.length > 0 ? { onsetMs: sorted[0]!, untilMs: sorted.at(-1)!, buckets: sorted } : {};
}

/** Names as a person reads them: all of up to four, else the first four and how many more. */
export function names(list: readonly string[]): string {
  return list.length <= 4
    ? list.join(', ')
    : `${list.slice(0, 4).join(', ')} and ${list.length - 4} more`;
}

/** One service's own evidence of being abnormal in the window. */
export interface ServiceEvidence {
  service: string;
  /** 0..1: the signals combined as independent evidence (1 − Π(1 − s)), strongest per kind. */
  score: number;
  /** Strongest first. */
  signals: Signal[];
}

/**
 * What the store gives the insight engine for a time range (a window and its reference, or a
 * scan), in config.bucketMs buckets: the one input of every signal source, of rca and of
 * incident scans.
 */
export interface TelemetryAggregates {
  /** Log counts per service, template and bucket. */
  logs: readonly ServiceTemplateCount[];
  spans: readonly ServiceSpanStats[];
  /** Metric anomalies and cluster changes (changes also from before the range). */
  findings: readonly Finding[];
  /** Warning and error records that name another service (those outside the window are ignored). */
  mentions?: readonly ServiceMention[];
  /** Calls between services per bucket, with the time spent outside the callee. */
  calls?: readonly EdgeStats[];
  /** Each service's metrics per bucket (means). */
  metrics?: readonly ServiceMetricStats[];
  /** CLIENT spans that name their peer, by the service that answered them. */
  peers?: readonly PeerCallStats[];
}

export interface EvidenceInput extends TelemetryAggregates {
  /** [fromMs, toMs): the window in which symptoms are sought. Buckets starting in it belong to it; the others are the reference. */
  window: { fromMs: number; toMs: number };
  /**
   * When the trouble is said to begin (the alert): a signal whose onset comes long after it is
   * more likely another incident's, and weighs less.
   */
  atMs: number;
}

/** A signal found for a service (the service as the records name it; '' when they name none). */
export interface FoundSignal {
  service: string;
  signal: Signal;
}

/** What a signal source reads: the input, the configuration, and the window's buckets as every source sees them. */
export interface SignalContext {
  input: EvidenceInput;
  config: InsightConfig;
  /** Whether a bucket (its start) lies in the window. */
  inWindow: (bucketMs: number) => boolean;
  /** Buckets with any log or span, system-wide, in the window and in the reference (a bucket without data is not a quiet one). */
  windowBuckets: ReadonlySet<number>;
  refBuckets: ReadonlySet<number>;
  hasData: (bucketMs: number) => boolean;
  /** The first bucket of traffic after a pause: no latency or network symptom there. */
  warmUp: (bucketMs: number) => boolean;
  /** A bucket with data on both sides: wholly inside a stretch of data (the first and last may hold a few seconds). */
  whole: (bucketMs: number) => boolean;
  /** The input's log counts by service, then template; its span statistics by service (grouped once for every source). */
  logsByService: ReadonlyMap<string, ReadonlyMap<string, readonly ServiceTemplateCount[]>>;
  spansByService: ReadonlyMap<string, readonly ServiceSpanStats[]>;
}

/** One kind of evidence: every signal of that kind found in the window, per service. */
export type SignalSource = (context: SignalContext) => FoundSignal[];

/** 1 for an onset up to one bucket after `at`, falling as the onset comes later: 1 / (1 + delay / (window · fraction)). */
export function proximity(onsetMs: number, input: EvidenceInput, config: InsightConfig): number {
  const delay = Math.max(
    0,
    onsetMs - Math.floor(input.atMs / config.bucketMs) * config.bucketMs - config.bucketMs,
  );
  return 1 / (1 + delay / ((input.window.toMs - input.window.fromMs) * config.onsetFraction));
}

/** The name evidence gets when its records carry no service (no service.name, no pod). */
export const NO_SERVICE = '(no service)';

export const clamp01 = (x: number) => (x <= 0 ? 0 : x >= 1 ? 1 : x);

/**
 * How strong a ratio's evidence is: from 0 at `from` (log2) rising in step to 0.95 at `full`, and
 * on towards 1 beyond it, with no ceiling: a path 500× slower stays stronger evidence than a
 * service 12× slower, whichever ratio is called full.
 */
export function level(log2Ratio: number, from: number, full: number): number {
  const x = (log2Ratio - from) / (full - from);
  return x <= 0 ? 0 : x <= 1 ? 0.95 * x : 1 - 0.05 * Math.exp(-(x - 1));
}

/** Mean after leaving out the busiest `trim` share of the values (other incidents must not look usual). */
export function trimmedMean(values: number[], trim: number): number {
  if (values.length === 0) return 0;
  values.sort((a, b) => a - b);
  const keep = Math.max(1, Math.ceil(values.length * (1 - trim)));
  let s = 0;
  for (let i = 0; i < keep; i++) s += values[i]!;
  return s / keep;
}

/** The discrete q-quantile (NaN for none). */
export function upperQuantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  return values[Math.floor((values.length - 1) * q)]!;
}

export function severityWord(severity: number): string {
  return severity === 0 ? 'unlevelled' : severityName(severity);
}

/**
 * A template in quotes, cut at 90 characters, without the fields whose value is only a variable
 * (messageOf: they pushed the message past the cut).
 */
export function quote(template: string): string {
  const t = messageOf(template);
  return t.length > 90 ? `"${t.slice(0, 89)}…"` : `"${t}"`;
}

/** Milliseconds as a person reads them (1.6 s, 40 ms). */
export function ms(v: number): string {
  return v >= 1000 ? `${formatNumber(v / 1000)} s` : `${formatNumber(v)} ms`;
}

/** The span statistics grouped by service. */
export function spansByService(
  spans: readonly ServiceSpanStats[],
): Map<string, ServiceSpanStats[]> {
  const bySpanService = new Map<string, ServiceSpanStats[]>();
  for (const r of spans) {
    let l = bySpanService.get(r.service);
    if (l === undefined) bySpanService.set(r.service, (l = []));
    l.push(r);
  }
  return bySpanService;
}

/** Log counts grouped by service, then template. */
export function logsByService(
  logs: readonly ServiceTemplateCount[],
): Map<string, Map<string, ServiceTemplateCount[]>> {
  const byService = new Map<string, Map<string, ServiceTemplateCount[]>>();
  for (const r of logs) {
    let templates = byService.get(r.service);
    if (templates === undefined)
      byService.set(r.service, (templates = new Map<string, ServiceTemplateCount[]>()));
    let rows = templates.get(r.templateId);
    if (rows === undefined) templates.set(r.templateId, (rows = []));
    rows.push(r);
  }
  return byService;
}
