import type { ServiceEvidence, Signal } from './evidence.js';
import { combineSignals, ms, names } from './evidence.js';
import type { InsightConfig } from './insight-config.js';
import type { ServiceGraph } from './service-graph.js';

export interface RootCauseCandidate {
  service: string;
  /** 0..1 */
  score: number;
  /** Its own evidence, how well it explains the others' symptoms; sentences a person reads. */
  reasons: string[];
  /** The signals behind the reasons, strongest first. */
  signals: Signal[];
  /** Abnormal services that call it (their symptoms it can explain). */
  explains: string[];
  /** Abnormal services it calls (which may explain its own symptoms). */
  explainedBy: string[];
}

/**
 * How strongly each service was in trouble when a symptom began: its signals abnormal in the
 * symptom's onset bucket (a change: made by then), combined. A dependency can explain a
 * caller's symptom only so (a cause comes no later than its effects and lasts until they show),
 * and a caller's slowness only as far as its own slowness adds up to it (10 ms more in a callee
 * do not make 300 ms more in its caller; its errors may, by retries and timeouts).
 */
class TroubleAt {
  private readonly memo = new Map<string, number>();
  constructor(
    private readonly bucketMs: number,
    private readonly latencyShare: number,
  ) {}

  private bucket(ms: number): number {
    return Math.floor(ms / this.bucketMs);
  }

  /** A signal's abnormal buckets as a set (looked up once per signal: a many-service ranking asks often). */
  private readonly bucketSets = new WeakMap<Signal, Set<number>>();
  private bucketsOf(x: Signal, buckets: readonly number[]): Set<number> {
    let set = this.bucketSets.get(x);
    if (set === undefined)
      this.bucketSets.set(x, (set = new Set(buckets.map((b) => this.bucket(b)))));
    return set;
  }

  /** Whether signal `x` was on when symptom `s` began; without known times, it was. */
  covers(x: Signal, s: Signal): boolean {
    if (x.onsetMs === undefined || s.onsetMs === undefined) return true;
    const on = this.bucket(s.onsetMs);
    if (this.bucket(x.onsetMs) > on) return false;
    // a change stays once made
    if (x.kind === 'change') return true;
    // abnormal in that very bucket: between two bursts (another incident's, say) it was not
    if (x.buckets !== undefined) return this.bucketsOf(x, x.buckets).has(on);
    return this.bucket(x.untilMs ?? x.onsetMs) >= on;
  }

  /** Whether signal `x` was abnormal in any bucket in which `s` was. */
  private overlaps(x: Signal, s: Signal): boolean {
    if (x.buckets === undefined || s.buckets === undefined) return false;
    const set = this.bucketsOf(x, x.buckets);
    return s.buckets.some((b) => set.has(this.bucket(b)));
  }

  of(d: ServiceEvidence, s: Signal): number {
    // time spent outside a callee's spans is not the callee's doing: the path went to one end already
    if (s.kind === 'network') return 0;
    // a caller's slowness is explained only as far as the dependency's own slowness adds up to it,
    // and then as surely as the caller's is known: the same milliseconds, whether or not they are
    // many for the dependency (whose p90 may mix slow operations with the fast one called)
    const slower = addedMs(s);
    if (slower !== undefined) {
      // or as far as the caller's requests spent their added time in calls to it (a direct dependency)
      const spent = spentShare(s, d.service);
      // the time was measured in the caller's slow buckets: where most of it went to calls to the
      // dependency, a trouble of the dependency's in any of those buckets is the same moment
      const measured = spent >= this.latencyShare;
      return combineSignals(
        d.signals.filter((x) => this.covers(x, s) || (measured && this.overlaps(x, s))),
        (x) => {
          const added = addedMs(x);
          return added === undefined
            ? x.score
            : Math.max(x.score, s.score) *
                Math.min(1, Math.max(added / slower, spent) / this.latencyShare);
        },
      );
    }
    const key = `${d.service}\u0000${s.onsetMs === undefined ? '' : this.bucket(s.onsetMs)}`;
    let v = this.memo.get(key);
    if (v === undefined)
      this.memo.set(key, (v = combineSignals(d.signals.filter((x) => this.covers(x, s)))));
    return v;
  }
}

