import { formatNumber } from '../../metrics/reasons.js';
import type { FoundSignal, Signal, SignalContext, SignalSource } from './signal.js';
import { bucketSpan, clamp01 } from './signal.js';

/**
 * Failures above their usual ratio (errorRateFull over it is full evidence), at least minLogCount
 * of them; `own` of each bucket's failures began there (the rest passed up a callee's). `words`
 * gives the reason from the failures, the count, the share and usual share (in %) and how many
 * were passed up.
 */
export function failureSignal(
  rows: readonly { bucketMs: number; count: number; failed: number; own: number }[],
  { config, inWindow }: SignalContext,
  words: (failed: number, count: number, share: string, usual: string, passedUp: number) => string,
): Signal | undefined {
  const w = rows.filter((r) => inWindow(r.bucketMs));
  const ref = rows.filter((r) => !inWindow(r.bucketMs));
  const failed = w.reduce((a, r) => a + r.failed, 0);
  const count = w.reduce((a, r) => a + r.count, 0);
  const refCount = ref.reduce((a, r) => a + r.count, 0);
  const usualRate = refCount > 0 ? ref.reduce((a, r) => a + r.failed, 0) / refCount : 0;
  if (count === 0 || failed < config.minLogCount) return undefined;
  const passedUp = failed - w.reduce((a, r) => a + r.own, 0);
  const score = clamp01((failed / count - usualRate) / config.errorRateFull);
  const when = bucketSpan(
    w.filter((r) => r.failed > 0 && r.failed / r.count > usualRate).map((r) => r.bucketMs),
  );
  return {
    kind: 'errors',
    score,
    reason: words(
      failed,
      count,
      formatNumber((100 * failed) / count),
      formatNumber(100 * usualRate),
      passedUp,
    ),
    ref: { type: 'span-errors', errors: failed, requests: count, usualRate, passedUp },
    ...when,
  };
}

/** Failed requests per service above their usual ratio (not every span: a request's own work, database calls and all, would dilute them). */
export const errorSignals: SignalSource = (context) => {
  const out: FoundSignal[] = [];
  for (const [service, rows] of context.spansByService) {
    const failing = failureSignal(
      rows.map((r) => ({
        bucketMs: r.bucketMs,
        count: r.requests,
        failed: r.failedRequests,
        own: Math.min(r.ownFailedRequests, r.failedRequests),
      })),
      context,
      (failed, n, share, usual, passedUp) =>
        `${failed} of ${n} requests failed (${share}%), usually ${usual}%${passedUp === 0 ? '' : `; ${passedUp === failed ? 'all' : passedUp} of them passed up the failure of a call they made`}`,
    );
    if (failing !== undefined) out.push({ service, signal: failing });
  }
  return out;
};
