import { formatNumber } from '../../metrics/reasons.js';
import type { FoundSignal, SignalSource } from './signal.js';
import { bucketSpan, proximity } from './signal.js';

/**
 * A code path cut short, seen in the traces: calls a service makes to another in step with its
 * own requests in the reference (about `ratio` calls per request in nearly every bucket,
 * flowCoupling of them) stop in the window while its requests go on (an exception or an early
 * return before the call). Judged only in whole buckets in which the callee still answered
 * something (its spans or records): a callee that went silent altogether is down, which is its
 * own evidence (silent, unanswered), not a path its callers cut. Kind `flow`, like a message that
 * stopped following another in the logs.
 */
export const stoppedCallSignals: SignalSource = ({ input, config, inWindow, whole }) => {
  const { fromMs } = input.window;
  // each service's requests per bucket, and which services left anything per bucket
  const requests = new Map<string, Map<number, number>>();
  const alive = new Map<string, Set<number>>();
  const mark = (service: string, b: number) => {
    let s = alive.get(service);
    if (s === undefined) alive.set(service, (s = new Set<number>()));
    s.add(b);
  };
  for (const r of input.spans) {
    if (r.count > 0) mark(r.service, r.bucketMs);
    if (r.requests <= 0) continue;
    let m = requests.get(r.service);
    if (m === undefined) requests.set(r.service, (m = new Map<number, number>()));
    m.set(r.bucketMs, (m.get(r.bucketMs) ?? 0) + r.requests);
  }
  for (const r of input.logs) if (r.count > 0) mark(r.service, r.bucketMs);
  const paths = new Map<string, { caller: string; callee: string; calls: Map<number, number> }>();
  for (const r of input.calls ?? []) {
    if (r.caller === r.callee || r.caller === '') continue;
    const key = `${r.caller}\u0000${r.callee}`;
    let p = paths.get(key);
    if (p === undefined)
      paths.set(
        key,
        (p = { caller: r.caller, callee: r.callee, calls: new Map<number, number>() }),
      );
    p.calls.set(r.bucketMs, (p.calls.get(r.bucketMs) ?? 0) + r.calls);
  }
  const out: FoundSignal[] = [];
  // per caller, the path that stopped the most (its strongest), one signal per service
  const best = new Map<
    string,
    { callee: string; expected: number; seen: number; stopped: number[]; ratio: number }
  >();
  for (const { caller, callee, calls } of paths.values()) {
    const own = requests.get(caller);
    if (own === undefined) continue;
    let refRequests = 0;
    let refCalls = 0;
    let refBuckets = 0;
    for (const [b, n] of own) {
      if (inWindow(b) || b === fromMs - config.bucketMs) continue;
      refRequests += n;
      refCalls += calls.get(b) ?? 0;
      refBuckets++;
    }
    if (refCalls < config.flowMinReference || refBuckets < config.flowMinBuckets) continue;
    const ratio = refCalls / refRequests;
    // in step: where the caller had requests, about `ratio` calls per request
    let inStep = 0;
    for (const [b, n] of own) {
      if (inWindow(b) || b === fromMs - config.bucketMs) continue;
      if (Math.abs((calls.get(b) ?? 0) - n * ratio) <= 0.5 * n * ratio + 1) inStep++;
    }
    if (inStep < config.flowCoupling * refBuckets) continue;
    let expected = 0;
    let seen = 0;
    const stopped: number[] = [];
    for (const [b, n] of own) {
      if (!inWindow(b) || !whole(b) || !(alive.get(callee)?.has(b) ?? false)) continue;
      const e = n * ratio;
      const c = calls.get(b) ?? 0;
      if (e <= 0 || c > e * config.flowStoppedShare) continue;
      expected += e;
      seen += c;
      stopped.push(b);
    }
    if (expected < config.flowMinExpected) continue;
    const b = best.get(caller);
    if (
      b === undefined ||
      expected * (1 - seen / expected) > b.expected * (1 - b.seen / b.expected)
    )
      best.set(caller, { callee, expected, seen, stopped, ratio });
  }
  for (const [service, p] of best) {
    const when = bucketSpan(p.stopped);
    const score =
      config.flowWeight *
      (1 - p.seen / p.expected) *
      (1 - Math.exp(-p.expected / config.logCountScale)) *
      proximity(when.onsetMs!, input, config);
    const minutes = formatNumber((p.stopped.length * config.bucketMs) / 60_000);
    const reason = `its calls to ${p.callee} stopped: ${formatNumber(p.seen)} in ${minutes} min where ${formatNumber(p.expected)} were expected from its requests (${formatNumber(p.ratio)} per request in the reference), while ${p.callee} went on answering others: a code path cut short`;
    out.push({
      service,
      signal: {
        kind: 'flow',
        score,
        reason,
        ref: {
          type: 'stopped-calls',
          callee: p.callee,
          calls: p.seen,
          expected: p.expected,
          perRequest: p.ratio,
        },
        ...when,
      },
    });
  }
  return out;
};
