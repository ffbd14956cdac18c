import { fnv1a64Hex } from '../../domain/hash.js';
import type { Finding, FindingKind } from '../../domain/finding.js';
import { SEVERITY } from '../../domain/severity.js';
import type { Incident, IncidentEvent } from '../../domain/incident.js';
import type {
  EdgeStats,
  PeerCallStats,
  ServiceEdge,
  ServiceSpanStats,
  ServiceTemplateCount,
} from '../../domain/telemetry-aggregates.js';
import { combineSignals, externalEdges, serviceEvidence } from './evidence.js';
import type { ServiceEvidence } from './evidence.js';
import type { TelemetryAggregates } from './signals/signal.js';
import type { InsightConfig } from './insight-config.js';
import { rankRootCauses } from './root-cause.js';
import { ServiceGraph } from './service-graph.js';

/** Aggregates covering the scan plus `referenceMs` on each side (or before it, for 'past'); mentions rank an incident's causes, they do not open incidents. */
export interface IncidentScanInput extends TelemetryAggregates {
  /** Buckets whose start lies in [fromMs, toMs) are examined. */
  scan: { fromMs: number; toMs: number };
  edges: readonly ServiceEdge[];
  /**
   * 'past': each bucket is compared only with what came before it (live detection, causal);
   * 'around': with the data on both sides (a retrospective look at stored data).
   */
  reference: 'past' | 'around';
  referenceMs: number;
  /** Now, for 'past' scans: an incident quiet for less than config.quietMs is still open. */
  nowMs?: number;
  /**
   * When given, receives the findings behind abnormal minutes (error bursts, new messages,
   * latency shifts, call delays, span error rates), one per service, signal and minute.
   */
  findingsOut?: Finding[];
}

interface Slice {
  logs: ServiceTemplateCount[];
  spans: ServiceSpanStats[];
  findings: Finding[];
  calls: EdgeStats[];
  peers: PeerCallStats[];
}

/** The rows of [fromMs, toMs) of arrays sorted by time: two binary searches, no scan (a long scan slices once per minute). */
class TimeIndex {
  private readonly logs: ServiceTemplateCount[];
  private readonly spans: ServiceSpanStats[];
  private readonly findings: Finding[];
  private readonly calls: EdgeStats[];
  private readonly peers: PeerCallStats[];

  constructor(input: IncidentScanInput) {
    this.logs = [...input.logs].sort((a, b) => a.bucketMs - b.bucketMs);
    this.spans = [...input.spans].sort((a, b) => a.bucketMs - b.bucketMs);
    this.findings = [...input.findings].sort((a, b) => a.timeMs - b.timeMs);
    this.calls = [...(input.calls ?? [])].sort((a, b) => a.bucketMs - b.bucketMs);
    this.peers = [...(input.peers ?? [])].sort((a, b) => a.bucketMs - b.bucketMs);
  }

  slice(fromMs: number, toMs: number): Slice {
    const cut = <T>(rows: T[], time: (r: T) => number) =>
      rows.slice(lowerBound(rows, fromMs, time), lowerBound(rows, toMs, time));
    return {
      logs: cut(this.logs, (r) => r.bucketMs),
      spans: cut(this.spans, (r) => r.bucketMs),
      findings: cut(this.findings, (f) => f.timeMs),
      calls: cut(this.calls, (r) => r.bucketMs),
      peers: cut(this.peers, (r) => r.bucketMs),
    };
  }
}