/** The time a latency signal adds to each call (p90 over its usual), or a slowed call path (the gap over its usual); undefined for other signals. */
function addedMs(s: Signal): number | undefined {
  if (s.ref.type === 'latency') return Math.max(1e-3, s.ref.p90Ms - s.ref.usualP90Ms);
  if (s.ref.type === 'calls') return Math.max(1e-3, s.ref.gapMs - s.ref.usualGapMs);
  return undefined;
}

/** The share of a caller's added mean request time that went to calls to `dependency` (0 when not measured, or not a direct dependency). */
export function spentShare(s: Signal, dependency: string): number {
  if (s.ref.type !== 'latency' || s.ref.perRequest === undefined) return 0;
  const d = s.ref.perRequest.in.find((x) => x.service === dependency);
  return d === undefined ? 0 : Math.min(1, d.addedMs / s.ref.perRequest.addedMs);
}

/**
 * A service's slowness seen on few calls (a database a service queries a few times a minute) is
 * discounted as a noisy percentile; a caller whose p90, over many spans, rose from the same
 * bucket by no more milliseconds than it added bears it out (the same milliseconds, seen from
 * above), and so does one whose requests spent at least `share` of their added mean time in calls
 * to it (a request that calls it many times adds up its slowness): the latency signal weighs as
 * much as the caller's, and its reason says so.
 */
function borneOut(
  evidence: readonly ServiceEvidence[],
  graph: ServiceGraph,
  at: TroubleAt,
  share: number,
): ServiceEvidence[] {
  const byService = new Map(evidence.map((e) => [e.service, e]));
  return evidence.map((e) => {
    const signals = e.signals.map((x) => {
      const added = x.ref.type === 'latency' ? addedMs(x) : undefined;
      if (added === undefined) return x;
      // the caller that bears it out most (its reason says so even where its own weighs more)
      let best: { score: number; callers: string[]; spentMs: number } = {
        score: -1,
        callers: [],
        spentMs: 0,
      };
      for (const caller of graph.callers(e.service).sort()) {
        for (const s of byService.get(caller)?.signals ?? []) {
          const slower = s.ref.type === 'latency' ? addedMs(s) : undefined;
          if (slower === undefined || !at.covers(x, s) || !at.covers(s, x)) continue;
          const spent =
            spentShare(s, e.service) >= share && s.ref.type === 'latency'
              ? (s.ref.perRequest?.in.find((d) => d.service === e.service)?.addedMs ?? 0)
              : 0;
          if (added < slower && spent === 0) continue;
          if (s.score > best.score) best = { score: s.score, callers: [caller], spentMs: spent };
          else if (s.score === best.score && !best.callers.includes(caller))
            best = {
              ...best,
              callers: [...best.callers, caller],
              spentMs: Math.max(best.spentMs, spent),
            };
        }
      }
      if (best.callers.length === 0) return x;
      const them =
        best.callers.length === 1
          ? `${best.callers[0]!}, which calls it, was`
          : `${names(best.callers)}, which call it, were`;
      const how =
        best.spentMs > 0
          ? `slower at the same time, up to ${ms(best.spentMs)} more per request spent in calls to it`
          : 'as much slower at the same time';
      return { ...x, score: Math.max(x.score, best.score), reason: `${x.reason}; ${them} ${how}` };
    });
    if (signals.every((x, i) => x === e.signals[i])) return e;
    signals.sort((a, b) => b.score - a.score);
    return { ...e, signals, score: combineSignals(signals) };
  });
}

/** A candidate's reasons begin with its strongest signals' own, this many at most; how it relates to the others follows. */
export const SIGNAL_REASONS = 3;

/** How the graph's edges read in reasons: calls between services (traces), or records that name another service (logs alone). */
export interface RelationWords {
  /** After "explains the symptoms of X, …". */
  dependants: string;
  /** Before "Y, abnormal too: …". */
  dependsOn: string;
}
export const CALLS: RelationWords = { dependants: 'which call it', dependsOn: 'it calls' };
export const NAMES: RelationWords = {
  dependants: 'whose records name it',
  dependsOn: 'its records name',
};

