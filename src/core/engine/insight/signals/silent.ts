import { SEVERITY } from '../../../domain/severity.js';
import { formatNumber } from '../../metrics/reasons.js';
import type { FoundSignal, SignalSource } from './signal.js';
import { bucketSpan, proximity } from './signal.js';

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
export const silentSignals: SignalSource = ({ input, config, whole, inWindow }) => {
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
      if (
        q === undefined ||
        (last !== undefined && (b - last.b !== config.bucketMs || inWindow(b) !== runInWindow))
      )
        close();
      if (q === undefined) continue;
      if (run.length === 0) runInWindow = inWindow(b);
      run.push({ b, ...q });
    }
    close();
    const minutes = new Map<number, { seen: number; expected: number }>();
    for (const r of runs)
      if (r.length > longest)
        for (const m of r) minutes.set(m.b, { seen: m.seen, expected: m.expected });
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
    return (
      of !== undefined &&
      of.size > 0 &&
      [...of].every((c) => silences.get(c)?.minutes.has(b) === true)
    );
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
  for (const r of input.logs)
    if (r.severity >= SEVERITY.ERROR) addFailures(r.service, r.bucketMs, r.count);
  const usual = new Map<string, number>();
  const usualFailures = (service: string) => {
    let u = usual.get(service);
    if (u === undefined)
      usual.set(
        service,
        (u =
          refBuckets.reduce((a, b) => a + (failures.get(service)?.get(b) ?? 0), 0) /
          refBuckets.length),
      );
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
  for (const [service, x] of silences)
    for (const b of x.minutes.keys())
      if (!explained(service, b)) alone.set(b, (alone.get(b) ?? 0) + 1);
  const out: FoundSignal[] = [];
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
    const when = bucketSpan(silent);
    const score =
      config.silentWeight *
      (share / expected) *
      (1 - seen / expected) *
      (1 - Math.exp(-expected / config.logCountScale)) *
      proximity(when.onsetMs!, input, config);
    const minutes = formatNumber((silent.length * config.bucketMs) / 60_000);
    const refMinutes = formatNumber((refBuckets.length * config.bucketMs) / 60_000);
    const steady =
      x.present === refBuckets.length
        ? `every one of the ${refMinutes} min`
        : `${formatNumber((100 * x.present) / refBuckets.length)}% of the ${refMinutes} min`;
    const shared =
      share < expected - 1e-9
        ? `; others fell silent with it (${formatNumber(share / expected)} of it counted)`
        : '';
    const reason = `${seen === 0 ? 'no span or record' : `only ${formatNumber(seen)} spans and records`} in ${minutes} min where ${formatNumber(expected)} were expected (it left some in ${steady} of reference)${shared}: down or unreachable`;
    out.push({
      service,
      signal: {
        kind: 'silent',
        score,
        reason,
        ref: {
          type: 'silence',
          count: seen,
          expected,
          referenceMinutes: (refBuckets.length * config.bucketMs) / 60_000,
        },
        ...when,
      },
    });
  }
  return out;
};