/** The first index whose time is ≥ t. */
function lowerBound<T>(rows: readonly T[], t: number, time: (r: T) => number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time(rows[mid]!) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function related(
  service: string,
  services: ReadonlyMap<string, unknown>,
  graph: ServiceGraph,
): boolean {
  if (services.has(service)) return true;
  for (const s of graph.callers(service)) if (services.has(s)) return true;
  for (const s of graph.callees(service)) if (services.has(s)) return true;
  return false;
}

/** The signals of an abnormal service in one bucket as findings (metric anomalies and changes are findings already). */
export function signalFindings(
  e: ServiceEvidence,
  bucketMs: number,
  config: InsightConfig,
): Finding[] {
  const out: Finding[] = [];
  for (const s of e.signals) {
    if (s.score < config.abnormalAt / 2) continue;
    const r = s.ref;
    let kind: FindingKind | undefined;
    let key = '';
    let value = 0;
    if (r.type === 'template') {
      // never seen in the reference: new; seen a few times but usually absent: rare; a usual warning or error far above its rate: a burst
      kind =
        r.referenceCount === 0
          ? 'new-template'
          : r.usualPerBucket === 0
            ? 'rare-template'
            : r.severity >= SEVERITY.WARN
              ? 'error-burst'
              : undefined;
      key = r.templateId;
      value = r.count;
    } else if (r.type === 'latency') {
      kind = 'latency-shift';
      value = r.p90Ms;
    } else if (r.type === 'span-errors') {
      kind = 'error-rate';
      value = r.errors / Math.max(r.requests, 1);
    } else if (r.type === 'calls') {
      kind = 'call-delay';
      value = r.gapMs;
    } else if (r.type === 'unanswered') {
      kind = 'calls-unanswered';
      value = r.calls - r.answered;
    } else if (r.type === 'silence') {
      kind = 'service-silent';
      value = r.count;
    }
    if (kind === undefined) continue;
    out.push({
      id: `sig_${fnv1a64Hex(`${e.service}\u0000${kind}\u0000${key}\u0000${bucketMs}`)}`,
      kind,
      timeMs: bucketMs,
      score: Math.round(s.score * 1000) / 1000,
      reason: `${e.service}: ${s.reason}`,
      subject: { metric: '', labels: '{}', resource: { service: e.service } },
      detail: key,
      evidence: [{ timeMs: bucketMs, value }],
    });
  }
  return out;
}

function idOf(firstSymptomMs: number): string {
  return `inc_${Math.floor(firstSymptomMs / 1000).toString(36)}`;
}

/**
 * Scans time buckets for abnormal services and groups abnormal buckets into incidents: a bucket
 * in which some service's own evidence reaches config.incidentAt belongs to the incident open
 * at that time, or opens one; an incident with no abnormal bucket for config.quietMs is
 * resolved. Each incident's causes are ranked over its whole span. Deterministic and pure.
 */
export function detectIncidents(input: IncidentScanInput, config: InsightConfig): Incident[] {
  const b = config.bucketMs;
  const buckets = new Set<number>();
  for (const r of [...input.logs, ...input.spans])
    if (r.bucketMs >= input.scan.fromMs && r.bucketMs < input.scan.toMs) buckets.add(r.bucketMs);
  const ordered = [...buckets].sort((x, y) => x - y);
  const graph = new ServiceGraph([...input.edges, ...externalEdges(input.peers ?? [])]);
  const index = new TimeIndex(input);
  const refTo = (t: number, end: number) =>
    input.reference === 'past' ? end : t + input.referenceMs;

  interface Open {
    first: number;
    /** The end of the bucket that opened it (later than the first symptom's when symptoms added up over several). */
    detected: number;
    last: number;
    peak: number;
    services: Map<string, ServiceEvidence>;
    timeline: IncidentEvent[];
  }
  const groups: Open[] = [];
  let current: Open | undefined;
  for (const t of ordered) {
    const end = t + b;
    const s = index.slice(t - input.referenceMs, refTo(t, end));
    const all = serviceEvidence({ window: { fromMs: t, toMs: end }, atMs: t, ...s }, config);
    if (input.findingsOut !== undefined)
      for (const e of all)
        if (e.score >= config.abnormalAt) input.findingsOut.push(...signalFindings(e, t, config));
    const evidence = all.filter((e) => e.score >= config.incidentAt);
    // a service of a few requests a minute shows only over several together: the last few
    // buckets judged as one, for the failed requests (and calls left unanswered) of services
    // failing still in this one; the symptom began at the first failing bucket of those. Only
    // failures: a few more records or a slower percentile over minutes are the noise single
    // minutes keep out
    let onset = t;
    const from = t - (config.incidentSpanBuckets - 1) * b;
    const recent = config.incidentSpanBuckets > 1 ? index.slice(from, end) : undefined;
    if (
      recent !== undefined &&
      (recent.spans.some((r) => r.failedRequests > 0) || recent.peers.some((r) => r.errors > 0))
    ) {
      const wide = serviceEvidence(
        {
          window: { fromMs: from, toMs: end },
          atMs: from,
          ...index.slice(from - input.referenceMs, refTo(t, end)),
        },
        config,
      );
      for (const e of wide) {
        if (e.score < config.incidentAt || evidence.some((x) => x.service === e.service)) continue;
        const now = e.signals.filter(
          (x) =>
            (x.kind === 'errors' || x.kind === 'unanswered') &&
            (x.buckets?.includes(t) ?? (x.untilMs ?? -Infinity) >= t),
        );
        const score = combineSignals(now);
        if (score < config.incidentAt) continue;
        evidence.push({ ...e, signals: now, score });
        onset = Math.min(onset, ...now.map((x) => Math.max(from, x.onsetMs ?? t)));
      }
      evidence.sort((x, y) => y.score - x.score);
    }
    if (evidence.length === 0) continue;
    // one incident: abnormal buckets without a quiet period between them, about related services
    // (the same, or one calling the other) unless they follow each other directly
    if (
      current !== undefined &&
      (t - current.last > config.quietMs ||
        (t > current.last && !evidence.some((e) => related(e.service, current!.services, graph))))
    )
      current = undefined;
    if (current === undefined) {
      current = {
        first: onset,
        detected: end,
        last: end,
        peak: 0,
        services: new Map(),
        timeline: [],
      };
      groups.push(current);
      const top = evidence[0]!;
      current.timeline.push({
        timeMs: onset,
        kind: 'first-symptom',
        service: top.service,
        text: `${top.service}: ${top.signals[0]!.reason}`,
      });
      current.timeline.push({
        timeMs: end,
        kind: 'detected',
        text: `incident opened: ${evidence.map((e) => e.service).join(', ')} abnormal`,
      });
    }
    current.last = end;
    for (const e of evidence) {
      if (!current.services.has(e.service) && current.services.size > 0)
        current.timeline.push({
          timeMs: t,
          kind: 'symptom',
          service: e.service,
          text: `${e.service}: ${e.signals[0]!.reason}`,
        });
      const prev = current.services.get(e.service);
      if (prev === undefined || prev.score < e.score) current.services.set(e.service, e);
      current.peak = Math.max(current.peak, e.score);
    }
  }

  return groups.map((g) => {
    // causes over the whole span and a minute on each side, against the same kind of reference:
    // a fault may have begun within the minute before the first symptom, and show a minute after
    // the last (where it is known yet). Not further: the next incident may follow closely.
    const rankTo = g.last + b;
    const span = index.slice(
      g.first - input.referenceMs,
      input.reference === 'past' ? rankTo : g.last + input.referenceMs,
    );
    const ranked = rankRootCauses(
      serviceEvidence(
        {
          window: { fromMs: g.first - b, toMs: rankTo },
          atMs: g.first,
          ...span,
          ...(input.mentions === undefined ? {} : { mentions: input.mentions }),
        },
        config,
      ),
      graph,
      config,
    ).slice(0, 5);
    const quietSince = g.last + config.quietMs;
    const resolved = input.reference === 'around' || quietSince <= (input.nowMs ?? Infinity);
    const timeline = [...g.timeline];
    for (const f of input.findings) {
      const service = f.subject.resource.service ?? '';
      if (
        f.kind === 'change' &&
        g.services.has(service) &&
        f.timeMs >= g.first - config.changeLookbackMs &&
        f.timeMs < g.last
      )
        timeline.push({ timeMs: f.timeMs, kind: 'change', service, text: f.reason });
    }
    // resolved by the detector at the end of the quiet period
    if (resolved)
      timeline.push({
        timeMs: quietSince,
        kind: 'resolved',
        text: `no abnormal service for ${Math.round(config.quietMs / 60_000)} min`,
      });
    const services = [...g.services.values()]
      .sort((x, y) => y.score - x.score)
      .map((e) => e.service);
    const top = ranked[0];
    const incident: Incident = {
      id: idOf(g.first),
      status: resolved ? 'resolved' : 'open',
      title:
        top === undefined
          ? `${services.join(', ')} abnormal`
          : `${top.service}: ${top.reasons[0] ?? 'abnormal'}`,
      firstSymptomMs: g.first,
      detectedMs: g.detected,
      lastSymptomMs: g.last,
      peakScore: Math.round(g.peak * 1000) / 1000,
      services,
      causes: ranked.map((c) => ({
        service: c.service,
        score: Math.round(c.score * 1000) / 1000,
        reasons: c.reasons,
      })),
      timeline: timeline.sort((x, y) => x.timeMs - y.timeMs),
    };
    if (resolved) {
      incident.resolvedMs = quietSince;
      incident.resolvedBy = 'detector';
    }
    return incident;
  });
}
