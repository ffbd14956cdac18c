import { externalPeers } from './peers.js';
import { formatNumber } from '../../metrics/reasons.js';
import { failureSignal } from './errors.js';
import { latencySignal } from './latency.js';
import type { FoundSignal, SignalSource } from './signal.js';
import { names } from './signal.js';

/**
 * Dependencies without spans of their own, judged from their callers' calls to them, pooled per
 * bucket (the p90 weighted by calls): slower than usual, or failing more than usual (a call that
 * fails with nothing below it failed there, as far as the traces tell).
 */
export const externalSignals: SignalSource = (context) => {
  const { input, config, inWindow } = context;
  const out: FoundSignal[] = [];
  for (const [peer, list] of externalPeers(input.peers ?? [])) {
    const buckets = new Map<
      number,
      { bucketMs: number; count: number; p90Sum: number; failed: number }
    >();
    for (const r of list) {
      const b = buckets.get(r.bucketMs) ?? { bucketMs: r.bucketMs, count: 0, p90Sum: 0, failed: 0 };
      b.count += r.calls;
      b.p90Sum += r.p90Ms * r.calls;
      b.failed += r.errors;
      buckets.set(r.bucketMs, b);
    }
    const rows = [...buckets.values()].map((b) => ({
      bucketMs: b.bucketMs,
      count: b.count,
      p90Ms: b.p90Sum / Math.max(b.count, 1),
      failed: b.failed,
      own: b.failed,
    }));
    const callers = names(
      [...new Set(list.filter((r) => inWindow(r.bucketMs)).map((r) => r.caller))].sort(),
    );
    const who = `calls to it from ${callers} (no spans of its own)`;
    const slow = latencySignal(
      rows,
      context,
      (p90, ratio, usual, n) =>
        `${who}: p90 up to ${p90} per ${formatNumber(config.bucketMs / 60_000)} min, ${ratio}× its usual ${usual} at most (${n} calls)`,
    );
    if (slow !== undefined && slow.ref.type === 'latency')
      out.push({ service: peer, signal: { ...slow, ref: { ...slow.ref, external: true } } });
    const failing = failureSignal(
      rows,
      context,
      (failed, n, share, usual) =>
        `${who}: ${failed} of ${n} failed (${share}%), usually ${usual}%`,
    );
    if (failing !== undefined && failing.ref.type === 'span-errors')
      out.push({ service: peer, signal: { ...failing, ref: { ...failing.ref, external: true } } });
  }
  return out;
};
