import { SPAN_KIND_CLIENT } from '../domain/span.js';
import type { EvidenceRef } from '../engine/insight/evidence.js';
import { externalEdges, serviceEvidence, windowWarmUps } from '../engine/insight/evidence.js';
import type { InsightConfig } from '../engine/insight/insight-config.js';
import { DEFAULT_INSIGHT_CONFIG } from '../engine/insight/insight-config.js';
import type { RootCauseCandidate } from '../engine/insight/root-cause.js';
import { rankRootCauses } from '../engine/insight/root-cause.js';
import { ServiceGraph } from '../engine/insight/service-graph.js';
import type {
  ServiceEdge,
  TelemetryInsightPort,
  TelemetryRecordsPort,
} from '../ports/telemetry-store.port.js';
import { loadInsightData } from './insight-data.js';
import type { InsightData } from './insight-data.js';
import { isoTime as iso } from '../domain/time-text.js';

export interface RcaRequest {
  /** The alert's time. */
  atMs: number;
  /** Symptoms are sought from windowMs / 10 before atMs to windowMs after it. */
  windowMs: number;
  /** Usual behaviour is learnt from this much data on each side of the window. */
  referenceMs: number;
}

/** A record that backs a signal: a log line of the template (with its id), for a person to read. */
export interface EvidenceItem {
  /** Stable within the answer: `e1`, `e2`… (what explanations cite). */
  id: string;
  signal: string;
  /** 0..1: how much the signal weighs in the candidate's own evidence (before the graph). */
  score: number;
  /** The signal in words ("ERROR 'No instances available for <*>' 42 times, usually 0"). */
  reason: string;
  ref: EvidenceRef;
  /** When the signal began (first abnormal bucket, anomaly or change time), when known. */
  onsetMs?: number;
  /** When it was last seen (last abnormal bucket, the anomaly's time), when known. */
  untilMs?: number;
  examples?: { logId: string; timeMs: number; body: string; traceId: string }[];
  /** Trace exemplars of a latency or span-error signal: the slowest (or failed) spans of the service in the window. */
  spans?: {
    traceId: string;
    spanId: string;
    operation: string;
    startMs: number;
    durationMs: number;
    statusCode: number;
  }[];
}

export interface RcaCandidate extends Omit<RootCauseCandidate, 'signals'> {
  evidence: EvidenceItem[];
}

export interface RcaResult {
  atMs: number;
  window: { fromMs: number; toMs: number };
  reference: { fromMs: number; toMs: number };
  /** Services with any evidence; candidates are those, best first. */
  candidates: RcaCandidate[];
  /** The service graph seen around the window. */
  graph: ServiceEdge[];
  /** Why the answer may be weak (no data in the window, no reference). */
  notes: string[];
}

/**
 * Ranks root-cause services for an alert at a time from what the store holds: each service's
 * own evidence in the window against its usual behaviour around it, over the service graph.
 */
