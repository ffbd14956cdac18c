import { peerAnswerers } from './peers.js';
import { formatNumber } from '../../metrics/reasons.js';
import type { FoundSignal, SignalSource } from './signal.js';
import { bucketSpan, names, proximity } from './signal.js';

/**
 * Services that stopped answering their calls: a peer that callers name in their CLIENT spans is
 * the service that answered it in the reference (most of the time, at least
 * unansweredMinReference calls); a window bucket in which it answered at most unansweredShare of
 * what it usually does, of calls still made, and most of the calls left unanswered failed, is a
 * bucket it was down or unreachable. Calls left unanswered that succeed are the callee's
 * telemetry gone, not the callee; callers that stop calling say nothing (less traffic is not a
 * fault); a peer never answered (a database without spans, an outside API) is not a service here.
 */
export const unansweredSignals: SignalSource = ({ input, config, inWindow }) => {
  // per caller and peer: who answers it in the reference, and the window's calls per bucket
  const answerers = peerAnswerers((input.peers ?? []).filter((r) => !inWindow(r.bucketMs)));
  type Path = {
    caller: string;
    win: Map<number, { calls: number; answered: number; failed: number }>;
  };
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
  type Down = {
    callers: Set<string>;
    calls: number;
    answered: number;
    failed: number;
    expected: number;
    usual: number;
    buckets: number[];
  };
  const down = new Map<string, Down>();
  for (const [key, p] of paths) {
    const a = answerers.get(key);
    if (a === undefined || a.calls < config.unansweredMinReference) continue;
    const { service, share: usual } = a;
    for (const [bucket, w] of p.win) {
      if (
        w.answered > config.unansweredShare * usual * w.calls ||
        w.failed < 0.5 * (w.calls - w.answered)
      )
        continue;
      let d = down.get(service);
      if (d === undefined)
        down.set(
          service,
          (d = {
            callers: new Set(),
            calls: 0,
            answered: 0,
            failed: 0,
            expected: 0,
            usual: 0,
            buckets: [],
          }),
        );
      d.callers.add(p.caller);
      d.calls += w.calls;
      d.answered += w.answered;
      d.failed += w.failed;
      d.expected += usual * w.calls;
      d.usual = Math.max(d.usual, usual);
      d.buckets.push(bucket);
    }
  }
  const out: FoundSignal[] = [];
  for (const [service, d] of down) {
    // a call or two is not a service down
    if (d.expected < config.minLogCount) continue;
    const when = bucketSpan(d.buckets);
    const callers = [...d.callers].sort();
    const score =
      config.unansweredWeight *
      (1 - d.answered / d.expected) *
      (1 - Math.exp(-d.calls / config.unansweredCountScale)) *
      proximity(when.onsetMs!, input, config);
    const minutes = formatNumber((when.buckets!.length * config.bucketMs) / 60_000);
    const reason = `answered ${formatNumber(d.answered)} of ${formatNumber(d.calls)} calls from ${names(callers)} in ${minutes} min (usually ${formatNumber(100 * d.usual)}%), ${formatNumber(d.failed)} failed: down or unreachable`;
    out.push({
      service,
      signal: {
        kind: 'unanswered',
        score,
        reason,
        ref: {
          type: 'unanswered',
          callers,
          calls: d.calls,
          answered: d.answered,
          usualShare: d.usual,
        },
        ...when,
      },
    });
  }
  return out;
};
