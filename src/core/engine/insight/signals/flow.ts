import { isCodeLocation } from '../../logs/token-masker.js';
import { formatNumber } from '../../metrics/reasons.js';
import type { FoundSignal, SignalSource } from './signal.js';
import { bucketSpan, proximity, quote } from './signal.js';

/** The code location a template starts with (`t.s.TravelServiceImpl#457 …`), if it does. */
function codeLocationOf(template: string): string | undefined {
  const end = template.indexOf(' ');
  const first = end < 0 ? template : template.slice(0, end);
  return isCodeLocation(first) ? first : undefined;
}

export const flowSignals: SignalSource = ({ input, config, inWindow, whole, logsByService }) => {
  const { fromMs } = input.window;
  const out: FoundSignal[] = [];
  // a code path cut short: a message that follows another in step in the reference stops in the
  // window while the other goes on (an exception or an early return between the two lines);
  // both stopping together is less traffic, not a fault. A line of code is one step, whatever
  // its message says: the templates of one code location (a list that grew, a value of another
  // shape) are counted together, under the one with the most reference records. A stop is
  // judged in whole buckets only: the first and last of a stretch of data (the system's, all
  // services') may hold a few seconds of it, where one message can come before the other.
  type Counts = {
    templateId: string;
    template: string;
    severity: number;
    ref: Map<number, number>;
    win: Map<number, number>;
    refTotal: number;
    main: number;
  };
  for (const [service, templates] of logsByService) {
    const sites = new Map<string, Counts>();
    for (const [templateId, rows] of templates) {
      const key = codeLocationOf(rows[0]!.template) ?? `\u0000${templateId}`;
      let t = sites.get(key);
      if (t === undefined)
        sites.set(
          key,
          (t = {
            templateId,
            template: rows[0]!.template,
            severity: rows[0]!.severity,
            ref: new Map(),
            win: new Map(),
            refTotal: 0,
            main: -1,
          }),
        );
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
    const steady = [...sites.values()]
      .filter((t) => t.refTotal >= config.flowMinReference && t.ref.size >= config.flowMinBuckets)
      .map((t) => [t.templateId, t] as const);
    for (const [followerId, b] of steady) {
      let best:
        | { expected: number; seen: number; stopped: number[]; ratio: number; leader: string }
        | undefined;
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
        if (expected >= config.flowMinExpected && (best === undefined || expected > best.expected))
          best = { expected, seen, stopped, ratio, leader: a.template };
      }
      if (best === undefined) continue;
      const when = bucketSpan(best.stopped);
      const score =
        config.flowWeight *
        (1 - best.seen / best.expected) *
        (1 - Math.exp(-best.expected / config.logCountScale)) *
        proximity(when.onsetMs!, input, config);
      const reason = `${quote(b.template)} stopped: ${formatNumber(best.seen)} records in ${formatNumber((best.stopped.length * config.bucketMs) / 60_000)} min where ${formatNumber(best.expected)} were expected from ${quote(best.leader)} (it follows it ${formatNumber(best.ratio)}:1 in the reference)`;
      out.push({
        service,
        signal: {
          kind: 'flow',
          score,
          reason,
          ref: {
            type: 'template',
            templateId: followerId,
            template: b.template,
            severity: b.severity,
            count: best.seen,
            usualPerBucket: best.expected / best.stopped.length,
            referenceCount: b.refTotal,
          },
          ...when,
        },
      });
    }
  }
  return out;
};
