import type { Finding } from '../../../core/domain/finding.js';
import { seriesKey } from '../../../core/domain/metric-point.js';
import type { MetricPoint } from '../../../core/domain/metric-point.js';
import { SPAN_KIND_CLIENT, SPAN_STATUS, peerOf, spanCopyKey } from '../../../core/domain/span.js';
import type { Span } from '../../../core/domain/span.js';
import type { StoredLog, TemplateCount } from '../../../core/domain/stored-log.js';
import { MIN_MENTION_LENGTH, mentionPattern } from '../../../core/domain/mention.js';
import { AppError } from '../../../core/errors.js';
import type {
  AppendResult,
  FindingQuery,
  LogQuery,
  MetricName,
  MetricNameQuery,
  MetricQuery,
  Page,
  SeriesQuery,
  SeriesResult,
  OperationStats,
  EdgeStats,
  PeerCallStats,
  ServiceEdge,
  ServiceMetricStats,
  ServiceMention,
  ServiceSpanStats,
  ServiceSummary,
  ServiceTemplateCount,
  SpanQuery,
  TelemetryBatch,
  TelemetryStorePort,
  TemplateCountQuery,
  WindowQuery,
} from '../../../core/ports/telemetry-store.port.js';
import { pageOf, requireCursor } from '../page-cursor.js';
import { SEVERITY } from '../../../core/domain/severity.js';

interface TenantData {
  metrics: MetricPoint[];
  logs: StoredLog[];
  spans: Span[];
  /** spanCopyKey of the stored spans: one sent again is kept once (as in DuckDB). */
  spanKeys: Set<string>;
  findings: Map<string, Finding>;
}

