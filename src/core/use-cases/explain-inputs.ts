import type { Incident } from '../domain/incident.js';
import { strongestIncidents } from '../domain/log-report.js';
import type { LogIncident, LogReport } from '../domain/log-report.js';
import type { BuiltContext, ContextPast } from '../engine/explain/context-builder.js';
import {
  buildIncidentContext,
  buildLogsContext,
  jaccard,
  words,
} from '../engine/explain/context-builder.js';
import type { HistoryStorePort } from '../ports/history-store.port.js';
import type { LlmPort } from '../ports/llm.port.js';
import type { TelemetryInsightPort, TelemetryRecordsPort } from '../ports/telemetry-store.port.js';
import { analyzeRootCause } from './root-cause-analysis.js';
import { isoSeconds as iso } from '../domain/time-text.js';
import { SPAN_STATUS } from '../domain/span.js';

const MINUTE = 60_000;

function incidentFeatures(i: Incident): Set<string> {
  const f = new Set<string>();
  for (const s of i.services) f.add(`svc:${s}`);
  const top = i.causes[0];
  if (top !== undefined) {
    f.add(`cause:${top.service}`);
    for (const w of words(top.reasons.join(' '))) f.add(w);
  }
  return f;
}

function outcome(i: Incident): string {
  const top = i.causes[0];
  const cause =
    top === undefined
      ? 'no ranked cause'
      : `top cause ${top.service} (score ${top.score.toFixed(2)}: ${top.reasons[0] ?? ''})`;
  const end =
    i.resolvedMs === undefined
      ? i.status
      : `resolved by the ${i.resolvedBy ?? 'detector'} after ${Math.round((i.resolvedMs - i.firstSymptomMs) / MINUTE)} min`;
  return `${cause}; ${end}`;
}

/** Embedding vectors of texts (already redacted by whoever made it), or undefined when there are none. */
export type Embed = (texts: readonly string[]) => Promise<number[][] | undefined>;

