import { SEVERITY } from '../../../domain/severity.js';
import type { ServiceTemplateCount } from '../../../domain/telemetry-aggregates.js';
import { formatNumber } from '../../metrics/reasons.js';
import type { EvidenceRef, FoundSignal, SignalSource } from './signal.js';
import {
  NO_SERVICE,
  bucketSpan,
  clamp01,
  proximity,
  quote,
  severityWord,
  trimmedMean,
} from './signal.js';

/**
 * Log templates far above their usual rate per service (new messages included), expected counts
 * scaled by how busy the whole system is in the window against the reference; and, from them,
 * services that others' warnings and errors name while they themselves went silent (`named`).
 */
export const logSignals: SignalSource = ({
  input,
  config,
  inWindow,
  windowBuckets,
  refBuckets,
  logsByService,
}) => {
  const nw = windowBuckets.size;
  const nr = refBuckets.size;
  const windowMinutes = (nw * config.bucketMs) / 60_000;
  const refMinutes = (nr * config.bucketMs) / 60_000;
  const out: FoundSignal[] = [];
  // logs: per service and template, expected counts scaled by how busy the whole system is in the
  // window compared with the reference (a workload that doubles doubles every message)
  let windowLogs = 0;
  let refLogs = 0;
  for (const r of input.logs) {
    if (inWindow(r.bucketMs)) windowLogs += r.count;
    else refLogs += r.count;
  }
  const busy =
    nw > 0 && nr > 0 && refLogs > 0
      ? Math.min(4, Math.max(0.25, windowLogs / nw / (refLogs / nr)))
      : 1;
  const byService = logsByService;
  // the other services that a template's window records name, and when
  const mentions = new Map<string, Map<string, { count: number; buckets: number[] }>>();
  for (const m of input.mentions ?? []) {
    if (!inWindow(m.bucketMs)) continue;
    const key = `${m.service}\u0000${m.templateId}`;
    let named = mentions.get(key);
    if (named === undefined)
      mentions.set(key, (named = new Map<string, { count: number; buckets: number[] }>()));
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
  const namedSignals: FoundSignal[] = [];
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
    const w =
      severity >= SEVERITY.ERROR
        ? config.severityWeight.error
        : severity >= SEVERITY.WARN
          ? config.severityWeight.warn
          : config.severityWeight.other;
    const perBucket = usual * busy;
    const when = bucketSpan(windowRows.filter((r) => r.count > perBucket).map((r) => r.bucketMs));
    const score =
      w *
      clamp01(ratio / config.logRatioFull) *
      (1 - Math.exp(-count / config.logCountScale)) *
      proximity(when.onsetMs ?? Infinity, input, config);
    const first = rows[0]!;
    const refTotal = refCounts.reduce((a, c) => a + c, 0);
    const seen = refTotal > 0;
    const reason = seen
      ? expected >= 0.5
        ? `${count} ${severityWord(severity)} records ${quote(first.template)} in ${formatNumber(windowMinutes)} min, ${formatNumber(count / expected)}× the ${formatNumber(expected)} expected`
        : `${count} ${severityWord(severity)} records ${quote(first.template)} in ${formatNumber(windowMinutes)} min, usually (almost) absent (${refTotal} in ${formatNumber(refMinutes)} min of reference)`
      : `${count} ${severityWord(severity)} records ${quote(first.template)} in ${formatNumber(windowMinutes)} min, a message not seen in the ${formatNumber(refMinutes)} min of reference`;
    const ref: EvidenceRef = {
      type: 'template',
      templateId: first.templateId,
      template: first.template,
      severity,
      count,
      usualPerBucket: usual,
      referenceCount: refTotal,
    };
    const named = [...(mentions.get(`${first.service}\u0000${first.templateId}`) ?? [])].map(
      ([service, n]) => ({ service, count: Math.min(n.count, count), buckets: n.buckets }),
    );
    out.push({
      service: first.service,
      signal: {
        kind: 'log',
        score,
        reason,
        ref,
        ...when,
        ...(named.length > 0
          ? { names: named.map((n) => ({ service: n.service, count: n.count })) }
          : {}),
      },
    });
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
          ...bucketSpan(silent),
        },
      });
    }
  }

  return [...out, ...namedSignals];
};