/** Newest first by (timeMs, id), after the cursor when there is one. */
/** Byte order, as DuckDB sorts VARCHAR (ASCII names alike). */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The nearest-rank quantile: the ⌈q·n⌉-th smallest, as DuckDB's quantile_disc (checked for n ≤ 400). */
function discrete(sorted: readonly number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

/** Spans of [fromMs, toMs) whose parent (also in it) belongs to another service. */
function* crossServiceCalls(
  spans: readonly Span[],
  q: { fromMs: number; toMs: number },
): Generator<{ caller: string; callee: string; parent: Span; child: Span }> {
  const inRange = spans.filter((sp) => sp.startMs >= q.fromMs && sp.startMs < q.toMs);
  const byId = new Map(inRange.map((sp) => [`${sp.traceId}/${sp.spanId}`, sp]));
  for (const child of inRange) {
    if (child.parentSpanId === '') continue;
    const parent = byId.get(`${child.traceId}/${child.parentSpanId}`);
    const caller = parent?.resource.service ?? '';
    const callee = child.resource.service ?? '';
    if (parent !== undefined && caller !== callee) yield { caller, callee, parent, child };
  }
}

/** RED per service, operation (or '' for all) and bucket, in the stores' order. */
function red(
  spans: readonly Span[],
  q: WindowQuery,
  operationOf: (sp: Span) => string,
  all: readonly Span[] = spans,
): OperationStats[] {
  const groups = new Map<
    string,
    {
      service: string;
      operation: string;
      bucketMs: number;
      errors: number;
      requests: number;
      failedRequests: number;
      ownFailedRequests: number;
      requestMs: number;
      durations: number[];
    }
  >();
  // each span's service (a span called from another service's, or from none, begins a request) and
  // where failures began: per trace, the services with a failed span none of whose children failed
  const serviceOf = new Map<string, string>();
  const failedParents = new Set<string>();
  for (const sp of all) {
    if (!serviceOf.has(`${sp.traceId}/${sp.spanId}`))
      serviceOf.set(`${sp.traceId}/${sp.spanId}`, sp.resource.service ?? '');
    if (sp.statusCode === SPAN_STATUS.ERROR && sp.parentSpanId !== '')
      failedParents.add(`${sp.traceId}/${sp.parentSpanId}`);
  }
  const origins = new Set<string>();
  for (const sp of all)
    if (sp.statusCode === SPAN_STATUS.ERROR && !failedParents.has(`${sp.traceId}/${sp.spanId}`))
      origins.add(`${sp.traceId}\u0000${sp.resource.service ?? ''}`);
  // the spans a failure is inside of: a failed span and its parents in the same service
  const parentOf = new Map<string, string>();
  for (const sp of all)
    if (!parentOf.has(`${sp.traceId}/${sp.spanId}`))
      parentOf.set(`${sp.traceId}/${sp.spanId}`, `${sp.traceId}/${sp.parentSpanId}`);
  const failing = new Set<string>();
  for (const sp of all) {
    if (sp.statusCode !== SPAN_STATUS.ERROR) continue;
    const service = sp.resource.service ?? '';
    for (
      let k: string | undefined = `${sp.traceId}/${sp.spanId}`;
      k !== undefined && serviceOf.get(k) === service && !failing.has(k);
      k = parentOf.get(k)
    )
      failing.add(k);
  }
  for (const sp of spans) {
    if (sp.startMs < q.fromMs || sp.startMs >= q.toMs) continue;
    const service = sp.resource.service ?? '';
    const operation = operationOf(sp);
    const bucketMs = Math.floor(sp.startMs / q.bucketMs) * q.bucketMs;
    const key = `${service}\u0000${operation}\u0000${bucketMs}`;
    let g = groups.get(key);
    if (g === undefined)
      groups.set(
        key,
        (g = {
          service,
          operation,
          bucketMs,
          errors: 0,
          requests: 0,
          failedRequests: 0,
          ownFailedRequests: 0,
          requestMs: 0,
          durations: [],
        }),
      );
    g.durations.push(sp.endMs - sp.startMs);
    const failed = sp.statusCode === SPAN_STATUS.ERROR;
    if (failed) g.errors++;
    if (serviceOf.get(`${sp.traceId}/${sp.parentSpanId}`) === service) continue;
    g.requests++;
    g.requestMs += sp.endMs - sp.startMs;
    if (!failing.has(`${sp.traceId}/${sp.spanId}`)) continue;
    g.failedRequests++;
    if (origins.has(`${sp.traceId}\u0000${service}`)) g.ownFailedRequests++;
  }
  return [...groups.values()]
    .sort(
      (a, b) =>
        cmp(a.service, b.service) || cmp(a.operation, b.operation) || a.bucketMs - b.bucketMs,
    )
    .map((g) => {
      const d = g.durations.sort((a, b) => a - b);
      return {
        service: g.service,
        operation: g.operation,
        bucketMs: g.bucketMs,
        count: d.length,
        errors: g.errors,
        requests: g.requests,
        failedRequests: g.failedRequests,
        ownFailedRequests: g.ownFailedRequests,
        requestMs: g.requestMs,
        p50Ms: discrete(d, 0.5),
        p90Ms: discrete(d, 0.9),
      };
    });
}

function keysetPage<T extends { timeMs: number; id: string }>(
  rows: T[],
  limit: number,
  cursor: string | undefined,
): Page<T> {
  const after = cursor === undefined ? undefined : requireCursor(cursor);
  const all = rows
    .filter(
      (f) =>
        after === undefined ||
        f.timeMs < after.timeMs ||
        (f.timeMs === after.timeMs && f.id < after.id),
    )
    .sort((a, b) => b.timeMs - a.timeMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return pageOf(
    all.slice(0, limit + 1).map((f) => structuredClone(f)),
    limit,
    (f) => [f.timeMs, f.id],
  );
}

/** The store in memory: for tests and `serve --memory`; same contract as the DuckDB store. */
export function createMemoryTelemetryStore(): TelemetryStorePort {
  const tenants = new Map<string, TenantData>();
  let open = true;
  const data = (tenant: string) => {
    let d = tenants.get(tenant);
    if (d === undefined)
      tenants.set(
        tenant,
        (d = { metrics: [], logs: [], spans: [], spanKeys: new Set(), findings: new Map() }),
      );
    return d;
  };
  const closed = () => Promise.reject(new AppError('STORE.UNAVAILABLE', 'the store is closed'));
  /** One batch, synchronously: a write is all or nothing as no other call can run inside it. */
  const write = (tenant: string, batch: TelemetryBatch): number => {
    const d = data(tenant);
    for (const m of batch.metrics ?? []) d.metrics.push({ ...m, resource: { ...m.resource } });
    for (const l of batch.logs ?? []) d.logs.push(structuredClone(l));
    let repeatedSpans = 0;
    for (const sp of batch.spans ?? []) {
      const key = spanCopyKey(sp);
      if (d.spanKeys.has(key)) {
        repeatedSpans++;
        continue;
      }
      d.spanKeys.add(key);
      d.spans.push(structuredClone(sp));
    }
    for (const f of batch.findings ?? [])
      if (!d.findings.has(f.id)) d.findings.set(f.id, structuredClone(f));
    return repeatedSpans;
  };
  const store: TelemetryStorePort = {
    appendMany(entries) {
      if (!open) return closed();
      let repeatedSpans = 0;
      for (const e of entries) repeatedSpans += write(e.tenant, e.batch);
      return Promise.resolve({ repeatedSpans });
    },
    append(tenant: string, batch: TelemetryBatch): Promise<AppendResult> {
      if (!open) return closed();
      return Promise.resolve({ repeatedSpans: write(tenant, batch) });
    },
    findings(tenant: string, q: FindingQuery): Promise<Page<Finding>> {
      if (!open) return closed();
      const rows = [...(tenants.get(tenant)?.findings.values() ?? [])].filter(
        (f) =>
          (q.fromMs === undefined || f.timeMs >= q.fromMs) &&
          (q.toMs === undefined || f.timeMs < q.toMs) &&
          (q.kind === undefined || f.kind === q.kind),
      );
      // a bad cursor throws inside the executor: a rejection, like the other adapters
      return new Promise((resolve) => {
        resolve(keysetPage(rows, q.limit, q.cursor));
      });
    },
    logs(tenant: string, q: LogQuery): Promise<Page<StoredLog>> {
      if (!open) return closed();
      const text = q.text?.toLowerCase();
      const rows = (tenants.get(tenant)?.logs ?? []).filter(
        (l) =>
          (q.fromMs === undefined || l.timeMs >= q.fromMs) &&
          (q.toMs === undefined || l.timeMs < q.toMs) &&
          (q.service === undefined || l.resource.service === q.service) &&
          (q.minSeverity === undefined || l.severity >= q.minSeverity) &&
          (q.templateId === undefined || l.templateId === q.templateId) &&
          (text === undefined || l.body.toLowerCase().includes(text)),
      );
      // a bad cursor throws inside the executor: a rejection, like the other adapters
      return new Promise((resolve) => {
        resolve(keysetPage(rows, q.limit, q.cursor));
      });
    },
    spans(tenant: string, q: SpanQuery): Promise<Span[]> {
      if (!open) return closed();
      const rows = (tenants.get(tenant)?.spans ?? []).filter(
        (sp) =>
          (q.traceId === undefined || sp.traceId === q.traceId) &&
          (q.service === undefined || sp.resource.service === q.service) &&
          (q.operation === undefined || sp.name === q.operation) &&
          (q.fromMs === undefined || sp.startMs >= q.fromMs) &&
          (q.toMs === undefined || sp.startMs < q.toMs) &&
          (q.minDurationMs === undefined || sp.endMs - sp.startMs >= q.minDurationMs) &&
          (q.errorsOnly !== true || sp.statusCode === SPAN_STATUS.ERROR) &&
          (q.kind === undefined || sp.kind === q.kind) &&
          (q.peer === undefined ||
            (sp.kind === SPAN_KIND_CLIENT && peerOf(sp.attributes) === q.peer)),
      );
      const byStart = (a: Span, b: Span) => a.startMs - b.startMs || (a.spanId < b.spanId ? -1 : 1);
      const sorted = rows.sort(
        q.order === 'duration'
          ? (a, b) => b.endMs - b.startMs - (a.endMs - a.startMs) || byStart(a, b)
          : byStart,
      );
      return Promise.resolve(sorted.slice(0, q.limit).map((sp) => structuredClone(sp)));
    },
    metricNames(tenant: string, q: MetricNameQuery): Promise<MetricName[]> {
      if (!open) return closed();
      const by = new Map<string, { series: Set<string>; m: MetricName }>();
      for (const p of tenants.get(tenant)?.metrics ?? []) {
        if (
          (q.fromMs !== undefined && p.timeMs < q.fromMs) ||
          (q.toMs !== undefined && p.timeMs >= q.toMs) ||
          (q.service !== undefined && p.resource.service !== q.service)
        )
          continue;
        let e = by.get(p.name);
        if (e === undefined)
          by.set(
            p.name,
            (e = {
              series: new Set(),
              m: { name: p.name, series: 0, points: 0, firstMs: p.timeMs, lastMs: p.timeMs },
            }),
          );
        e.series.add(seriesKey(p));
        e.m.points++;
        e.m.firstMs = Math.min(e.m.firstMs, p.timeMs);
        e.m.lastMs = Math.max(e.m.lastMs, p.timeMs);
      }
      return Promise.resolve(
        [...by.values()]
          .map((e) => ({ ...e.m, series: e.series.size }))
          .sort((a, b) => (a.name < b.name ? -1 : 1))
          .slice(0, q.limit),
      );
    },
    services(tenant: string): Promise<ServiceSummary[]> {
      if (!open) return closed();
      const d = tenants.get(tenant);
      const by = new Map<string, ServiceSummary>();
      const bump = (service: string | undefined, k: 'logs' | 'spans' | 'metricPoints') => {
        if (service === undefined) return;
        let s = by.get(service);
        if (s === undefined) by.set(service, (s = { service, logs: 0, spans: 0, metricPoints: 0 }));
        s[k]++;
      };
      for (const l of d?.logs ?? []) bump(l.resource.service, 'logs');
      for (const sp of d?.spans ?? []) bump(sp.resource.service, 'spans');
      for (const m of d?.metrics ?? []) bump(m.resource.service, 'metricPoints');
      return Promise.resolve([...by.values()].sort((a, b) => (a.service < b.service ? -1 : 1)));
    },
    templateCounts(tenant: string, q: TemplateCountQuery): Promise<TemplateCount[]> {
      if (!open) return closed();
      const counts = new Map<string, TemplateCount>();
      for (const l of tenants.get(tenant)?.logs ?? []) {
        if (
          (q.fromMs !== undefined && l.timeMs < q.fromMs) ||
          (q.toMs !== undefined && l.timeMs >= q.toMs) ||
          (q.service !== undefined && l.resource.service !== q.service)
        )
          continue;
        const bucketMs = Math.floor(l.timeMs / q.bucketMs) * q.bucketMs;
        const key = `${l.templateId}|${bucketMs}`;
        const c = counts.get(key);
        const error = l.severity >= SEVERITY.ERROR ? 1 : 0;
        if (c === undefined)
          counts.set(key, {
            templateId: l.templateId,
            template: l.template,
            bucketMs,
            count: 1,
            errors: error,
          });
        else {
          c.count++;
          c.errors += error;
        }
      }
      return Promise.resolve(
        [...counts.values()]
          .sort(
            (a, b) =>
              a.bucketMs - b.bucketMs ||
              b.count - a.count ||
              (a.templateId < b.templateId ? -1 : 1),
          )
          .slice(0, q.limit),
      );
    },
    timeRange(tenant: string): Promise<{ fromMs: number; toMs: number } | undefined> {
      if (!open) return closed();
      const d = tenants.get(tenant);
      let fromMs = Infinity;
      let toMs = -Infinity;
      for (const t of [
        ...(d?.logs ?? []).map((l) => l.timeMs),
        ...(d?.spans ?? []).map((s) => s.startMs),
        ...(d?.metrics ?? []).map((m) => m.timeMs),
      ]) {
        fromMs = Math.min(fromMs, t);
        toMs = Math.max(toMs, t);
      }
      return Promise.resolve(fromMs === Infinity ? undefined : { fromMs, toMs });
    },
    serviceTemplateCounts(tenant: string, q: WindowQuery): Promise<ServiceTemplateCount[]> {
      if (!open) return closed();
      const counts = new Map<string, ServiceTemplateCount>();
      for (const l of tenants.get(tenant)?.logs ?? []) {
        if (l.timeMs < q.fromMs || l.timeMs >= q.toMs) continue;
        const service = l.resource.service ?? '';
        const bucketMs = Math.floor(l.timeMs / q.bucketMs) * q.bucketMs;
        const key = `${service}\u0000${l.templateId}\u0000${bucketMs}`;
        const c = counts.get(key);
        if (c === undefined)
          counts.set(key, {
            service,
            templateId: l.templateId,
            template: l.template,
            severity: l.severity,
            bucketMs,
            count: 1,
          });
        else {
          c.count++;
          c.severity = Math.max(c.severity, l.severity);
        }
      }
      return Promise.resolve(
        [...counts.values()].sort(
          (a, b) =>
            cmp(a.service, b.service) || cmp(a.templateId, b.templateId) || a.bucketMs - b.bucketMs,
        ),
      );
    },
    serviceMentions(
      tenant: string,
      q: WindowQuery & { names: readonly string[]; minSeverity: number },
    ): Promise<ServiceMention[]> {
      if (!open) return closed();
      const names = [...new Set(q.names)]
        .filter((n) => n.length >= MIN_MENTION_LENGTH)
        .map((name) => ({ name, pattern: new RegExp(mentionPattern(name)) }));
      const counts = new Map<string, ServiceMention>();
      for (const l of tenants.get(tenant)?.logs ?? []) {
        if (l.timeMs < q.fromMs || l.timeMs >= q.toMs || l.severity < q.minSeverity) continue;
        const service = l.resource.service ?? '';
        const bucketMs = Math.floor(l.timeMs / q.bucketMs) * q.bucketMs;
        for (const { name, pattern } of names) {
          if (name === service || !l.body.includes(name) || !pattern.test(l.body)) continue;
          const key = `${service}\u0000${l.templateId}\u0000${name}\u0000${bucketMs}`;
          const c = counts.get(key);
          if (c === undefined)
            counts.set(key, { service, templateId: l.templateId, named: name, bucketMs, count: 1 });
          else c.count++;
        }
      }
      return Promise.resolve(
        [...counts.values()].sort(
          (a, b) =>
            cmp(a.service, b.service) ||
            cmp(a.templateId, b.templateId) ||
            cmp(a.named, b.named) ||
            a.bucketMs - b.bucketMs,
        ),
      );
    },
    spanStats(tenant: string, q: WindowQuery & { service?: string }): Promise<ServiceSpanStats[]> {
      if (!open) return closed();
      const all = tenants.get(tenant)?.spans ?? [];
      return Promise.resolve(
        red(
          all.filter((sp) => q.service === undefined || sp.resource.service === q.service),
          q,
          () => '',
          all,
        ).map(({ operation, ...r }): ServiceSpanStats => r),
      );
    },
    operationStats(
      tenant: string,
      q: WindowQuery & { service?: string },
    ): Promise<OperationStats[]> {
      if (!open) return closed();
      const all = tenants.get(tenant)?.spans ?? [];
      return Promise.resolve(
        red(
          all.filter((sp) => q.service === undefined || sp.resource.service === q.service),
          q,
          (sp) => sp.name,
          all,
        ),
      );
    },
    async spanAggregates(tenant: string, q: WindowQuery) {
      const [spans, edges, calls] = [
        await store.spanStats(tenant, q),
        await store.serviceEdges(tenant, q),
        await store.edgeStats(tenant, q),
      ];
      return { spans, edges, calls };
    },
    serviceEdges(tenant: string, q: { fromMs: number; toMs: number }): Promise<ServiceEdge[]> {
      if (!open) return closed();
      const edges = new Map<string, Omit<ServiceEdge, 'p90Ms'> & { durations: number[] }>();
      for (const { caller, callee, child } of crossServiceCalls(
        tenants.get(tenant)?.spans ?? [],
        q,
      )) {
        const key = `${caller}\u0000${callee}`;
        let e = edges.get(key);
        if (e === undefined)
          edges.set(key, (e = { caller, callee, calls: 0, errors: 0, durations: [] }));
        e.calls++;
        e.durations.push(child.endMs - child.startMs);
        if (child.statusCode === SPAN_STATUS.ERROR) e.errors++;
      }
      return Promise.resolve(
        [...edges.values()]
          .sort((a, b) => cmp(a.caller, b.caller) || cmp(a.callee, b.callee))
          .map(({ durations, ...e }) => ({
            ...e,
            p90Ms: discrete(
              durations.sort((x, y) => x - y),
              0.9,
            ),
          })),
      );
    },
    serviceMetricStats(tenant: string, q: WindowQuery): Promise<ServiceMetricStats[]> {
      if (!open) return closed();
      const rows = new Map<string, ServiceMetricStats & { sum: number }>();
      for (const m of tenants.get(tenant)?.metrics ?? []) {
        const service = m.resource.service;
        if (
          m.timeMs < q.fromMs ||
          m.timeMs >= q.toMs ||
          m.cumulative === true ||
          service === undefined ||
          service === '' ||
          !Number.isFinite(m.value)
        )
          continue;
        const bucketMs = Math.floor(m.timeMs / q.bucketMs) * q.bucketMs;
        const key = `${service}\u0000${m.name}\u0000${bucketMs}`;
        let r = rows.get(key);
        if (r === undefined)
          rows.set(key, (r = { service, name: m.name, bucketMs, value: 0, points: 0, sum: 0 }));
        r.sum += m.value;
        r.points++;
      }
      return Promise.resolve(
        [...rows.values()]
          .sort(
            (a, b) => cmp(a.service, b.service) || cmp(a.name, b.name) || a.bucketMs - b.bucketMs,
          )
          .map(({ sum, ...r }) => ({ ...r, value: sum / r.points })),
      );
    },
    peerCalls(tenant: string, q: WindowQuery): Promise<PeerCallStats[]> {
      if (!open) return closed();
      const spans = tenants.get(tenant)?.spans ?? [];
      // the services of each span's children
      const children = new Map<string, string[]>();
      for (const sp of spans) {
        if (sp.parentSpanId === '') continue;
        const key = `${sp.traceId}/${sp.parentSpanId}`;
        const l = children.get(key);
        if (l === undefined) children.set(key, [sp.resource.service ?? '']);
        else l.push(sp.resource.service ?? '');
      }
      const rows = new Map<
        string,
        Omit<PeerCallStats, 'p90Ms' | 'callMs'> & { durations: number[] }
      >();
      for (const sp of spans) {
        if (sp.kind !== SPAN_KIND_CLIENT || sp.startMs < q.fromMs || sp.startMs >= q.toMs) continue;
        const peer = peerOf(sp.attributes);
        if (peer === undefined) continue;
        const caller = sp.resource.service ?? '';
        const callee =
          children
            .get(`${sp.traceId}/${sp.spanId}`)
            ?.filter((c) => c !== caller)
            .sort()[0] ?? '';
        const bucketMs = Math.floor(sp.startMs / q.bucketMs) * q.bucketMs;
        const row = { caller, peer, callee, bucketMs };
        const key = `${row.caller}\u0000${row.peer}\u0000${row.callee}\u0000${bucketMs}`;
        let r = rows.get(key);
        if (r === undefined) rows.set(key, (r = { ...row, calls: 0, errors: 0, durations: [] }));
        r.calls++;
        r.durations.push(sp.endMs - sp.startMs);
        if (sp.statusCode === SPAN_STATUS.ERROR) r.errors++;
      }
      return Promise.resolve(
        [...rows.values()]
          .sort(
            (a, b) =>
              cmp(a.caller, b.caller) ||
              cmp(a.peer, b.peer) ||
              cmp(a.callee, b.callee) ||
              a.bucketMs - b.bucketMs,
          )
          .map(({ durations, ...r }) => ({
            ...r,
            p90Ms: discrete(
              durations.sort((x, y) => x - y),
              0.9,
            ),
            callMs: durations.reduce((a, d) => a + d, 0),
          })),
      );
    },
    edgeStats(tenant: string, q: WindowQuery & { service?: string }): Promise<EdgeStats[]> {
      if (!open) return closed();
      const edges = new Map<
        string,
        Omit<EdgeStats, 'gapP50Ms'> & { gaps: number[]; calleeMs: number }
      >();
      for (const { caller, callee, parent, child } of crossServiceCalls(
        tenants.get(tenant)?.spans ?? [],
        q,
      )) {
        if (q.service !== undefined && caller !== q.service && callee !== q.service) continue;
        const bucketMs = Math.floor(parent.startMs / q.bucketMs) * q.bucketMs;
        const key = `${caller}\u0000${callee}\u0000${bucketMs}`;
        let e = edges.get(key);
        if (e === undefined)
          edges.set(
            key,
            (e = { caller, callee, bucketMs, calls: 0, errors: 0, gaps: [], calleeMs: 0 }),
          );
        e.calls++;
        e.gaps.push(parent.endMs - parent.startMs - (child.endMs - child.startMs));
        e.calleeMs += child.endMs - child.startMs;
        if (child.statusCode === SPAN_STATUS.ERROR) e.errors++;
      }
      return Promise.resolve(
        [...edges.values()]
          .sort(
            (a, b) => cmp(a.caller, b.caller) || cmp(a.callee, b.callee) || a.bucketMs - b.bucketMs,
          )
          .map(({ gaps, ...e }) => ({
            ...e,
            gapP50Ms: discrete(
              gaps.sort((x, y) => x - y),
              0.5,
            ),
          })),
      );
    },
    metricPoints(tenant: string, q: MetricQuery): Promise<MetricPoint[]> {
      if (!open) return closed();
      const rows = (tenants.get(tenant)?.metrics ?? []).filter(
        (m) =>
          m.name === q.name &&
          (q.fromMs === undefined || m.timeMs >= q.fromMs) &&
          (q.toMs === undefined || m.timeMs < q.toMs),
      );
      return Promise.resolve(
        rows
          .sort((a, b) => a.timeMs - b.timeMs)
          .slice(0, q.limit)
          .map((m) => ({ ...m, resource: { ...m.resource } })),
      );
    },
    metricSeries(tenant: string, q: SeriesQuery): Promise<SeriesResult[]> {
      if (!open) return closed();
      const series = new Map<
        string,
        {
          labels: string;
          resource: MetricPoint['resource'];
          buckets: Map<number, { sum: number; min: number; max: number; count: number }>;
        }
      >();
      for (const m of tenants.get(tenant)?.metrics ?? []) {
        if (
          m.name !== q.name ||
          (q.fromMs !== undefined && m.timeMs < q.fromMs) ||
          (q.toMs !== undefined && m.timeMs >= q.toMs) ||
          (q.service !== undefined && m.resource.service !== q.service)
        )
          continue;
        if (q.labels !== undefined) {
          const l = JSON.parse(m.labels) as Record<string, unknown>;
          if (!Object.entries(q.labels).every(([k, v]) => String(l[k]) === v && k in l)) continue;
        }
        const key = seriesKey(m);
        let s = series.get(key);
        if (s === undefined)
          series.set(
            key,
            (s = { labels: m.labels, resource: { ...m.resource }, buckets: new Map() }),
          );
        const b = Math.floor(m.timeMs / q.stepMs) * q.stepMs;
        const agg = s.buckets.get(b);
        if (agg === undefined)
          s.buckets.set(b, { sum: m.value, min: m.value, max: m.value, count: 1 });
        else {
          agg.sum += m.value;
          agg.min = Math.min(agg.min, m.value);
          agg.max = Math.max(agg.max, m.value);
          agg.count++;
        }
      }
      const pick = (a: { sum: number; min: number; max: number; count: number }) =>
        ({ avg: a.sum / a.count, min: a.min, max: a.max, sum: a.sum, count: a.count })[q.agg];
      const out = [...series.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .slice(0, q.limit)
        .map(([, s]) => ({
          labels: s.labels,
          resource: s.resource,
          points: [...s.buckets.entries()]
            .sort(([a], [b]) => a - b)
            .map(([bucketMs, a]) => ({ bucketMs, value: pick(a), count: a.count })),
        }));
      return Promise.resolve(out);
    },
    deleteBefore(cutoffMs: number) {
      if (!open) return closed();
      const n = { metrics: 0, logs: 0, spans: 0, findings: 0 };
      for (const d of tenants.values()) {
        const before = { m: d.metrics.length, l: d.logs.length, s: d.spans.length };
        d.metrics = d.metrics.filter((m) => m.timeMs >= cutoffMs);
        d.logs = d.logs.filter((l) => l.timeMs >= cutoffMs);
        d.spans = d.spans.filter((x) => x.startMs >= cutoffMs);
        n.metrics += before.m - d.metrics.length;
        n.logs += before.l - d.logs.length;
        n.spans += before.s - d.spans.length;
        for (const [id, f] of d.findings)
          if (f.timeMs < cutoffMs) {
            d.findings.delete(id);
            n.findings++;
          }
      }
      return Promise.resolve(n);
    },
    healthy: () => open,
    close(): Promise<void> {
      open = false;
      return Promise.resolve();
    },
  };
  return store;
}
