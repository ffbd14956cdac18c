import type { Finding } from '../../../core/domain/finding.js';
import { seriesKey } from '../../../core/domain/metric-point.js';
import type { MetricPoint } from '../../../core/domain/metric-point.js';
import { SPAN_KIND_CLIENT, SPAN_STATUS, peerOf, spanCopyKey } from '../../../core/domain/span.js';
import type { Span } from '../../../core/domain/span.js';
import type { StoredLog, TemplateCount } from '../../../core/domain/stored-log.js';
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
import {
  edgeStatsOf,
  peerCallsOf,
  redOf,
  serviceEdgesOf,
} from '../../../core/engine/aggregates/spans.js';
import {
  serviceMentionsOf,
  serviceTemplateCountsOf,
} from '../../../core/engine/aggregates/logs.js';
import { serviceMetricStatsOf } from '../../../core/engine/aggregates/metrics.js';
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
  /** Keys of writes made once (AppendOptions.key), with when. */
  const writtenKeys = new Map<string, number>();
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
      let alreadyWritten = 0;
      for (const e of entries) {
        if (e.key !== undefined) {
          if (writtenKeys.has(e.key)) {
            alreadyWritten++;
            continue;
          }
          writtenKeys.set(e.key, Date.now());
        }
        repeatedSpans += write(e.tenant, e.batch);
      }
      return Promise.resolve(
        alreadyWritten > 0 ? { repeatedSpans, alreadyWritten } : { repeatedSpans },
      );
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
      return Promise.resolve(serviceTemplateCountsOf(tenants.get(tenant)?.logs ?? [], q));
    },
    serviceMentions(
      tenant: string,
      q: WindowQuery & { names: readonly string[]; minSeverity: number },
    ): Promise<ServiceMention[]> {
      if (!open) return closed();
      return Promise.resolve(serviceMentionsOf(tenants.get(tenant)?.logs ?? [], q));
    },
    spanStats(tenant: string, q: WindowQuery & { service?: string }): Promise<ServiceSpanStats[]> {
      if (!open) return closed();
      return Promise.resolve(
        redOf(tenants.get(tenant)?.spans ?? [], q, () => '').map(
          ({ operation, ...r }): ServiceSpanStats => r,
        ),
      );
    },
    operationStats(
      tenant: string,
      q: WindowQuery & { service?: string },
    ): Promise<OperationStats[]> {
      if (!open) return closed();
      return Promise.resolve(redOf(tenants.get(tenant)?.spans ?? [], q, (sp) => sp.name));
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
      return Promise.resolve(serviceEdgesOf(tenants.get(tenant)?.spans ?? [], q));
    },
    serviceMetricStats(tenant: string, q: WindowQuery): Promise<ServiceMetricStats[]> {
      if (!open) return closed();
      return Promise.resolve(serviceMetricStatsOf(tenants.get(tenant)?.metrics ?? [], q));
    },
    peerCalls(tenant: string, q: WindowQuery): Promise<PeerCallStats[]> {
      if (!open) return closed();
      return Promise.resolve(peerCallsOf(tenants.get(tenant)?.spans ?? [], q));
    },
    edgeStats(tenant: string, q: WindowQuery & { service?: string }): Promise<EdgeStats[]> {
      if (!open) return closed();
      return Promise.resolve(edgeStatsOf(tenants.get(tenant)?.spans ?? [], q));
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
      for (const [key, at] of writtenKeys) if (at < cutoffMs) writtenKeys.delete(key);
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