/** An embedder over the model's embed(), redacting every text first; undefined when the model has no embedding model. */
export function redactedEmbedder(
  llm: LlmPort | undefined,
  redactor: { redact(text: string): string },
): Embed | undefined {
  const embed = llm?.embed?.bind(llm);
  if (embed === undefined) return undefined;
  return async (texts) => {
    const r = await embed(texts.map((t) => redactor.redact(t)));
    return r.status === 'ok' ? r.value : undefined;
  };
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

const incidentText = (i: Incident) =>
  `${i.title}. Services: ${i.services.join(', ')}. Cause: ${i.causes[0]?.service ?? 'unknown'}: ${i.causes[0]?.reasons.join('; ') ?? ''}`;

/**
 * The past incidents most like this one, best first: Jaccard similarity of services, top cause
 * and its words (≥ 0.2); with embeddings, the mean of that and the cosine of the incidents'
 * texts (≥ 0.3), computed for the 50 nearest by words in one request.
 */
export async function similarIncidents(
  history: HistoryStorePort,
  tenant: string,
  incident: Incident,
  opts: { top?: number; embed?: Embed | undefined } = {},
): Promise<ContextPast[]> {
  const top = opts.top ?? 3;
  const mine = incidentFeatures(incident);
  const { items } = await history.listIncidents(tenant, { limit: 200 });
  let scored = items
    .filter((i) => i.id !== incident.id && i.firstSymptomMs < incident.firstSymptomMs)
    .map((i) => ({ i, sim: jaccard(mine, incidentFeatures(i)) }))
    .sort((a, b) => b.sim - a.sim || b.i.firstSymptomMs - a.i.firstSymptomMs);
  let threshold = 0.2;
  if (opts.embed !== undefined && scored.length > 0) {
    const near = scored.slice(0, 50);
    const vectors = await opts.embed([
      incidentText(incident),
      ...near.map((x) => incidentText(x.i)),
    ]);
    if (vectors !== undefined) {
      const me = vectors[0]!;
      scored = near
        .map((x, k) => ({ i: x.i, sim: (x.sim + Math.max(0, cosine(me, vectors[k + 1]!))) / 2 }))
        .sort((a, b) => b.sim - a.sim || b.i.firstSymptomMs - a.i.firstSymptomMs);
      threshold = 0.3;
    }
  }
  return scored
    .filter((x) => x.sim >= threshold)
    .slice(0, top)
    .map((x, n) => ({
      id: `h${n + 1}`,
      title: x.i.title,
      whenMs: x.i.firstSymptomMs,
      outcome: outcome(x.i),
      similarity: x.sim,
    }));
}

/**
 * Graph RAG for an incident: the root-cause analysis of its window (candidates, evidence with
 * log lines and trace exemplars), the dependencies among its services and their neighbours, its
 * changes, and the most similar past incidents.
 */
export async function incidentContext(
  stores: { telemetry: TelemetryInsightPort & TelemetryRecordsPort; history: HistoryStorePort },
  tenant: string,
  incident: Incident,
  maxChars: number,
  embed?: Embed,
): Promise<BuiltContext> {
  const span = incident.lastSymptomMs - incident.firstSymptomMs;
  const windowMs = Math.min(60 * MINUTE, Math.max(10 * MINUTE, span + 5 * MINUTE));
  const rca = await analyzeRootCause(stores.telemetry, tenant, {
    atMs: incident.firstSymptomMs,
    windowMs,
    referenceMs: 120 * MINUTE,
  });
  const candidates = rca.candidates.slice(0, 5).map((c) => ({
    service: c.service,
    score: c.score,
    reasons: c.reasons,
    evidence: c.evidence.map((e) => ({
      id: e.id,
      service: c.service,
      signal: e.signal,
      reason: e.reason,
      lines: [
        ...(e.examples ?? []).map(
          (x) =>
            `${iso(x.timeMs)} ${x.body.replace(/\s+/g, ' ')}${x.traceId === '' ? '' : ` (trace ${x.traceId})`}`,
        ),
        ...(e.spans ?? []).map(
          (sp) =>
            `span ${sp.operation}: ${sp.durationMs} ms, status ${sp.statusCode === SPAN_STATUS.ERROR ? 'error' : 'ok'} (trace ${sp.traceId})`,
        ),
      ],
    })),
  }));
  const near = new Set([...incident.services, ...candidates.map((c) => c.service)]);
  const edges = rca.graph
    .filter((e) => near.has(e.caller) || near.has(e.callee))
    .sort((a, b) => b.errors - a.errors || b.calls - a.calls)
    .slice(0, 40);
  const changes = incident.timeline
    .filter((e) => e.kind === 'change')
    .map((e, n) => ({
      id: `c${n + 1}`,
      timeMs: e.timeMs,
      text: e.text,
      ...(e.service === undefined ? {} : { service: e.service }),
    }));
  const similar = await similarIncidents(stores.history, tenant, incident, { embed });
  return buildIncidentContext(
    {
      title: incident.title,
      status: incident.status,
      firstSymptomMs: incident.firstSymptomMs,
      lastSymptomMs: incident.lastSymptomMs,
      services: incident.services,
      candidates,
      edges,
      changes,
      similar,
    },
    maxChars,
  );
}

function reportFeatures(r: LogReport): Set<string> {
  return new Set(
    r.findings.slice(0, 10).flatMap((f) => words(`${f.template ?? ''} ${f.exception?.type ?? ''}`)),
  );
}

/** Past analyses whose top findings share the most words with this report's (Jaccard ≥ 0.2). */
export async function similarAnalyses(
  history: HistoryStorePort,
  tenant: string,
  report: LogReport,
  excludeId?: string,
  top = 3,
): Promise<ContextPast[]> {
  const mine = reportFeatures(report);
  if (mine.size === 0) return [];
  const { items } = await history.listAnalyses(tenant, { limit: 20 });
  const scored: { id: string; name: string; createdMs: number; report: LogReport; sim: number }[] =
    [];
  for (const a of items) {
    if (a.id === excludeId) continue;
    const full = await history.getAnalysis(tenant, a.id);
    if (full === undefined) continue;
    const sim = jaccard(mine, reportFeatures(full.report));
    if (sim >= 0.2)
      scored.push({ id: a.id, name: a.name, createdMs: a.createdMs, report: full.report, sim });
  }
  return scored
    .sort((a, b) => b.sim - a.sim)
    .slice(0, top)
    .map((x, n) => ({
      id: `h${n + 1}`,
      title: `analysis of ${x.name}`,
      whenMs: x.createdMs,
      outcome: `top findings: ${x.report.findings
        .slice(0, 3)
        .map((f) => f.reason)
        .join('; ')}`,
      similarity: x.sim,
    }));
}

/** A log report's findings (f1…) with their example lines, and similar past analyses. */
export function logsContext(
  name: string,
  report: LogReport,
  similar: readonly ContextPast[],
  maxChars: number,
  maxFindings = 15,
): BuiltContext {
  const s = report.summary;
  const shown = report.findings.slice(0, maxFindings);
  // an incident's findings among those given (f1… as they are numbered below)
  const findingsOf = (inc: LogIncident) =>
    inc.findings.filter((n) => n < shown.length).map((n) => `f${n + 1}`);
  const incidents = report.incidents ?? [];
  const given = strongestIncidents(incidents);
  return buildLogsContext(
    {
      name,
      lines: s.lines,
      records: s.records,
      ...(s.firstMs === undefined ? {} : { firstMs: s.firstMs }),
      ...(s.lastMs === undefined ? {} : { lastMs: s.lastMs }),
      severityCounts: s.severityCounts,
      ...(incidents.length > given.length
        ? { incidentsLeftOut: incidents.length - given.length }
        : {}),
      incidents: given.map((inc) => ({
        startMs: inc.startMs,
        endMs: inc.endMs,
        services: inc.services.map((x) => x.service),
        causes: inc.causes.map((c) => ({
          service: c.service,
          score: c.score,
          reason: c.reasons[0] ?? '',
        })),
        findings: findingsOf(inc),
      })),
      findings: shown.map((f, n) => ({
        id: `f${n + 1}`,
        kind: f.kind,
        severity: f.severity,
        reason: f.reason,
        ...(f.template === undefined ? {} : { template: f.template }),
        count: f.count,
        ...(f.firstSeenMs === undefined ? {} : { firstSeenMs: f.firstSeenMs }),
        ...(f.lastSeenMs === undefined ? {} : { lastSeenMs: f.lastSeenMs }),
        lines: f.evidence
          .slice(0, 3)
          .map((l) => `${l.source}:${l.line} ${l.text.replace(/\s+/g, ' ')}`),
      })),
      similar,
    },
    maxChars,
  );
}
