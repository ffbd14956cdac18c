import type { ServiceSpanStats } from '../../../domain/telemetry-aggregates.js';
import { formatNumber } from '../../metrics/reasons.js';
import { externalPeers } from './peers.js';
import type {
  EvidenceInput,
  FoundSignal,
  PerRequest,
  Signal,
  SignalContext,
  SignalSource,
} from './signal.js';
import { bucketSpan, level, ms, proximity, upperQuantile } from './signal.js';

/** Counts of one service (or peer) per bucket, for a latency or a failure signal. */
export interface LatencyRow {
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
export function latencySignal(
  rows: readonly LatencyRow[],
  { input, config, warmUp, inWindow }: SignalContext,
  words: (p90: string, ratio: string, usual: string, count: number) => string,
): Signal | undefined {
  const w = rows.filter((r) => inWindow(r.bucketMs));
  const busyBuckets = w
    .filter((r) => r.count >= config.minSpans && !warmUp(r.bucketMs))
    .sort((a, b) => a.bucketMs - b.bucketMs);
  const wP90 = Math.max(...busyBuckets.map((r) => r.p90Ms));
  const rP90 = upperQuantile(
    rows.filter((r) => !inWindow(r.bucketMs) && r.count >= config.minSpans).map((r) => r.p90Ms),
    0.9,
  );
  if (!Number.isFinite(wP90) || !Number.isFinite(rP90)) return undefined;
  const slow = busyBuckets.filter((r) => r.p90Ms > rP90 * 2 ** config.latencyRatioFrom);
  // a slightly slow first minute just before a far slower one (under latencyOnsetShare of its
  // log ratio) is the service's own noise, not the symptom's onset
  const ratio2 = (r: LatencyRow) => Math.log2(r.p90Ms / Math.max(rP90, 0.001));
  if (
    slow.length > 1 &&
    slow[1]!.bucketMs === slow[0]!.bucketMs + config.bucketMs &&
    ratio2(slow[0]!) < config.latencyOnsetShare * ratio2(slow[1]!)
  )
    slow.shift();
  const when = bucketSpan(slow.map((r) => r.bucketMs));
  const count = w.reduce((a, r) => a + r.count, 0);
  const ratio = wP90 / Math.max(rP90, 0.001);
  // a percentile of few spans is noisy: discounted like a template of few records. Each slow
  // bucket's ratio is borne out by the spans of the buckets at least that slow (a far slower
  // minute of three spans does not borrow the spans of minutes only a little slow)
  const levelOf = (p90: number) =>
    level(Math.log2(p90 / Math.max(rP90, 0.001)), config.latencyRatioFrom, config.latencyRatioFull);
  let slowCount = 0;
  let borne = 0;
  for (const r of [...slow].sort((a, b) => b.p90Ms - a.p90Ms)) {
    slowCount += r.count;
    borne = Math.max(borne, levelOf(r.p90Ms) * (1 - Math.exp(-slowCount / config.spanCountScale)));
  }
  const score = config.latencyWeight * borne * proximity(when.onsetMs ?? Infinity, input, config);
  return {
    kind: 'latency',
    score,
    reason: words(ms(wP90), formatNumber(ratio), ms(rP90), count),
    ref: { type: 'latency', p90Ms: wP90, usualP90Ms: rP90, spans: count },
    ...when,
  };
}

/**
 * The time each service's requests spend in calls to each service or dependency it calls
 * directly, per bucket (summed durations: the callee's spans and the time the calls spent outside
 * them, the median gap for each call (a network delay is time in the call), or the caller's
 * client spans to a dependency without spans of its own), where the store measures them.
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
  for (const r of input.calls ?? [])
    put(
      r.caller,
      r.callee,
      r.bucketMs,
      r.calleeMs === undefined ? undefined : r.calleeMs + r.calls * Math.max(0, r.gapP50Ms),
    );
  for (const [peer, rows] of externalPeers(input.peers ?? []))
    for (const r of rows) put(r.caller, peer, r.bucketMs, r.callMs);
  return out;
}

/**
 * Means add up where percentiles do not: a request that makes 16 statements to a database each
 * 100 ms slower is 1.6 s slower, while the statements' p90 rose 100 ms. So a service's mean
 * request time in `buckets` (pooled) is set against its usual (the median reference bucket's),
 * and so is the time per request spent in calls to each dependency; undefined when its requests
 * took no longer on average, or the store does not measure their durations.
 */
function perRequestTime(
  rows: readonly ServiceSpanStats[],
  buckets: readonly number[],
  deps: Map<string, Map<number, number>> | undefined,
  input: EvidenceInput,
): PerRequest | undefined {
  const { fromMs, toMs } = input.window;
  const slow = new Set(buckets);
  const measured = rows.filter((r) => r.requests > 0 && r.requestMs !== undefined);
  const win = measured.filter((r) => slow.has(r.bucketMs));
  const ref = measured.filter((r) => r.bucketMs < fromMs || r.bucketMs >= toMs);
  const requests = win.reduce((a, r) => a + r.requests, 0);
  if (requests === 0 || ref.length === 0) return undefined;
  const usualMs = upperQuantile(
    ref.map((r) => r.requestMs! / r.requests),
    0.5,
  );
  const addedMs = win.reduce((a, r) => a + r.requestMs!, 0) / requests - usualMs;
  if (!(addedMs > 0)) return undefined;
  const spent: PerRequest['in'] = [];
  for (const [service, byBucket] of deps ?? []) {
    const now = win.reduce((a, r) => a + (byBucket.get(r.bucketMs) ?? 0), 0) / requests;
    const added =
      now -
      upperQuantile(
        ref.map((r) => (byBucket.get(r.bucketMs) ?? 0) / r.requests),
        0.5,
      );
    if (added > 0) spent.push({ service, addedMs: added });
  }
  spent.sort((a, b) => b.addedMs - a.addedMs || (a.service < b.service ? -1 : 1));
  return { usualMs, addedMs, in: spent };
}

/**
 * p90 latency per service above its usual level (latencySignal), with how much longer its
 * requests took on average and the dependency that took the most of it (perRequestTime).
 */
export const latencySignals: SignalSource = (context) => {
  const { input, config } = context;
  const out: FoundSignal[] = [];
  const spentIn = timeInCalls(input);
  for (const [service, rows] of context.spansByService) {
    const slow = latencySignal(
      rows,
      context,
      (p90, ratio, usual, n) =>
        `p90 latency up to ${p90} per ${formatNumber(config.bucketMs / 60_000)} min, ${ratio}× its usual ${usual} at most (${n} spans)`,
    );
    const perRequest =
      slow?.ref.type === 'latency' && slow.buckets !== undefined
        ? perRequestTime(rows, slow.buckets, spentIn.get(service), input)
        : undefined;
    if (slow !== undefined && slow.ref.type === 'latency' && perRequest !== undefined) {
      // the dependency that took the most of it, when it took a tenth at least
      const top = perRequest.in[0];
      const where =
        top !== undefined && top.addedMs >= 0.1 * perRequest.addedMs
          ? `, ${ms(top.addedMs)} of it in calls to ${top.service}`
          : '';
      out.push({
        service,
        signal: {
          ...slow,
          reason: `${slow.reason}; its requests took ${ms(perRequest.addedMs)} longer on average${where}`,
          ref: { ...slow.ref, perRequest },
        },
      });
    } else if (slow !== undefined) out.push({ service, signal: slow });
  }
  return out;
};
