import type { EdgeStats } from '../../../domain/telemetry-aggregates.js';
import { formatNumber } from '../../metrics/reasons.js';
import type { FoundSignal, SignalSource } from './signal.js';
import { bucketSpan, level, ms, names, proximity, upperQuantile } from './signal.js';

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
  /** The chance of so many window buckets so slow, were the window like the reference (slowedChance). */
  chance: number;
}

/** P(X ≥ k) for X ~ Binomial(n, p). */
export function binomialTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  let term = (1 - p) ** n; // P(X = 0)
  let below = 0;
  for (let i = 0; i < k; i++) {
    below += term;
    term *= ((n - i) / (i + 1)) * (p / (1 - p));
  }
  return Math.max(0, 1 - below);
}

/**
 * How likely so many of a path's window buckets would be this slow were the window like its
 * reference, from the reference alone (no setting): each slowed bucket's empirical p-value, how
 * many reference buckets of at most its calls were at least as slow (a median of few calls is
 * the noisier, so thin buckets are judged against thin ones; half a bucket is added on each side,
 * so a reference of few such buckets says little), and then the least of the chances of at least
 * j of the window's buckets as unlikely as the j-th most unlikely slowed one.
 */
export function slowedChance(
  slow: readonly EdgeStats[],
  windowBuckets: number,
  reference: readonly EdgeStats[],
): number {
  const ps = slow
    .map((w) => {
      let like = 0;
      let asSlow = 0;
      for (const r of reference)
        if (r.calls <= w.calls) {
          like++;
          if (r.gapP50Ms >= w.gapP50Ms) asSlow++;
        }
      return (asSlow + 0.5) / (like + 1);
    })
    .sort((a, b) => a - b);
  return Math.min(1, ...ps.map((p, j) => binomialTail(j + 1, windowBuckets, p)));
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
export const networkSignals: SignalSource = ({ input, config, warmUp, inWindow }) => {
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
    const refRows = rows.filter((r) => !inWindow(r.bucketMs) && r.calls >= config.minSpans);
    const ref = refRows.map((r) => r.gapP50Ms);
    // a median does not care how much of a bucket had data: every bucket counts
    const win = rows.filter((r) => inWindow(r.bucketMs) && r.calls >= config.minSpans);
    if (ref.length < config.networkMinReference || win.length === 0 || upperQuantile(ref, 0.5) <= 0)
      continue;
    // the slow end of the reference, without its slowest buckets (other incidents); below a millisecond a ratio is noise
    const usualMs = Math.max(1, upperQuantile(ref, 1 - config.trimTop));
    const threshold = usualMs * 2 ** config.networkRatioFrom;
    const slow = win.filter((r) => r.gapP50Ms > threshold);
    const chance = slowedChance(slow, win.length, refRows);
    const gapMs = Math.max(...win.map((r) => r.gapP50Ms));
    const calls = slow.reduce((a, r) => a + r.calls, 0);
    const slowness =
      slow.length === 0
        ? 0
        : level(Math.log2(gapMs / usualMs), config.networkRatioFrom, config.networkRatioFull);
    paths.push({
      caller: rows[0]!.caller,
      callee: rows[0]!.callee,
      slowness,
      gapMs,
      usualMs,
      calls,
      buckets: slow.map((r) => r.bucketMs),
      chance,
    });
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
  const others = (service: string, p: CallPath) =>
    (mass(service) - p.slowness + config.networkPrior) / (of.get(service)?.length ?? 1);
  const won = new Map<string, CallPath[]>();
  for (const p of paths) {
    if (p.slowness <= 0) continue;
    const d = others(p.callee, p) - others(p.caller, p);
    const end = d > 1e-9 || (d >= -1e-9 && mass(p.callee) >= mass(p.caller)) ? p.callee : p.caller;
    let l = won.get(end);
    if (l === undefined) won.set(end, (l = []));
    l.push(p);
  }
  const out: FoundSignal[] = [];
  for (const [service, list] of won) {
    const all = of.get(service)!.length;
    const when = bucketSpan(list.flatMap((p) => p.buckets));
    const worst = list.reduce((a, p) => (p.gapMs / p.usualMs > a.gapMs / a.usualMs ? p : a));
    const peers = [
      ...new Set(list.map((p) => (p.caller === service ? p.callee : p.caller))),
    ].sort();
    const direction = list.every((p) => p.callee === service)
      ? 'from'
      : list.every((p) => p.caller === service)
        ? 'to'
        : 'with';
    // the slowed paths' calls count together: each path is another witness of the same delay
    const calls = list.reduce((a, p) => a + p.calls, 0);
    // the share of its paths that slowed, one direction at a time: a delay on its responses slows
    // every call into it and none of those it makes (and the other way round)
    const share = (inbound: boolean) => {
      const n = of.get(service)!.filter((p) => (p.callee === service) === inbound).length;
      return n === 0
        ? 0
        : list
            .filter((p) => (p.callee === service) === inbound)
            .reduce((a, p) => a + p.slowness, 0) / n;
    };
    const slowed = Math.max(share(true), share(false));
    // when most of its paths slowed (the median path's first slow bucket): one path that slowed at
    // the alert (a sibling call's delay inflates every path of a shared caller) does not date the
    // many that slowed with a later trouble, another incident's
    const onsets = list.map((p) => Math.min(...p.buckets)).sort((a, b) => a - b);
    const sure =
      config.networkConfidence === 'chance'
        ? 1 - list.reduce((a, p) => a * p.chance, 1)
        : 1 - Math.exp(-calls / config.networkCountScale);
    const score =
      config.networkWeight *
      slowed *
      sure *
      proximity(onsets[(onsets.length - 1) >> 1]!, input, config);
    const reason = `calls ${direction} ${names(peers)} spent up to ${ms(worst.gapMs)} outside ${direction === 'from' ? 'its' : "their callees'"} spans (median per ${formatNumber(config.bucketMs / 60_000)} min), ${formatNumber(worst.gapMs / worst.usualMs)}× the usual ${ms(worst.usualMs)} at most, ${all === 1 ? 'on its only call path' : list.length === all ? `on all ${all} of its call paths` : `on ${list.length} of its ${all} call paths`}: a network delay, or requests waiting to be taken up`;
    out.push({
      service,
      signal: {
        kind: 'network',
        score,
        reason,
        ref: { type: 'calls', peers, gapMs: worst.gapMs, usualGapMs: worst.usualMs, calls },
        ...when,
      },
    });
  }
  return out;
};
