import type { Finding } from '../../domain/finding.js';
import { SEVERITY, severityName } from '../../domain/severity.js';
import type { EdgeStats, PeerCallStats, ServiceEdge, ServiceMention, ServiceSpanStats, ServiceTemplateCount } from '../../ports/telemetry-store.port.js';
import { isCodeLocation } from '../logs/token-masker.js';
import { formatNumber } from '../metrics/reasons.js';
import type { InsightConfig } from './insight-config.js';

/** What a signal points at, so a person (or a model) can look at the records themselves. */
export type EvidenceRef =
  /** `service`: whose records they are, when another's (a service named in them). */
  | { type: 'template'; templateId: string; template: string; severity: number; count: number; usualPerBucket: number; referenceCount: number; service?: string }
  /**
   * `external`: a dependency without spans of its own, judged from its callers' calls to it
   * (`spans` are those calls). `perRequest`: how much longer the service's requests took on
   * average in the slow buckets, and how much of that went to calls to each service or
   * dependency it calls directly (where the store measures durations).
   */
  | { type: 'latency'; p90Ms: number; usualP90Ms: number; spans: number; external?: true; perRequest?: PerRequest }
  /**
   * Failed requests to the service (`errors` of `requests`: its spans called by another service or
   * from outside the traces); `passedUp` of them only passed up the failure of a call they made
   * to another service (the failure began there).
   */
  | { type: 'span-errors'; errors: number; requests: number; usualRate: number; passedUp: number; external?: true }
  /** Calls between the service and `peers` that spent longer outside the callee's span (the worst minute's median, its usual at most). */
  | { type: 'calls'; peers: string[]; gapMs: number; usualGapMs: number; calls: number }
  /** Spans and records the service left in its silent minutes (`count`), where `expected` were due from its share of the reference. */
  | { type: 'silence'; count: number; expected: number; referenceMinutes: number }
  /** Calls from `callers` that the service, which answered them in the reference (usualShare of them), left unanswered. */
  | { type: 'unanswered'; callers: string[]; calls: number; answered: number; usualShare: number }
  | { type: 'finding'; findingId: string; metric: string; timeMs: number; score: number }
  | { type: 'change'; findingId: string; change: string; timeMs: number };

/** A service's mean request time in some buckets over its usual (the median bucket's), and the calls that account for it. */
export interface PerRequest {
  usualMs: number;
  addedMs: number;
  /** Per dependency called directly: the time per request spent in calls to it over its usual, most first (only those that rose). */
  in: { service: string; addedMs: number }[];
}