export async function analyzeRootCause(
  store: TelemetryInsightPort & TelemetryRecordsPort,
  tenant: string,
  req: RcaRequest,
  config: InsightConfig = DEFAULT_INSIGHT_CONFIG,
): Promise<RcaResult> {
  const b = config.bucketMs;
  const fromMs = Math.floor((req.atMs - req.windowMs / 10) / b) * b;
  const toMs = Math.ceil((req.atMs + req.windowMs) / b) * b;
  const reference = { fromMs: fromMs - req.referenceMs, toMs: toMs + req.referenceMs };
  const data = await loadInsightData(store, tenant, reference, { fromMs, toMs }, config, {
    metrics: true,
  });
  const { logs, spans } = data;
  const notes: string[] = [];
  const inWindow = (t: number) => t >= fromMs && t < toMs;
  if (
    !logs.some((r) => inWindow(r.bucketMs)) &&
    !spans.some((r) => inWindow(r.bucketMs)) &&
    !(data.metrics ?? []).some((r) => inWindow(r.bucketMs))
  ) {
    // say where the data is, so a wrong --at or --data shows at once
    const held = await store.timeRange(tenant);
    notes.push(
      held === undefined
        ? 'the store holds no data: load some with bifrost import or bifrost serve first (or check --data or --store)'
        : `no logs, spans or metrics in the window: nothing to rank (the store holds data from ${iso(held.fromMs)} to ${iso(held.toMs)})`,
    );
  } else if (
    !logs.some((r) => !inWindow(r.bucketMs)) &&
    !spans.some((r) => !inWindow(r.bucketMs)) &&
    !(data.metrics ?? []).some((r) => !inWindow(r.bucketMs))
  )
    notes.push(
      'no data around the window to learn usual behaviour from: every message counts as new',
    );
  const warmUps = windowWarmUps({ window: { fromMs, toMs }, logs, spans }, config);
  if (warmUps.length > 0) {
    const minutes = warmUps.map((m) => iso(m).slice(0, 16) + 'Z');
    notes.push(
      `${minutes.length === 1 ? `${minutes[0]!} is the first minute` : `${minutes.join(', ')} are first minutes`} of traffic after a pause (no span or log in the minute before): services answer their first requests slowly then, so ${minutes.length === 1 ? 'its' : 'their'} latency is not counted as a symptom`,
    );
  }
  const { graph, ranked } = rankFromData(data, { fromMs, toMs }, req.atMs, config);
  let next = 1;
  const candidates: RcaCandidate[] = [];
  for (const c of ranked) {
    const items: EvidenceItem[] = [];
    for (const s of c.signals.slice(0, 5)) {
      const item: EvidenceItem = {
        id: `e${next++}`,
        signal: s.kind,
        score: Math.round(s.score * 1000) / 1000,
        reason: s.reason,
        ref: s.ref,
        ...(s.onsetMs === undefined ? {} : { onsetMs: s.onsetMs }),
        ...(s.untilMs === undefined ? {} : { untilMs: s.untilMs }),
      };
      if (s.ref.type === 'template' && candidates.length < 5) {
        // a named service's evidence is the records of the service that names it
        const page = await store.logs(tenant, {
          fromMs,
          toMs,
          service: s.ref.service ?? c.service,
          templateId: s.ref.templateId,
          limit: 2,
        });
        item.examples = page.items.map((l) => ({
          logId: l.id,
          timeMs: l.timeMs,
          body: l.body.length > 500 ? `${l.body.slice(0, 500)}…` : l.body,
          traceId: l.traceId,
        }));
      }
      if (
        (s.ref.type === 'latency' || s.ref.type === 'span-errors' || s.ref.type === 'unanswered') &&
        candidates.length < 5
      ) {
        const failed = s.ref.type !== 'latency';
        // the slowest (failed) spans of the whole window, found by the store; for calls left
        // unanswered, a caller's failed calls (client spans: the service itself left none); for a
        // dependency without spans, its callers' calls to it
        const unanswered = s.ref.type === 'unanswered';
        const external = s.ref.type !== 'unanswered' && s.ref.external === true;
        const service = s.ref.type === 'unanswered' ? (s.ref.callers[0] ?? c.service) : c.service;
        const whose = external ? { peer: c.service } : { service };
        const spans = await store.spans(tenant, {
          ...whose,
          fromMs,
          toMs,
          ...(unanswered ? { kind: SPAN_KIND_CLIENT } : { order: 'duration' as const }),
          ...(failed ? { errorsOnly: true } : {}),
          limit: 3,
        });
        item.spans = spans.map((sp) => ({
          traceId: sp.traceId,
          spanId: sp.spanId,
          operation: sp.name,
          startMs: sp.startMs,
          durationMs: Math.round((sp.endMs - sp.startMs) * 1000) / 1000,
          statusCode: sp.statusCode,
        }));
      }
      items.push(item);
    }
    candidates.push({
      service: c.service,
      score: Math.round(c.score * 1000) / 1000,
      reasons: c.reasons,
      explains: c.explains,
      explainedBy: c.explainedBy,
      evidence: items,
    });
  }
  return {
    atMs: req.atMs,
    window: { fromMs, toMs },
    reference,
    candidates,
    graph: graph.edges,
    notes,
  };
}

/**
 * The ranking itself, from what the store gave: each service's evidence in the window against the
 * reference around it, over the service graph (the traces' calls, and calls to dependencies
 * without spans of their own). Pure: the benchmarks call it with other configurations.
 */
export function rankFromData(
  data: InsightData,
  window: { fromMs: number; toMs: number },
  atMs: number,
  config: InsightConfig,
): { graph: ServiceGraph; ranked: RootCauseCandidate[] } {
  const { logs, spans, edges, calls, peers, findings, mentions, metrics } = data;
  const evidence = serviceEvidence(
    {
      window,
      atMs,
      logs,
      spans,
      findings,
      mentions,
      calls,
      peers,
      ...(metrics === undefined ? {} : { metrics }),
    },
    config,
  );
  // dependencies without spans of their own (a database, an outside API) are nodes too, from their callers' calls
  const graph = new ServiceGraph([...edges, ...externalEdges(peers)]);
  return { graph, ranked: rankRootCauses(evidence, graph, config) };
}
