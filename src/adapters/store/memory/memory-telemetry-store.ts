import type { Finding } from '../../../core/domain/finding.js';
import type { MetricPoint } from '../../../core/domain/metric-point.js';
import { AppError } from '../../../core/errors.js';
import type { FindingQuery, MetricQuery, Page, TelemetryBatch, TelemetryStorePort } from '../../../core/ports/telemetry-store.port.js';
import { decodeCursor, encodeCursor } from '../page-cursor.js';

interface TenantData {
  metrics: MetricPoint[];
  findings: Map<string, Finding>;
}

/** The store in memory: for tests and `serve --memory`; same contract as the DuckDB store. */
export function createMemoryTelemetryStore(): TelemetryStorePort {
  const tenants = new Map<string, TenantData>();
  let open = true;
  const data = (tenant: string) => {
    let d = tenants.get(tenant);
    if (d === undefined) tenants.set(tenant, (d = { metrics: [], findings: new Map() }));
    return d;
  };
  const closed = () => Promise.reject(new AppError('STORE.UNAVAILABLE', 'the store is closed'));
  return {
    append(tenant: string, batch: TelemetryBatch): Promise<void> {
      if (!open) return closed();
      const d = data(tenant);
      for (const m of batch.metrics) d.metrics.push({ ...m, resource: { ...m.resource } });
      for (const f of batch.findings) if (!d.findings.has(f.id)) d.findings.set(f.id, structuredClone(f));
      return Promise.resolve();
    },
    findings(tenant: string, q: FindingQuery): Promise<Page<Finding>> {
      if (!open) return closed();
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      if (q.cursor !== undefined && after === undefined) return Promise.reject(new AppError('INPUT.BAD_OPTION', 'cursor: not a cursor from this server', { field: 'cursor' }));
      const all = [...(tenants.get(tenant)?.findings.values() ?? [])]
        .filter((f) => (q.fromMs === undefined || f.timeMs >= q.fromMs) && (q.toMs === undefined || f.timeMs < q.toMs) && (q.kind === undefined || f.kind === q.kind))
        .filter((f) => after === undefined || f.timeMs < after.timeMs || (f.timeMs === after.timeMs && f.id < after.id))
        .sort((a, b) => b.timeMs - a.timeMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      const items = all.slice(0, q.limit).map((f) => structuredClone(f));
      const last = items.at(-1);
      return Promise.resolve(all.length > q.limit && last !== undefined ? { items, next: encodeCursor(last.timeMs, last.id) } : { items });
    },
    metricPoints(tenant: string, q: MetricQuery): Promise<MetricPoint[]> {
      if (!open) return closed();
      const rows = (tenants.get(tenant)?.metrics ?? []).filter((m) => m.name === q.name && (q.fromMs === undefined || m.timeMs >= q.fromMs) && (q.toMs === undefined || m.timeMs < q.toMs));
      return Promise.resolve(rows.sort((a, b) => a.timeMs - b.timeMs).slice(0, q.limit).map((m) => ({ ...m, resource: { ...m.resource } })));
    },
    healthy: () => open,
    close(): Promise<void> {
      open = false;
      return Promise.resolve();
    },
  };
}