export interface Signal {
  kind: 'log' | 'flow' | 'latency' | 'errors' | 'network' | 'unanswered' | 'silent' | 'metric' | 'change' | 'named';
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
export function combineSignals(signals: Iterable<Signal>, score: (s: Signal) => number = (s) => s.score): number {
  const best = new Map<Signal['kind'], number>();
  for (const s of signals) best.set(s.kind, Math.max(best.get(s.kind) ?? 0, score(s)));
  let none = 1;
  for (const v of best.values()) none *= 1 - v;
  return 1 - none;
}

/** A signal's abnormal buckets, the first and the last. */
function span(buckets: Iterable<number>): { onsetMs?: number; untilMs?: number; buckets?: number[] } {
  const sorted = [...new Set(buckets)].sort((a, b) => a - b);
  return sorted.length > 0 ? { onsetMs: sorted[0]!, untilMs: sorted.at(-1)!, buckets: sorted } : {};
}

/** The code location a template starts with (`t.s.TravelServiceImpl#457 …`), if it does. */
function codeLocationOf(template: string): string | undefined {
  const end = template.indexOf(' ');
  const first = end < 0 ? template : template.slice(0, end);
  return isCodeLocation(first) ? first : undefined;
}

/** Names as a person reads them: all of up to four, else the first four and how many more. */
export function names(list: readonly string[]): string {
  return list.length <= 4 ? list.join(', ') : `${list.slice(0, 4).join(', ')} and ${list.length - 4} more`;
}

/** One call path (caller → callee) measured in the window against its reference. */
interface CallPath {
  caller: string;
  callee: string;
  /** 0..1: how far the time outside the callee rose; 0 when it did not. */
  slowness: number;
  gapMs: number;
  usualMs: number;
  /** Calls in its slowed buckets. */
  calls: number;
  buckets: number[];
}

/**
 * Calls that spend far longer outside their callee than usual: the caller's span less the
 * callee's, per bucket (the median), against the slow end of its reference buckets (less the
 * slowest trimTop of them). That time is the network both ways and a request waiting before the
 * callee took it up, so it belongs to one end of the path, not to the callers above it: to the
 * end more of whose other paths slowed too (a service whose network or CPU is starved slows all
 * its calls, in and out), the one with more slowed paths on a tie, and else the callee. The
 * paths a service takes pool their calls. Asynchronous paths (the callee outlasts its caller)
 * say nothing.
 */
function callSignals(input: EvidenceInput, config: InsightConfig, warmUp: (bucketMs: number) => boolean): { service: string; signal: Signal }[] {
  const { fromMs, toMs } = input.window;
  const inWindow = (b: number) => b >= fromMs && b < toMs;
  const byPath = new Map<string, EdgeStats[]>();
  for (const r of input.calls ?? []) {
    if (inWindow(r.bucketMs) && warmUp(r.bucketMs)) continue;
    const key = `${r.caller}\u0000${r.callee}`;
    let l = byPath.get(key);
    if (l === undefined) byPath.set(key, (l = []));
    l.push(r);
  }
  const paths: CallPath[] = [];
  for (const rows of byPath.values()) {
    const ref = rows.filter((r) => !inWindow(r.bucketMs) && r.calls >= config.minSpans).map((r) => r.gapP50Ms);
    // a median does not care how much of a bucket had data: every bucket counts
    const win = rows.filter((r) => inWindow(r.bucketMs) && r.calls >= config.minSpans);
    if (ref.length < config.networkMinReference || win.length === 0 || upperQuantile(ref, 0.5) <= 0) continue;
    // the slow end of the reference, without its slowest buckets (other incidents); below a millisecond a ratio is noise
    const usualMs = Math.max(1, upperQuantile(ref, 1 - config.trimTop));
    const slow = win.filter((r) => r.gapP50Ms > usualMs * 2 ** config.networkRatioFrom);
    const gapMs = Math.max(...win.map((r) => r.gapP50Ms));
    const calls = slow.reduce((a, r) => a + r.calls, 0);
    const slowness = slow.length === 0 ? 0 : clamp01((Math.log2(gapMs / usualMs) - config.networkRatioFrom) / (config.networkRatioFull - config.networkRatioFrom));
    paths.push({ caller: rows[0]!.caller, callee: rows[0]!.callee, slowness, gapMs, usualMs, calls, buckets: slow.map((r) => r.bucketMs) });
  }
  const of = new Map<string, CallPath[]>();
  for (const p of paths)
    for (const service of [p.caller, p.callee]) {
      let l = of.get(service);
      if (l === undefined) of.set(service, (l = []));
      l.push(p);
    }
  // how far the other paths of one end slowed too, however few their calls, with one more of
  // even odds (a leaf called by one caller has no other path: it tells nothing of which end slowed)
  const mass = (service: string) => (of.get(service) ?? []).reduce((a, p) => a + p.slowness, 0);
  const others = (service: string, p: CallPath) => (mass(service) - p.slowness + 0.5) / (of.get(service)?.length ?? 1);
  const won = new Map<string, CallPath[]>();
  for (const p of paths) {
    if (p.slowness <= 0) continue;
    const d = others(p.callee, p) - others(p.caller, p);
    const end = d > 1e-9 || (d >= -1e-9 && mass(p.callee) >= mass(p.caller)) ? p.callee : p.caller;
    let l = won.get(end);
    if (l === undefined) won.set(end, (l = []));
    l.push(p);
  }
  const out: { service: string; signal: Signal }[] = [];
  for (const [service, list] of won) {
    const all = of.get(service)!.length;
    const when = span(list.flatMap((p) => p.buckets));
    const worst = list.reduce((a, p) => (p.gapMs / p.usualMs > a.gapMs / a.usualMs ? p : a));
    const peers = [...new Set(list.map((p) => (p.caller === service ? p.callee : p.caller)))].sort();
    const direction = list.every((p) => p.callee === service) ? 'from' : list.every((p) => p.caller === service) ? 'to' : 'with';
    // the slowed paths' calls count together: each path is another witness of the same delay
    const calls = list.reduce((a, p) => a + p.calls, 0);
    const score = ((config.networkWeight * list.reduce((a, p) => a + p.slowness, 0)) / all) * (1 - Math.exp(-calls / config.spanCountScale)) * proximity(when.onsetMs!, input, config);
    const reason = `calls ${direction} ${names(peers)} spent up to ${ms(worst.gapMs)} outside ${direction === 'from' ? 'its' : 'their callees\''} spans (median per ${formatNumber(config.bucketMs / 60_000)} min), ${formatNumber(worst.gapMs / worst.usualMs)}× the usual ${ms(worst.usualMs)} at most, ${all === 1 ? 'on its only call path' : list.length === all ? `on all ${all} of its call paths` : `on ${list.length} of its ${all} call paths`}: a network delay, or requests waiting to be taken up`;
    out.push({ service, signal: { kind: 'network', score, reason, ref: { type: 'calls', peers, gapMs: worst.gapMs, usualGapMs: worst.usualMs, calls }, ...when } });
  }
  return out;
}

/** One service's own evidence of being abnormal in the window. */
export interface ServiceEvidence {
  service: string;
  /** 0..1: the signals combined as independent evidence (1 − Π(1 − s)), strongest per kind. */
  score: number;
  /** Strongest first. */
  signals: Signal[];
}

export interface EvidenceInput {
  /** [fromMs, toMs): the window in which symptoms are sought. Buckets starting in it belong to it. */
  window: { fromMs: number; toMs: number };
  /**
   * When the trouble is said to begin (the alert): a signal whose onset comes long after it is
   * more likely another incident's, and weighs less.
   */
  atMs: number;
  /** Counts over the window and the reference, in config.bucketMs buckets. */
  logs: readonly ServiceTemplateCount[];
  spans: readonly ServiceSpanStats[];
  /** Metric anomalies and cluster changes of the window and the reference (changes also from before the window). */
  findings: readonly Finding[];
  /** Warning and error records that name another service, in config.bucketMs buckets (those outside the window are ignored). */
  mentions?: readonly ServiceMention[];
  /** Calls between services per bucket, with the time spent outside the callee, over the window and the reference. */
  calls?: readonly EdgeStats[];
  /** CLIENT spans that name their peer, by the service that answered them, over the window and the reference. */
  peers?: readonly PeerCallStats[];
}

/**
 * Which service answers each caller's peer (`caller\u0000peer`): the one whose spans were below
 * most of its calls, when that is at least half of them; a peer never answered (a database, an
 * outside API) has none.
 */
export function peerAnswerers(rows: readonly PeerCallStats[]): Map<string, { service: string; share: number; calls: number }> {
  const paths = new Map<string, { calls: number; by: Map<string, number> }>();
  for (const r of rows) {
    const key = `${r.caller}\u0000${r.peer}`;
    let p = paths.get(key);
    if (p === undefined) paths.set(key, (p = { calls: 0, by: new Map() }));
    p.calls += r.calls;
    if (r.callee !== '' && r.callee !== r.caller) p.by.set(r.callee, (p.by.get(r.callee) ?? 0) + r.calls);
  }
  const out = new Map<string, { service: string; share: number; calls: number }>();
  for (const [key, p] of paths) {
    const [service, n] = [...p.by].reduce<[string, number]>((a, e) => (e[1] > a[1] ? e : a), ['', 0]);
    if (service !== '' && n >= 0.5 * p.calls) out.set(key, { service, share: n / p.calls, calls: p.calls });
  }
  return out;
}

/**
 * The peers that callers name in their CLIENT spans and that no traced service ever answered (no
 * span of another service below any call to them): a database, a cache, an outside API, a
 * service without tracing. They are known only from those calls.
 */
function externalPeers(rows: readonly PeerCallStats[]): Map<string, PeerCallStats[]> {
  const answered = new Set<string>();
  for (const r of rows) if (r.callee !== '' && r.callee !== r.caller) answered.add(r.peer);
  const out = new Map<string, PeerCallStats[]>();
  for (const r of rows) {
    if (answered.has(r.peer) || r.peer === r.caller) continue;
    const l = out.get(r.peer);
    if (l === undefined) out.set(r.peer, [r]);
    else l.push(r);
  }
  return out;
}

/** The calls to dependencies without spans of their own as edges of the service graph (caller → the peer as named), so they can explain their callers' symptoms. */
export function externalEdges(rows: readonly PeerCallStats[]): ServiceEdge[] {
  const edges = new Map<string, ServiceEdge>();
  for (const [peer, list] of externalPeers(rows)) {
    for (const r of list) {
      const key = `${r.caller}\u0000${peer}`;
      const e = edges.get(key);
      if (e === undefined) edges.set(key, { caller: r.caller, callee: peer, calls: r.calls, errors: r.errors, p90Ms: r.p90Ms });
      else Object.assign(e, { calls: e.calls + r.calls, errors: e.errors + r.errors, p90Ms: Math.max(e.p90Ms, r.p90Ms) });
    }
  }
  return [...edges.values()].sort((a, b) => (a.caller < b.caller ? -1 : a.caller > b.caller ? 1 : a.callee < b.callee ? -1 : a.callee > b.callee ? 1 : 0));
}

/**
 * Dependencies without spans of their own, judged from their callers' calls to them, pooled per
 * bucket (the p90 weighted by calls): slower than usual, or failing more than usual (a call that
 * fails with nothing below it failed there, as far as the traces tell).
 */
function externalSignals(input: EvidenceInput, config: InsightConfig, warmUp: (bucketMs: number) => boolean): { service: string; signal: Signal }[] {
  const { fromMs, toMs } = input.window;
  const out: { service: string; signal: Signal }[] = [];
  for (const [peer, list] of externalPeers(input.peers ?? [])) {
    const buckets = new Map<number, { bucketMs: number; count: number; p90Sum: number; failed: number }>();
    for (const r of list) {
      const b = buckets.get(r.bucketMs) ?? { bucketMs: r.bucketMs, count: 0, p90Sum: 0, failed: 0 };
      b.count += r.calls;
      b.p90Sum += r.p90Ms * r.calls;
      b.failed += r.errors;
      buckets.set(r.bucketMs, b);
    }
    const rows = [...buckets.values()].map((b) => ({ bucketMs: b.bucketMs, count: b.count, p90Ms: b.p90Sum / Math.max(b.count, 1), failed: b.failed, own: b.failed }));
    const callers = names([...new Set(list.filter((r) => r.bucketMs >= fromMs && r.bucketMs < toMs).map((r) => r.caller))].sort());
    const who = `calls to it from ${callers} (no spans of its own)`;
    const slow = latencySignal(rows, input, config, warmUp, (p90, ratio, usual, n) => `${who}: p90 up to ${p90} per ${formatNumber(config.bucketMs / 60_000)} min, ${ratio}× its usual ${usual} at most (${n} calls)`);
    if (slow !== undefined && slow.ref.type === 'latency') out.push({ service: peer, signal: { ...slow, ref: { ...slow.ref, external: true } } });
    const failing = failureSignal(rows, input, config, (failed, n, share, usual) => `${who}: ${failed} of ${n} failed (${share}%), usually ${usual}%`);
    if (failing !== undefined && failing.ref.type === 'span-errors') out.push({ service: peer, signal: { ...failing, ref: { ...failing.ref, external: true } } });
  }
  return out;
}

/**
 * Services that stopped answering their calls: a peer that callers name in their CLIENT spans is
 * the service that answered it in the reference (most of the time, at least
 * unansweredMinReference calls); a window bucket in which it answered at most unansweredShare of
 * what it usually does, of calls still made, and most of the calls left unanswered failed, is a
 * bucket it was down or unreachable. Calls left unanswered that succeed are the callee's
 * telemetry gone, not the callee; callers that stop calling say nothing (less traffic is not a
 * fault); a peer never answered (a database without spans, an outside API) is not a service here.
 */
function unansweredSignals(input: EvidenceInput, config: InsightConfig): { service: string; signal: Signal }[] {
  const { fromMs, toMs } = input.window;
  const inWindow = (b: number) => b >= fromMs && b < toMs;
  // per caller and peer: who answers it in the reference, and the window's calls per bucket
  const answerers = peerAnswerers((input.peers ?? []).filter((r) => !inWindow(r.bucketMs)));
  type Path = { caller: string; win: Map<number, { calls: number; answered: number; failed: number }> };
  const paths = new Map<string, Path>();
  for (const r of input.peers ?? []) {
    if (!inWindow(r.bucketMs)) continue;
    const key = `${r.caller}\u0000${r.peer}`;
    let p = paths.get(key);
    if (p === undefined) paths.set(key, (p = { caller: r.caller, win: new Map() }));
    const w = p.win.get(r.bucketMs) ?? { calls: 0, answered: 0, failed: 0 };
    w.calls += r.calls;
    if (r.callee !== '') w.answered += r.calls;
    else w.failed += r.errors;
    p.win.set(r.bucketMs, w);
  }
  // per answering service: its callers' calls in the buckets it left unanswered
  type Down = { callers: Set<string>; calls: number; answered: number; failed: number; expected: number; usual: number; buckets: number[] };
  const down = new Map<string, Down>();
  for (const [key, p] of paths) {
    const a = answerers.get(key);
    if (a === undefined || a.calls < config.unansweredMinReference) continue;
    const { service, share: usual } = a;
    for (const [bucket, w] of p.win) {
      if (w.answered > config.unansweredShare * usual * w.calls || w.failed < 0.5 * (w.calls - w.answered)) continue;
      let d = down.get(service);
      if (d === undefined) down.set(service, (d = { callers: new Set(), calls: 0, answered: 0, failed: 0, expected: 0, usual: 0, buckets: [] }));
      d.callers.add(p.caller);
      d.calls += w.calls;
      d.answered += w.answered;
      d.failed += w.failed;
      d.expected += usual * w.calls;
      d.usual = Math.max(d.usual, usual);
      d.buckets.push(bucket);
    }
  }
  const out: { service: string; signal: Signal }[] = [];
  for (const [service, d] of down) {
    // a call or two is not a service down
    if (d.expected < config.minLogCount) continue;
    const when = span(d.buckets);
    const callers = [...d.callers].sort();
    const score = config.unansweredWeight * (1 - d.answered / d.expected) * (1 - Math.exp(-d.calls / config.unansweredCountScale)) * proximity(when.onsetMs!, input, config);
    const minutes = formatNumber((when.buckets!.length * config.bucketMs) / 60_000);
    const reason = `answered ${formatNumber(d.answered)} of ${formatNumber(d.calls)} calls from ${names(callers)} in ${minutes} min (usually ${formatNumber(100 * d.usual)}%), ${formatNumber(d.failed)} failed: down or unreachable`;
    out.push({ service, signal: { kind: 'unanswered', score, reason, ref: { type: 'unanswered', callers, calls: d.calls, answered: d.answered, usualShare: d.usual }, ...when } });
  }
  return out;
}

/**
 * Services that fell silent: one that left spans or records in nearly every minute of the
 * reference that has data (silentSteady of them, over flowMinBuckets at least) and, in whole
 * minutes of the window in which the others went on, at most silentShare of what its usual share
 * of all records predicts, for longer than it ever did in the reference, while a service that
 * calls it failed (failed spans or ERROR records, over twice its usual), was down or unreachable. Everyone quieter together is less traffic; a
 * service often absent in the reference is not steady enough to be missed; a service whose
 * callers (in the reference's calls) all fell silent too got no calls, which is theirs to
 * explain; and a minute in which several services fell silent at once points at what they share
 * (a node, the network, the telemetry) more than at any one of them: each gets its share.
 */
function silentSignals(input: EvidenceInput, config: InsightConfig, whole: (bucketMs: number) => boolean): { service: string; signal: Signal }[] {
  const { fromMs, toMs } = input.window;
  const inWindow = (b: number) => b >= fromMs && b < toMs;
  const own = new Map<string, Map<number, number>>();
  const total = new Map<number, number>();
  for (const rows of [input.logs, input.spans])
    for (const r of rows) {
      if (r.count <= 0 || r.service === '') continue;
      let m = own.get(r.service);
      if (m === undefined) own.set(r.service, (m = new Map<number, number>()));
      m.set(r.bucketMs, (m.get(r.bucketMs) ?? 0) + r.count);
      total.set(r.bucketMs, (total.get(r.bucketMs) ?? 0) + r.count);
    }
  const refBuckets = [...total.keys()].filter((b) => !inWindow(b));
  if (refBuckets.length < config.flowMinBuckets) return [];
  // each steady service's silent window minutes, with what it left and what was expected there
  type Silence = { present: number; minutes: Map<number, { seen: number; expected: number }> };
  const silences = new Map<string, Silence>();
  for (const [service, counts] of own) {
    let present = 0;
    let mine = 0;
    let others = 0;
    for (const b of refBuckets) {
      const c = counts.get(b) ?? 0;
      if (c > 0) present++;
      mine += c;
      others += total.get(b)! - c;
    }
    if (present < config.silentSteady * refBuckets.length || others <= 0) continue;
    const usual = mine / others;
    // its quiet whole minutes, in runs; a silence counts when it lasts longer than any in the reference
    const quiet = (b: number) => {
      if (!whole(b)) return undefined;
      const c = counts.get(b) ?? 0;
      const e = usual * (total.get(b)! - c);
      return e > 0 && c <= config.silentShare * e ? { seen: c, expected: e } : undefined;
    };
    let longest = 0;
    const runs: { b: number; seen: number; expected: number }[][] = [];
    let run: { b: number; seen: number; expected: number }[] = [];
    let runInWindow = false;
    const close = () => {
      if (runInWindow) runs.push(run);
      else longest = Math.max(longest, run.length);
      run = [];
    };
    for (const b of [...total.keys()].sort((x, y) => x - y)) {
      const q = quiet(b);
      const last = run.at(-1);
      if (q === undefined || (last !== undefined && (b - last.b !== config.bucketMs || inWindow(b) !== runInWindow))) close();
      if (q === undefined) continue;
      if (run.length === 0) runInWindow = inWindow(b);
      run.push({ b, ...q });
    }
    close();
    const minutes = new Map<number, { seen: number; expected: number }>();
    for (const r of runs) if (r.length > longest) for (const m of r) minutes.set(m.b, { seen: m.seen, expected: m.expected });
    if (minutes.size > 0) silences.set(service, { present, minutes });
  }
  // who calls whom, from the reference's calls
  const callers = new Map<string, Set<string>>();
  for (const r of input.calls ?? []) {
    if (inWindow(r.bucketMs) || r.caller === r.callee || r.caller === '') continue;
    let set = callers.get(r.callee);
    if (set === undefined) callers.set(r.callee, (set = new Set()));
    set.add(r.caller);
  }
  const explained = (service: string, b: number) => {
    const of = callers.get(service);
    return of !== undefined && of.size > 0 && [...of].every((c) => silences.get(c)?.minutes.has(b) === true);
  };
  // failures per service and minute (failed spans, ERROR records), and the usual per minute: a
  // service that is not called falls silent too, so a silence counts only while a caller fails
  const failures = new Map<string, Map<number, number>>();
  const addFailures = (service: string, b: number, n: number) => {
    if (n <= 0) return;
    let m = failures.get(service);
    if (m === undefined) failures.set(service, (m = new Map<number, number>()));
    m.set(b, (m.get(b) ?? 0) + n);
  };
  for (const r of input.spans) addFailures(r.service, r.bucketMs, r.errors);
  for (const r of input.logs) if (r.severity >= SEVERITY.ERROR) addFailures(r.service, r.bucketMs, r.count);
  const usual = new Map<string, number>();
  const usualFailures = (service: string) => {
    let u = usual.get(service);
    if (u === undefined) usual.set(service, (u = refBuckets.reduce((a, b) => a + (failures.get(service)?.get(b) ?? 0), 0) / refBuckets.length));
    return u;
  };
  const callerFails = (service: string, b: number) =>
    [...(callers.get(service) ?? [])].some((c) => {
      const n = failures.get(c)?.get(b) ?? 0;
      return n >= config.minLogCount && n >= 2 * usualFailures(c) + 1;
    });
  for (const [service, x] of silences) {
    for (const b of [...x.minutes.keys()]) if (!callerFails(service, b)) x.minutes.delete(b);
    if (x.minutes.size === 0) silences.delete(service);
  }
  // the services silent of their own in each minute
  const alone = new Map<number, number>();
  for (const [service, x] of silences) for (const b of x.minutes.keys()) if (!explained(service, b)) alone.set(b, (alone.get(b) ?? 0) + 1);
  const out: { service: string; signal: Signal }[] = [];
  for (const [service, x] of silences) {
    let expected = 0;
    let seen = 0;
    let share = 0;
    const silent: number[] = [];
    for (const [b, m] of x.minutes) {
      if (explained(service, b)) continue;
      expected += m.expected;
      seen += m.seen;
      share += m.expected / alone.get(b)!;
      silent.push(b);
    }
    if (expected < config.flowMinExpected) continue;
    const when = span(silent);
    const score = config.silentWeight * (share / expected) * (1 - seen / expected) * (1 - Math.exp(-expected / config.logCountScale)) * proximity(when.onsetMs!, input, config);
    const minutes = formatNumber((silent.length * config.bucketMs) / 60_000);
    const refMinutes = formatNumber((refBuckets.length * config.bucketMs) / 60_000);
    const steady = x.present === refBuckets.length ? `every one of the ${refMinutes} min` : `${formatNumber((100 * x.present) / refBuckets.length)}% of the ${refMinutes} min`;
    const shared = share < expected - 1e-9 ? `; others fell silent with it (${formatNumber(share / expected)} of it counted)` : '';
    const reason = `${seen === 0 ? 'no span or record' : `only ${formatNumber(seen)} spans and records`} in ${minutes} min where ${formatNumber(expected)} were expected (it left some in ${steady} of reference)${shared}: down or unreachable`;
    out.push({ service, signal: { kind: 'silent', score, reason, ref: { type: 'silence', count: seen, expected, referenceMinutes: (refBuckets.length * config.bucketMs) / 60_000 }, ...when } });
  }
  return out;
}

/** 1 for an onset up to one bucket after `at`, falling as the onset comes later: 1 / (1 + delay / (window · fraction)). */
function proximity(onsetMs: number, input: EvidenceInput, config: InsightConfig): number {
  const delay = Math.max(0, onsetMs - Math.floor(input.atMs / config.bucketMs) * config.bucketMs - config.bucketMs);
  return 1 / (1 + delay / ((input.window.toMs - input.window.fromMs) * config.onsetFraction));
}

/** Counts of one service (or peer) per bucket, for a latency or a failure signal. */
interface LatencyRow {
  bucketMs: number;
  count: number;
  p90Ms: number;
}

/**
 * p90 latency above its usual level: the slowest window bucket (of minSpans at least) against
 * what is usual at the slow end of the reference (a fault may fill only part of the window);
 * discounted for few spans, and for an onset long after the alert. A warm-up bucket is no
 * symptom (it stays in the reference: usual life has them). `words` gives the reason from the
 * p90, the ratio, the usual p90 (formatted) and the window's count.
 */
function latencySignal(rows: readonly LatencyRow[], input: EvidenceInput, config: InsightConfig, warmUp: (bucketMs: number) => boolean, words: (p90: string, ratio: string, usual: string, count: number) => string): Signal | undefined {
  const { fromMs, toMs } = input.window;
  const inWindow = (b: number) => b >= fromMs && b < toMs;
  const w = rows.filter((r) => inWindow(r.bucketMs));
  const busyBuckets = w.filter((r) => r.count >= config.minSpans && !warmUp(r.bucketMs)).sort((a, b) => a.bucketMs - b.bucketMs);
  const wP90 = Math.max(...busyBuckets.map((r) => r.p90Ms));
  const rP90 = upperQuantile(rows.filter((r) => !inWindow(r.bucketMs) && r.count >= config.minSpans).map((r) => r.p90Ms), 0.9);
  if (!Number.isFinite(wP90) || !Number.isFinite(rP90)) return undefined;
  const slow = busyBuckets.filter((r) => r.p90Ms > rP90 * 2 ** config.latencyRatioFrom);
  // a slightly slow first minute just before a far slower one (under latencyOnsetShare of its
  // log ratio) is the service's own noise, not the symptom's onset
  const ratio2 = (r: LatencyRow) => Math.log2(r.p90Ms / Math.max(rP90, 0.001));
  if (slow.length > 1 && slow[1]!.bucketMs === slow[0]!.bucketMs + config.bucketMs && ratio2(slow[0]!) < config.latencyOnsetShare * ratio2(slow[1]!)) slow.shift();
  const when = span(slow.map((r) => r.bucketMs));
  const count = w.reduce((a, r) => a + r.count, 0);
  const ratio = wP90 / Math.max(rP90, 0.001);
  // a percentile of few spans is noisy: discounted like a template of few records. Each slow
  // bucket's ratio is borne out by the spans of the buckets at least that slow (a far slower
  // minute of three spans does not borrow the spans of minutes only a little slow)
  const level = (p90: number) => clamp01((Math.log2(p90 / Math.max(rP90, 0.001)) - config.latencyRatioFrom) / (config.latencyRatioFull - config.latencyRatioFrom));
  let slowCount = 0;
  let borne = 0;
  for (const r of [...slow].sort((a, b) => b.p90Ms - a.p90Ms)) {
    slowCount += r.count;
    borne = Math.max(borne, level(r.p90Ms) * (1 - Math.exp(-slowCount / config.spanCountScale)));
  }
  const score = config.latencyWeight * borne * proximity(when.onsetMs ?? Infinity, input, config);
  return { kind: 'latency', score, reason: words(ms(wP90), formatNumber(ratio), ms(rP90), count), ref: { type: 'latency', p90Ms: wP90, usualP90Ms: rP90, spans: count }, ...when };
}

/**
 * Failures above their usual ratio (errorRateFull over it is full evidence), at least minLogCount
 * of them; `own` of each bucket's failures began there (the rest passed up a callee's). `words`
 * gives the reason from the failures, the count, the share and usual share (in %) and how many
 * were passed up.
 */
function failureSignal(rows: readonly { bucketMs: number; count: number; failed: number; own: number }[], input: EvidenceInput, config: InsightConfig, words: (failed: number, count: number, share: string, usual: string, passedUp: number) => string): Signal | undefined {
  const { fromMs, toMs } = input.window;
  const inWindow = (b: number) => b >= fromMs && b < toMs;
  const w = rows.filter((r) => inWindow(r.bucketMs));
  const ref = rows.filter((r) => !inWindow(r.bucketMs));
  const failed = w.reduce((a, r) => a + r.failed, 0);
  const count = w.reduce((a, r) => a + r.count, 0);
  const refCount = ref.reduce((a, r) => a + r.count, 0);
  const usualRate = refCount > 0 ? ref.reduce((a, r) => a + r.failed, 0) / refCount : 0;
  if (count === 0 || failed < config.minLogCount) return undefined;
  const passedUp = failed - w.reduce((a, r) => a + r.own, 0);
  const score = clamp01((failed / count - usualRate) / config.errorRateFull);
  const when = span(w.filter((r) => r.failed > 0 && r.failed / r.count > usualRate).map((r) => r.bucketMs));
  return { kind: 'errors', score, reason: words(failed, count, formatNumber((100 * failed) / count), formatNumber(100 * usualRate), passedUp), ref: { type: 'span-errors', errors: failed, requests: count, usualRate, passedUp }, ...when };
}

/**
 * The time each service's requests spend in calls to each service or dependency it calls
 * directly, per bucket (summed durations: the callee's spans, or the caller's client spans to a
 * dependency without spans of its own), where the store measures them.
 */
function timeInCalls(input: EvidenceInput): Map<string, Map<string, Map<number, number>>> {
  const out = new Map<string, Map<string, Map<number, number>>>();
  const put = (caller: string, dep: string, bucketMs: number, ms: number | undefined) => {
    if (ms === undefined || caller === dep || caller === '') return;
    let deps = out.get(caller);
    if (deps === undefined) out.set(caller, (deps = new Map<string, Map<number, number>>()));
    let b = deps.get(dep);
    if (b === undefined) deps.set(dep, (b = new Map<number, number>()));
    b.set(bucketMs, (b.get(bucketMs) ?? 0) + ms);
  };
  for (const r of input.calls ?? []) put(r.caller, r.callee, r.bucketMs, r.calleeMs);
  for (const [peer, rows] of externalPeers(input.peers ?? [])) for (const r of rows) put(r.caller, peer, r.bucketMs, r.callMs);
  return out;
}

/**
 * Means add up where percentiles do not: a request that makes 16 statements to a database each
 * 100 ms slower is 1.6 s slower, while the statements' p90 rose 100 ms. So a service's mean
 * request time in `buckets` (pooled) is set against its usual (the median reference bucket's),
 * and so is the time per request spent in calls to each dependency; undefined when its requests
 * took no longer on average, or the store does not measure their durations.
 */
function perRequestTime(rows: readonly ServiceSpanStats[], buckets: readonly number[], deps: Map<string, Map<number, number>> | undefined, input: EvidenceInput): PerRequest | undefined {
  const { fromMs, toMs } = input.window;
  const slow = new Set(buckets);
  const measured = rows.filter((r) => r.requests > 0 && r.requestMs !== undefined);
  const win = measured.filter((r) => slow.has(r.bucketMs));
  const ref = measured.filter((r) => r.bucketMs < fromMs || r.bucketMs >= toMs);
  const requests = win.reduce((a, r) => a + r.requests, 0);
  if (requests === 0 || ref.length === 0) return undefined;
  const usualMs = upperQuantile(ref.map((r) => r.requestMs! / r.requests), 0.5);
  const addedMs = win.reduce((a, r) => a + r.requestMs!, 0) / requests - usualMs;
  if (!(addedMs > 0)) return undefined;
  const spent: PerRequest['in'] = [];
  for (const [service, byBucket] of deps ?? []) {
    const now = win.reduce((a, r) => a + (byBucket.get(r.bucketMs) ?? 0), 0) / requests;
    const added = now - upperQuantile(ref.map((r) => (byBucket.get(r.bucketMs) ?? 0) / r.requests), 0.5);
    if (added > 0) spent.push({ service, addedMs: added });
  }
  spent.sort((a, b) => b.addedMs - a.addedMs || (a.service < b.service ? -1 : 1));
  return { usualMs, addedMs, in: spent };
}

/**
 * The warm-up buckets (warmUpSteady): the first with data, system-wide, after one without and
 * after some data before that (a pause, not the beginning of the data), where traffic is steady (most buckets with data follow one with data); none where it is not. Not a
 * symptom in the window; left in the reference, where they are part of usual life (taking them
 * out made a noisy service's usual slow end lower and opened an incident in a fault-free run).
 */
function warmUpBuckets({ windowBuckets, refBuckets, hasData }: DataBuckets, config: InsightConfig): (bucketMs: number) => boolean {
  let total = 0;
  let follow = 0;
  for (const set of [windowBuckets, refBuckets])
    for (const b of set) {
      total++;
      if (hasData(b - config.bucketMs)) follow++;
    }
  if (total === 0 || follow < config.warmUpSteady * total) return () => false;
  // after a pause, not at the beginning: some data came before the gap (a capture that just began says nothing of one)
  let first = Infinity;
  for (const set of [windowBuckets, refBuckets]) for (const b of set) first = Math.min(first, b);
  return (b) => b > first && hasData(b) && !hasData(b - config.bucketMs);
}

/** The buckets with any log or span, system-wide, in the window and around it. */
interface DataBuckets {
  windowBuckets: Set<number>;
  refBuckets: Set<number>;
  hasData: (bucketMs: number) => boolean;
}

function dataBuckets(input: Pick<EvidenceInput, 'window' | 'logs' | 'spans'>): DataBuckets {
  const { fromMs, toMs } = input.window;
  const windowBuckets = new Set<number>();
  const refBuckets = new Set<number>();
  for (const rows of [input.logs, input.spans]) for (const r of rows) (r.bucketMs >= fromMs && r.bucketMs < toMs ? windowBuckets : refBuckets).add(r.bucketMs);
  return { windowBuckets, refBuckets, hasData: (b) => windowBuckets.has(b) || refBuckets.has(b) };
}

/** The window's warm-up buckets (warmUpBuckets), oldest first: for saying which minutes were not judged. */
export function windowWarmUps(input: Pick<EvidenceInput, 'window' | 'logs' | 'spans'>, config: InsightConfig): number[] {
  const data = dataBuckets(input);
  const warmUp = warmUpBuckets(data, config);
  return [...data.windowBuckets].filter(warmUp).sort((a, b) => a - b);
}

/** The name evidence gets when its records carry no service (no service.name, no pod). */
export const NO_SERVICE = '(no service)';

const clamp01 = (x: number) => (x <= 0 ? 0 : x >= 1 ? 1 : x);

/** Mean after leaving out the busiest `trim` share of the values (other incidents must not look usual). */
function trimmedMean(values: number[], trim: number): number {
  if (values.length === 0) return 0;
  values.sort((a, b) => a - b);
  const keep = Math.max(1, Math.ceil(values.length * (1 - trim)));
  let s = 0;
  for (let i = 0; i < keep; i++) s += values[i]!;
  return s / keep;
}

/** The discrete q-quantile (NaN for none). */
function upperQuantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  return values[Math.floor((values.length - 1) * q)]!;
}

