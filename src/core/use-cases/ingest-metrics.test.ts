import { describe, expect, it } from 'vitest';
import { createMemoryTelemetryStore } from '../../adapters/store/memory/memory-telemetry-store.js';
import type { MetricPoint } from '../domain/metric-point.js';
import { MetricIngest } from './ingest-metrics.js';

const T0 = Date.UTC(2026, 0, 1);
const resource = { service: 'checkout', pod: 'checkout-1' };
const gauge = (i: number, value: number, over: Partial<MetricPoint> = {}): MetricPoint => ({
  timeMs: T0 + i * 60_000,
  name: 'cpu',
  kind: 'gauge',
  value,
  labels: '{"core":"1"}',
  resource,
  ...over,
});
const wave = (i: number) => 50 + 3 * Math.sin(i * 1.3);

describe('MetricIngest', () => {
  it('stores every point and turns an anomalous one into a finding with its reason', async () => {
    const store = createMemoryTelemetryStore();
    const ingest = new MetricIngest({ store });
    for (let b = 0; b < 10; b++) {
      const r = await ingest.ingest(
        't',
        Array.from({ length: 100 }, (_, k) =>
          gauge(b * 100 + k, b * 100 + k === 950 ? 95 : wave(b * 100 + k)),
        ),
      );
      expect(r.stored).toBe(100);
    }
    const page = await store.findings('t', { limit: 10 });
    expect(page.items).toHaveLength(1);
    const f = page.items[0]!;
    expect(f).toMatchObject({
      kind: 'metric-anomaly',
      timeMs: T0 + 950 * 60_000,
      detail: 'spike',
      subject: { metric: 'cpu', labels: '{"core":"1"}', resource },
    });
    expect(f.reason).toMatch(
      /^cpu\{core="1"\} · checkout\/checkout-1: value 95 is 4\d(\.\d)? above its recent baseline/,
    );
    expect(f.evidence).toEqual([{ timeMs: T0 + 950 * 60_000, value: 95 }]);
    expect((await store.metricPoints('t', { name: 'cpu', limit: 5000 })).length).toBe(1000);
  });

  it('scores a cumulative counter on its rate; a reset or an old point is stored, not scored', async () => {
    const store = createMemoryTelemetryStore();
    const ingest = new MetricIngest({ store });
    let total = 0;
    const pts: MetricPoint[] = [];
    for (let i = 0; i < 1000; i++) {
      total += i === 900 ? 600 : 10 + (i % 3);
      pts.push(gauge(i, total, { name: 'requests', kind: 'sum', cumulative: true, labels: '{}' }));
    }
    const r = await ingest.ingest('t', pts);
    expect(r.unscored).toBe(1);
    const f = (await store.findings('t', { limit: 5 })).items;
    expect(f.map((x) => x.timeMs)).toEqual([T0 + 900 * 60_000]);
    expect(f[0]!.reason).toMatch(
      /^requests · checkout\/checkout-1 \(rate per second\): value 10 is/,
    );
    const late = await ingest.ingest('t', [
      gauge(5, 1, { name: 'requests', kind: 'sum', cumulative: true, labels: '{}' }),
      gauge(1001, 0, { name: 'requests', kind: 'sum', cumulative: true, labels: '{}' }),
    ]);
    expect(late).toMatchObject({ stored: 2, unscored: 2 });
  });

  it('keeps series apart by labels, resource and tenant; bounds the series it tracks', async () => {
    const store = createMemoryTelemetryStore();
    const ingest = new MetricIngest({ store, maxSeries: 3 });
    await ingest.ingest('a', [
      gauge(0, 1),
      gauge(0, 1, { labels: '{"core":"2"}' }),
      gauge(0, 1, { resource: { service: 'other' } }),
    ]);
    expect(ingest.trackedSeries).toBe(3);
    await ingest.ingest('b', [gauge(0, 1)]);
    expect(ingest.trackedSeries).toBe(3);
    expect(ingest.evictedSeries).toBe(1);
  });
});
