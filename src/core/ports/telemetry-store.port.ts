import type { Finding, FindingKind } from '../domain/finding.js';
import type { MetricPoint } from '../domain/metric-point.js';

export interface FindingQuery {
  fromMs?: number;
  toMs?: number;
  kind?: FindingKind;
  /** At most this many (newest first). */
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface MetricQuery {
  name: string;
  fromMs?: number;
  toMs?: number;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** Cursor of the next page, when there is one. */
  next?: string;
}

/** A batch to write in one transaction: acknowledged only once durable. */
export interface TelemetryBatch {
  metrics: readonly MetricPoint[];
  findings: readonly Finding[];
}

/**
 * Telemetry and findings, scoped by tenant: every read and write names its tenant and never
 * sees another's rows.
 */
export interface TelemetryStorePort {
  /** Writes the whole batch or nothing; resolves once it is durable. */
  append(tenant: string, batch: TelemetryBatch): Promise<void>;
  findings(tenant: string, query: FindingQuery): Promise<Page<Finding>>;
  metricPoints(tenant: string, query: MetricQuery): Promise<MetricPoint[]>;
  /** True while the store can take writes. */
  healthy(): boolean;
  close(): Promise<void>;
}
