import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/domain/finding.js';
import type { MetricPoint } from '../../src/core/domain/metric-point.js';
import type { TelemetryStorePort } from '../../src/core/ports/telemetry-store.port.js';

/** The one contract every TelemetryStorePort adapter passes (CONVENTIONS.md: shared suites). */
export function runTelemetryStoreContract(name: string, create: () => Promise<TelemetryStorePort>): void {
  const point = (i: number, over: Partial<MetricPoint> = {}): MetricPoint => ({ timeMs: 1_700_000_000_000 + i * 60_000, name: 'cpu', kind: 'gauge', value: i, labels: '{"core":"0"}', resource: { service: 'api', pod: 'api-1' }, ...over });
  const finding = (i: number, over: Partial<Finding> = {}): Finding => ({ id: `f${String(i).padStart(3, '0')}`, kind: 'metric-anomaly', timeMs: 1_700_000_000_000 + i * 60_000, score: 0.9, reason: `value ${i} is high`, subject: { metric: 'cpu', labels: '{"core":"0"}', resource: { service: 'api' } }, detail: 'spike', evidence: [{ timeMs: 1_700_000_000_000 + i * 60_000, value: i }], ...over });

  describe(`TelemetryStorePort contract: ${name}`, () => {
    it('stores metric points and reads them back by name and time, in time order, every field intact', async () => {
      const s = await create();
      await s.append('t1', { metrics: [point(2, { kind: 'sum', cumulative: true }), point(1, { kind: 'histogram', count: 4, sum: 10, resource: {} }), point(3, { name: 'mem' })], findings: [] });
      const got = await s.metricPoints('t1', { name: 'cpu', limit: 10 });
      expect(got).toEqual([point(1, { kind: 'histogram', count: 4, sum: 10, resource: {} }), point(2, { kind: 'sum', cumulative: true })]);
      expect(await s.metricPoints('t1', { name: 'cpu', fromMs: point(2).timeMs, limit: 10 })).toEqual([point(2, { kind: 'sum', cumulative: true })]);
      await s.close();
    });

    it('pages findings newest first with a cursor, filters by time and kind', async () => {
      const s = await create();
      await s.append('t1', { metrics: [], findings: Array.from({ length: 25 }, (_, i) => finding(i)) });
      const p1 = await s.findings('t1', { limit: 10 });
      expect(p1.items.map((f) => f.id)).toEqual(Array.from({ length: 10 }, (_, i) => `f${String(24 - i).padStart(3, '0')}`));
      expect(p1.items[0]).toEqual(finding(24));
      const p2 = await s.findings('t1', { limit: 10, cursor: p1.next! });
      const p3 = await s.findings('t1', { limit: 10, cursor: p2.next! });
      expect([...p1.items, ...p2.items, ...p3.items].map((f) => f.id)).toHaveLength(25);
      expect(p3.next).toBeUndefined();
      const window = await s.findings('t1', { limit: 100, fromMs: finding(5).timeMs, toMs: finding(8).timeMs });
      expect(window.items.map((f) => f.id)).toEqual(['f007', 'f006', 'f005']);
      await expect(s.findings('t1', { limit: 5, cursor: 'garbage' })).rejects.toMatchObject({ code: 'INPUT.BAD_OPTION' });
      await s.close();
    });

    it('the same finding appended twice is stored once', async () => {
      const s = await create();
      await s.append('t1', { metrics: [], findings: [finding(1)] });
      await s.append('t1', { metrics: [], findings: [finding(1), finding(2)] });
      expect((await s.findings('t1', { limit: 10 })).items.map((f) => f.id)).toEqual(['f002', 'f001']);
      await s.close();
    });

    it('one tenant never sees, lists or counts another tenant’s rows', async () => {
      const s = await create();
      await s.append('a', { metrics: [point(1)], findings: [finding(1)] });
      await s.append('b', { metrics: [point(2)], findings: [finding(2)] });
      expect((await s.findings('a', { limit: 10 })).items.map((f) => f.id)).toEqual(['f001']);
      expect((await s.metricPoints('b', { name: 'cpu', limit: 10 })).map((p) => p.value)).toEqual([2]);
      expect((await s.findings('c', { limit: 10 })).items).toEqual([]);
      await s.close();
    });

    it('refuses work once closed', async () => {
      const s = await create();
      expect(s.healthy()).toBe(true);
      await s.close();
      expect(s.healthy()).toBe(false);
      await expect(s.append('t1', { metrics: [point(1)], findings: [] })).rejects.toMatchObject({ code: 'STORE.UNAVAILABLE' });
    });
  });
}