/**
 * Ranks services as the root cause of what the evidence shows. A service is scored by its own
 * evidence, raised for the abnormal services that call it (directly or not: a cause sits
 * downstream of the symptoms it explains) and lowered when an abnormal service it calls could
 * explain its own symptoms. Either only for symptoms that began while the dependency was in
 * trouble. Services with no evidence are not candidates.
 */
export function rankRootCauses(
  given: readonly ServiceEvidence[],
  graph: ServiceGraph,
  config: InsightConfig,
  words: RelationWords = CALLS,
): RootCauseCandidate[] {
  const at = new TroubleAt(config.bucketMs, config.explainLatencyShare);
  const evidence = borneOut(given, graph, at, config.explainLatencyShare);
  const own = new Map(evidence.map((e) => [e.service, e.score]));
  const abnormal = evidence.filter((e) => e.score >= config.abnormalAt);
  const total = abnormal.reduce((a, e) => a + e.score, 0);
  const out: RootCauseCandidate[] = [];
  for (const e of evidence) {
    // the callers' symptoms that began while e was in trouble
    const explained = abnormal
      .filter((a) => a.service !== e.service && graph.downstream(a.service).has(e.service))
      .map((a) => ({
        service: a.service,
        score: combineSignals(a.signals.filter((s) => at.of(e, s) >= config.abnormalAt)),
      }))
      .filter((a) => a.score >= config.abnormalAt);
    const explainedShare = explained.reduce((a, x) => a + x.score, 0) / Math.max(total, 1e-9);
    // e's own symptoms, each discounted by how strongly a dependency was in trouble when it began
    const down = graph.downstream(e.service);
    const deps = abnormal.filter(
      (d) => d.service !== e.service && down.has(d.service) && d.score >= e.score * 0.5,
    );
    const explainedBy = deps.filter((d) => e.signals.some((s) => at.of(d, s) >= config.abnormalAt));
    // records that name another service put their share of the symptom there
    const named = new Set(e.signals.flatMap((s) => s.names?.map((n) => n.service) ?? []));
    const byNamed = (s: Signal) =>
      s.names === undefined || s.ref.type !== 'template'
        ? 0
        : Math.min(1, s.names.reduce((a, n) => a + n.count, 0) / Math.max(1, s.ref.count));
    // failed spans that only passed up a callee's failure (the traces say where each began) likewise
    const byPassed = (s: Signal) =>
      s.ref.type === 'span-errors' && s.ref.errors > 0 ? s.ref.passedUp / s.ref.errors : 0;
    const passes = e.signals.some((s) => byPassed(s) > 0);
    const byDown = (s: Signal) =>
      explainedBy.reduce((m, d) => Math.max(m, at.of(d, s)), Math.max(byNamed(s), byPassed(s)));
    const ownLeft =
      explainedBy.length === 0 && named.size === 0 && !passes
        ? e.score
        : combineSignals(e.signals, (s) => s.score * (1 - config.explainedPenalty * byDown(s)));
    const score = (ownLeft + config.explainBonus * explainedShare) / (1 + config.explainBonus);
    const reasons = e.signals.slice(0, SIGNAL_REASONS).map((s) => s.reason);
    if (explained.length > 0)
      reasons.push(
        `explains the symptoms of ${names(explained.map((x) => x.service))}, ${words.dependants}`,
      );
    if (explainedBy.length > 0)
      reasons.push(
        `${words.dependsOn} ${names(explainedBy.map((x) => x.service))}, abnormal too: its symptoms may come from there`,
      );
    const namedOnly = [...named].filter((n) => !explainedBy.some((d) => d.service === n));
    if (namedOnly.length > 0)
      reasons.push(`its records name ${names(namedOnly)}: its symptoms may come from there`);
    out.push({
      service: e.service,
      score,
      reasons,
      signals: e.signals,
      explains: explained.map((x) => x.service),
      explainedBy: explainedBy.map((x) => x.service),
    });
  }
  // own evidence breaks ties, then the name (deterministic)
  return out.sort(
    (a, b) =>
      b.score - a.score ||
      (own.get(b.service) ?? 0) - (own.get(a.service) ?? 0) ||
      (a.service < b.service ? -1 : 1),
  );
}