function severityWord(severity: number): string {
  return severity === 0 ? 'unlevelled' : severityName(severity);
}

/** A template in quotes, cut at 90 characters. */
export function quote(template: string): string {
  return template.length > 90 ? `"${template.slice(0, 89)}…"` : `"${template}"`;
}

/** Milliseconds as a person reads them (1.6 s, 40 ms). */
export function ms(v: number): string {
  return v >= 1000 ? `${formatNumber(v / 1000)} s` : `${formatNumber(v)} ms`;
}

/**
 * Each service's own evidence of trouble in the window, each signal measured against the
 * service's usual behaviour in the reference buckets (those with data outside the window):
 * log templates far above their usual rate (new ones included), p90 latency above its usual
 * level, span errors above their usual ratio, and metric anomalies. Deterministic and pure.
 */
export function serviceEvidence(input: EvidenceInput, config: InsightConfig): ServiceEvidence[] {
  const { fromMs, toMs } = input.window;
  const inWindow = (b: number) => b >= fromMs && b < toMs;
  // buckets with any data, system-wide: a bucket without data is not a quiet one
  const data = dataBuckets(input);
  const { windowBuckets, refBuckets, hasData } = data;
  const warmUp = warmUpBuckets(data, config);
  const signals = new Map<string, Signal[]>();
  const add = (named: string, s: Signal) => {
    if (s.score <= 0) return;
    // records without a service name are still trouble, under a name a person can read
    const service = named === '' ? NO_SERVICE : named;
    let l = signals.get(service);
    if (l === undefined) signals.set(service, (l = []));
    l.push(s);
  };
  const nw = windowBuckets.size;
  const nr = refBuckets.size;
  const windowMinutes = (nw * config.bucketMs) / 60_000;
  const refMinutes = (nr * config.bucketMs) / 60_000;

  // logs: per service and template, expected counts scaled by how busy the whole system is in the
  // window compared with the reference (a workload that doubles doubles every message)
  let windowLogs = 0;
  let refLogs = 0;
  for (const r of input.logs) {
    if (inWindow(r.bucketMs)) windowLogs += r.count;
    else refLogs += r.count;
  }
  const busy = nw > 0 && nr > 0 && refLogs > 0 ? Math.min(4, Math.max(0.25, windowLogs / nw / (refLogs / nr))) : 1;
  // rows per service and template, grouped once for the rate signals and the flow signals below
  const byService = new Map<string, Map<string, ServiceTemplateCount[]>>();
  for (const r of input.logs) {
    let templates = byService.get(r.service);
    if (templates === undefined) byService.set(r.service, (templates = new Map<string, ServiceTemplateCount[]>()));
    let rows = templates.get(r.templateId);
    if (rows === undefined) templates.set(r.templateId, (rows = []));
    rows.push(r);
  }
  // the other services that a template's window records name, and when
  const mentions = new Map<string, Map<string, { count: number; buckets: number[] }>>();
  for (const m of input.mentions ?? []) {
    if (!inWindow(m.bucketMs)) continue;
    const key = `${m.service}\u0000${m.templateId}`;
    let named = mentions.get(key);
    if (named === undefined) mentions.set(key, (named = new Map<string, { count: number; buckets: number[] }>()));
    const n = named.get(m.named) ?? { count: 0, buckets: [] };
    n.count += m.count;
    n.buckets.push(m.bucketMs);
    named.set(m.named, n);
  }
  // the buckets in which each service left any record: a named service that left none in the
  // window, where it usually does, was unreachable or down; one that goes on working speaks for itself
  const active = new Map<string, Set<number>>();
  if (mentions.size > 0)
    for (const rows of [input.logs, input.spans])
      for (const r of rows) {
        if (r.count <= 0) continue;
        let set = active.get(r.service);
        if (set === undefined) active.set(r.service, (set = new Set()));
        set.add(r.bucketMs);
      }
  const usuallyActive = (service: string) => {
    let n = 0;
    for (const b of active.get(service) ?? []) if (!inWindow(b)) n++;
    return nr > 0 ? n / nr : 0;
  };
  const namedSignals: { service: string; signal: Signal }[] = [];
  const bucketMinutes = (k: number) => `${formatNumber((k * config.bucketMs) / 60_000)} min`;
  for (const rows of [...byService.values()].flatMap((templates) => [...templates.values()])) {
    let count = 0;
    let severity = 0;
    const refCounts: number[] = [];
    const windowRows: ServiceTemplateCount[] = [];
    for (const r of rows) {
      if (inWindow(r.bucketMs)) {
        count += r.count;
        severity = Math.max(severity, r.severity);
        windowRows.push(r);
      } else refCounts.push(r.count);
    }
    if (count < config.minLogCount) continue;
    while (refCounts.length < nr) refCounts.push(0);
    const usual = trimmedMean(refCounts, config.trimTop);
    const expected = usual * nw * busy;
    if (count <= expected) continue;
    const ratio = Math.log2((count + 1) / (expected + 1));
    const w = severity >= SEVERITY.ERROR ? config.severityWeight.error : severity >= SEVERITY.WARN ? config.severityWeight.warn : config.severityWeight.other;
    const perBucket = usual * busy;
    const when = span(windowRows.filter((r) => r.count > perBucket).map((r) => r.bucketMs));
    const score = w * clamp01(ratio / config.logRatioFull) * (1 - Math.exp(-count / config.logCountScale)) * proximity(when.onsetMs ?? Infinity, input, config);
    const first = rows[0]!;
    const refTotal = refCounts.reduce((a, c) => a + c, 0);
    const seen = refTotal > 0;
    const reason = seen
      ? expected >= 0.5
        ? `${count} ${severityWord(severity)} records ${quote(first.template)} in ${formatNumber(windowMinutes)} min, ${formatNumber(count / expected)}× the ${formatNumber(expected)} expected`
        : `${count} ${severityWord(severity)} records ${quote(first.template)} in ${formatNumber(windowMinutes)} min, usually (almost) absent (${refTotal} in ${formatNumber(refMinutes)} min of reference)`
      : `${count} ${severityWord(severity)} records ${quote(first.template)} in ${formatNumber(windowMinutes)} min, a message not seen in the ${formatNumber(refMinutes)} min of reference`;
    const ref: EvidenceRef = { type: 'template', templateId: first.templateId, template: first.template, severity, count, usualPerBucket: usual, referenceCount: refTotal };
    const named = [...(mentions.get(`${first.service}\u0000${first.templateId}`) ?? [])].map(([service, n]) => ({ service, count: Math.min(n.count, count), buckets: n.buckets }));
    add(first.service, { kind: 'log', score, reason, ref, ...when, ...(named.length > 0 ? { names: named.map((n) => ({ service: n.service, count: n.count })) } : {}) });
    // a service named in another's abnormal errors ("No instances available for …", "connection
    // refused: …") while it left no record itself is down or unreachable: a candidate that says nothing
    for (const n of named) {
      const silent = n.buckets.filter((b) => !(active.get(n.service)?.has(b) ?? false));
      const silence = (silent.length / n.buckets.length) * usuallyActive(n.service);
      if (silence === 0) continue;
      namedSignals.push({
        service: n.service,
        signal: {
          kind: 'named',
          score: score * (n.count / count) * silence * config.namedWeight,
          reason: `named in ${n.count} of ${count} ${severityWord(severity)} records of ${first.service === '' ? NO_SERVICE : first.service} ${quote(first.template)}, and silent itself for ${bucketMinutes(silent.length)} of those ${bucketMinutes(n.buckets.length)}`,
          ref: { ...ref, service: first.service },
          ...span(silent),
        },
      });
    }
  }

  for (const { service, signal } of namedSignals) add(service, signal);

  // a code path cut short: a message that follows another in step in the reference stops in the
  // window while the other goes on (an exception or an early return between the two lines);
  // both stopping together is less traffic, not a fault. A line of code is one step, whatever
  // its message says: the templates of one code location (a list that grew, a value of another
  // shape) are counted together, under the one with the most reference records. A stop is
  // judged in whole buckets only: the first and last of a stretch of data (the system's, all
  // services') may hold a few seconds of it, where one message can come before the other.
  type Counts = { templateId: string; template: string; severity: number; ref: Map<number, number>; win: Map<number, number>; refTotal: number; main: number };
  const whole = (b: number) => hasData(b - config.bucketMs) && hasData(b + config.bucketMs);
  for (const [service, templates] of byService) {
    const sites = new Map<string, Counts>();
    for (const [templateId, rows] of templates) {
      const key = codeLocationOf(rows[0]!.template) ?? `\u0000${templateId}`;
      let t = sites.get(key);
      if (t === undefined) sites.set(key, (t = { templateId, template: rows[0]!.template, severity: rows[0]!.severity, ref: new Map(), win: new Map(), refTotal: 0, main: -1 }));
      let own = 0;
      for (const r of rows) {
        if (inWindow(r.bucketMs)) {
          if (whole(r.bucketMs)) t.win.set(r.bucketMs, (t.win.get(r.bucketMs) ?? 0) + r.count);
        } else {
          t.ref.set(r.bucketMs, (t.ref.get(r.bucketMs) ?? 0) + r.count);
          own += r.count;
        }
        t.severity = Math.max(t.severity, r.severity);
      }
      t.refTotal += own;
      if (own > t.main) Object.assign(t, { templateId, template: rows[0]!.template, main: own });
    }
    const steady = [...sites.values()].filter((t) => t.refTotal >= config.flowMinReference && t.ref.size >= config.flowMinBuckets).map((t) => [t.templateId, t] as const);
    for (const [followerId, b] of steady) {
      let best: { expected: number; seen: number; stopped: number[]; ratio: number; leader: string } | undefined;
      for (const [leaderId, a] of steady) {
        if (leaderId === followerId) continue;
        const ratio = b.refTotal / a.refTotal;
        if (ratio * config.flowRatioSpan < 1 || ratio > config.flowRatioSpan) continue;
        // in step: where the leader has records, the follower has about `ratio` times as many
        // (the bucket just before the window may hold the start of the very fault: it is not judged)
        let inStep = 0;
        let judged = 0;
        for (const [bucket, ca] of a.ref) {
          if (bucket === fromMs - config.bucketMs) continue;
          judged++;
          const cb = b.ref.get(bucket) ?? 0;
          if (Math.abs(cb - ca * ratio) <= 0.5 * ca * ratio + 1) inStep++;
        }
        if (inStep < config.flowCoupling * judged) continue;
        let expected = 0;
        let seen = 0;
        const stopped: number[] = [];
        for (const [bucket, ca] of a.win) {
          const e = ca * ratio;
          const cb = b.win.get(bucket) ?? 0;
          if (e <= 0 || cb > e * config.flowStoppedShare) continue;
          expected += e;
          seen += cb;
          stopped.push(bucket);
        }
        // a fault that began within the minute before cut part of it: that minute is the onset
        // when less than flowOnsetShare of what was expected came
        const before = Math.min(...stopped) - config.bucketMs;
        const eb = (a.win.get(before) ?? 0) * ratio;
        const cbBefore = b.win.get(before) ?? 0;
        if (eb > 0 && cbBefore <= eb * config.flowOnsetShare) {
          expected += eb;
          seen += cbBefore;
          stopped.unshift(before);
        }
        if (expected >= config.flowMinExpected && (best === undefined || expected > best.expected)) best = { expected, seen, stopped, ratio, leader: a.template };
      }
      if (best === undefined) continue;
      const when = span(best.stopped);
      const score = config.flowWeight * (1 - best.seen / best.expected) * (1 - Math.exp(-best.expected / config.logCountScale)) * proximity(when.onsetMs!, input, config);
      const reason = `${quote(b.template)} stopped: ${formatNumber(best.seen)} records in ${formatNumber((best.stopped.length * config.bucketMs) / 60_000)} min where ${formatNumber(best.expected)} were expected from ${quote(best.leader)} (it follows it ${formatNumber(best.ratio)}:1 in the reference)`;
      add(service, { kind: 'flow', score, reason, ref: { type: 'template', templateId: followerId, template: b.template, severity: b.severity, count: best.seen, usualPerBucket: best.expected / best.stopped.length, referenceCount: b.refTotal }, ...when });
    }
  }

  // spans: p90 latency and error ratio per service
  const bySpanService = new Map<string, ServiceSpanStats[]>();
  for (const r of input.spans) {
    let l = bySpanService.get(r.service);
    if (l === undefined) bySpanService.set(r.service, (l = []));
    l.push(r);
  }
  const spentIn = timeInCalls(input);
  for (const [service, rows] of bySpanService) {
    const slow = latencySignal(rows, input, config, warmUp, (p90, ratio, usual, n) => `p90 latency up to ${p90} per ${formatNumber(config.bucketMs / 60_000)} min, ${ratio}× its usual ${usual} at most (${n} spans)`);
    const perRequest = slow?.ref.type === 'latency' && slow.buckets !== undefined ? perRequestTime(rows, slow.buckets, spentIn.get(service), input) : undefined;
    if (slow !== undefined && slow.ref.type === 'latency' && perRequest !== undefined) {
      // the dependency that took the most of it, when it took a tenth at least
      const top = perRequest.in[0];
      const where = top !== undefined && top.addedMs >= 0.1 * perRequest.addedMs ? `, ${ms(top.addedMs)} of it in calls to ${top.service}` : '';
      add(service, { ...slow, reason: `${slow.reason}; its requests took ${ms(perRequest.addedMs)} longer on average${where}`, ref: { ...slow.ref, perRequest } });
    } else if (slow !== undefined) add(service, slow);
    // failed requests (not every span: a request's own work, database calls and all, would dilute them)
    const failing = failureSignal(
      rows.map((r) => ({ bucketMs: r.bucketMs, count: r.requests, failed: r.failedRequests, own: Math.min(r.ownFailedRequests, r.failedRequests) })),
      input,
      config,
      (failed, n, share, usual, passedUp) => `${failed} of ${n} requests failed (${share}%), usually ${usual}%${passedUp === 0 ? '' : `; ${passedUp === failed ? 'all' : passedUp} of them passed up the failure of a call they made`}`,
    );
    if (failing !== undefined) add(service, failing);
  }

  for (const { service, signal } of callSignals(input, config, warmUp)) add(service, signal);
  for (const { service, signal } of unansweredSignals(input, config)) add(service, signal);
  for (const { service, signal } of externalSignals(input, config, warmUp)) add(service, signal);
  for (const { service, signal } of silentSignals(input, config, whole)) add(service, signal);

  // metric anomalies found as the points arrived, discounted by how often the service has them anyway
  const metricRef = new Map<string, number>();
  for (const f of input.findings) if (!inWindow(f.timeMs) && f.kind === 'metric-anomaly') metricRef.set(f.subject.resource.service ?? '', (metricRef.get(f.subject.resource.service ?? '') ?? 0) + 1);
  for (const f of input.findings) {
    if (!inWindow(f.timeMs) || f.kind !== 'metric-anomaly') continue;
    const service = f.subject.resource.service ?? '';
    const usualPerWindow = ((metricRef.get(service) ?? 0) / Math.max(1, refMinutes)) * Math.max(1, windowMinutes);
    const score = ((config.metricWeight * f.score) / (1 + usualPerWindow)) * proximity(f.timeMs, input, config);
    add(service, { kind: 'metric', score, reason: `${f.subject.metric}: ${f.reason}`, ref: { type: 'finding', findingId: f.id, metric: f.subject.metric, timeMs: f.timeMs, score: f.score }, onsetMs: f.timeMs, untilMs: f.timeMs });
  }

  // cluster changes (rollouts, restarts, OOM kills…) shortly before or during the window: alone
  // they are not trouble, but they make a service with symptoms a likelier cause
  for (const f of input.findings) {
    if (f.kind !== 'change' || f.timeMs < fromMs - config.changeLookbackMs || f.timeMs >= toMs) continue;
    const service = f.subject.resource.service ?? '';
    add(service, { kind: 'change', score: config.changeWeight * f.score, reason: `recent change: ${f.reason}`, ref: { type: 'change', findingId: f.id, change: f.detail, timeMs: f.timeMs }, onsetMs: f.timeMs });
  }

  const out: ServiceEvidence[] = [];
  for (const [service, list] of signals) {
    list.sort((a, b) => b.score - a.score || (a.reason < b.reason ? -1 : 1));
    out.push({ service, score: combineSignals(list), signals: list });
  }
  return out.sort((a, b) => b.score - a.score || (a.service < b.service ? -1 : 1));
}
