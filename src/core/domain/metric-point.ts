import type { LogResource } from './log-record.js';

export type MetricKind = 'gauge' | 'sum' | 'histogram';

/**
 * One metric data point as received (OTLP gauge, sum or histogram). A histogram point's value
 * is its mean (sum / count); count and sum are kept beside it.
 */
export interface MetricPoint {
  /** Unix epoch milliseconds (the store keeps what OTLP sent, to the ms). */
  timeMs: number;
  name: string;
  kind: MetricKind;
  value: number;
  /** Data-point attributes as canonical JSON (keys sorted): part of the series identity. */
  labels: string;
  resource: LogResource;
  count?: number;
  sum?: number;
  /** A monotonic cumulative counter (OTLP sum): anomalies are scored on its rate. */
  cumulative?: boolean;
}

/** The identity of a series: name, resource and labels. */
export function seriesKey(p: Pick<MetricPoint, 'name' | 'labels' | 'resource'>): string {
  const r = p.resource;
  return `${p.name}\u0000${r.service ?? ''}\u0000${r.namespace ?? ''}\u0000${r.pod ?? ''}\u0000${r.container ?? ''}\u0000${r.node ?? ''}\u0000${r.host ?? ''}\u0000${p.labels}`;
}

/** Attributes as canonical JSON: keys sorted, values kept as given (strings, numbers, booleans). */
export function canonicalLabels(attributes: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(attributes).sort();
  if (keys.length === 0) return '{}';
  const o: Record<string, unknown> = {};
  for (const k of keys) o[k] = attributes[k];
  return JSON.stringify(o);
}
