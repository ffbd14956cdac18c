/**
 * The reference computation of each service's metrics per bucket that a telemetry store answers
 * (the mean of the points of its pods and series; cumulative counters, points without a service
 * and values that are not finite left out). The memory store answers with it; the store contract
 * checks a SQL store against it.
 */
import type { MetricPoint } from '../../domain/metric-point.js';
import type { ServiceMetricStats, WindowQuery } from '../../domain/telemetry-aggregates.js';
import { byteOrder } from './order.js';

export function serviceMetricStatsOf(
  points: readonly MetricPoint[],
  q: WindowQuery,
): ServiceMetricStats[] {
  const rows = new Map<string, ServiceMetricStats & { sum: number }>();
  for (const m of points) {
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
  return [...rows.values()]
    .sort(
      (a, b) =>
        byteOrder(a.service, b.service) || byteOrder(a.name, b.name) || a.bucketMs - b.bucketMs,
    )
    .map(({ sum, ...r }) => ({ ...r, value: sum / r.points }));
}
