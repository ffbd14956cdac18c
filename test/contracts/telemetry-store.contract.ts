import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/domain/finding.js';
import type { MetricPoint } from '../../src/core/domain/metric-point.js';
import type { Span } from '../../src/core/domain/span.js';
import type { StoredLog } from '../../src/core/domain/stored-log.js';
import type { TelemetryStorePort } from '../../src/core/ports/telemetry-store.port.js';
import {
  edgeStatsOf,
  peerCallsOf,
  redOf,
  serviceEdgesOf,
} from '../../src/core/engine/aggregates/spans.js';
import {
  serviceMentionsOf,
  serviceTemplateCountsOf,
} from '../../src/core/engine/aggregates/logs.js';
import { serviceMetricStatsOf } from '../../src/core/engine/aggregates/metrics.js';

/** The one contract every TelemetryStorePort adapter passes (CONVENTIONS.md: shared suites). */
export function runTelemetryStoreContract(
  name: string,
  create: () => Promise<TelemetryStorePort>,
): void {
  const point = (i: number, over: Partial<MetricPoint> = {}): MetricPoint => ({
    timeMs: 1_700_000_000_000 + i * 60_000,
    name: 'cpu',
    kind: 'gauge',
    value: i,
    labels: '{"core":"0"}',
    resource: { service: 'api', pod: 'api-1' },
    ...over,
  });
  const finding = (i: number, over: Partial<Finding> = {}): Finding => ({
    id: `f${String(i).padStart(3, '0')}`,
    kind: 'metric-anomaly',
    timeMs: 1_700_000_000_000 + i * 60_000,
    score: 0.9,
    reason: `value ${i} is high`,
    subject: { metric: 'cpu', labels: '{"core":"0"}', resource: { service: 'api' } },
    detail: 'spike',
    evidence: [{ timeMs: 1_700_000_000_000 + i * 60_000, value: i }],
    ...over,
  });

  const log = (i: number, over: Partial<StoredLog> = {}): StoredLog => ({
    id: `l${String(i).padStart(4, '0')}`,
    timeMs: 1_700_000_000_000 + i * 1000,
    severity: i % 10 === 0 ? 17 : 9,
    severityText: i % 10 === 0 ? 'ERROR' : 'INFO',
    body: i % 10 === 0 ? `payment ${i} failed: Upstream 503` : `served request ${i}`,
    resource: { service: i % 2 === 0 ? 'api' : 'web', pod: 'p-1' },
    attributes: '{"http.method":"GET"}',
    traceId: i === 3 ? 'aa'.repeat(16) : '',
    spanId: i === 3 ? 'bb'.repeat(8) : '',
    templateId: i % 10 === 0 ? 't-fail' : 't-ok',
    template: i % 10 === 0 ? 'payment <*> failed: Upstream <*>' : 'served request <*>',
    params: [String(i)],
    ...over,
  });

  const span = (i: number, over: Partial<Span> = {}): Span => ({
    traceId: i < 3 ? 'a'.repeat(32) : 'b'.repeat(32),
    spanId: String(i).repeat(16).slice(0, 16),
    parentSpanId: i === 0 || i === 3 ? '' : i < 3 ? '0'.repeat(16) : '3'.repeat(16),
    name: i % 2 === 0 ? 'GET /orders' : 'SELECT orders',
    kind: i % 2 === 0 ? 2 : 3,
    startMs: 1_700_000_000_000 + i * 10,
    endMs: 1_700_000_000_000 + i * 10 + 5,
    statusCode: i === 4 ? 2 : 0,
    statusMessage: i === 4 ? 'timeout' : '',
    resource: { service: i % 2 === 0 ? 'api' : 'db', pod: 'p' },
    attributes: '{}',
    ...over,
  });

  describe(`TelemetryStorePort contract: ${name}`, () => {
    it('stores spans; finds a trace, spans by service and operation; lists services with counts', async () => {
      const s = await create();
      await s.append('t1', {
        spans: Array.from({ length: 6 }, (_, i) => span(i)),
        logs: [log(0)],
        metrics: [point(1, { resource: { service: 'db' } })],
      });
      expect(await s.spans('t1', { traceId: 'a'.repeat(32), limit: 10 })).toEqual([
        span(0),
        span(1),
        span(2),
      ]);
      expect(
        (await s.spans('t1', { service: 'api', operation: 'GET /orders', limit: 10 })).map(
          (x) => x.spanId,
        ),
      ).toEqual([span(0).spanId, span(2).spanId, span(4).spanId]);
      expect(
        (await s.spans('t1', { service: 'api', fromMs: span(3).startMs, limit: 10 })).map(
          (x) => x.statusMessage,
        ),
      ).toEqual(['timeout']);
      expect(await s.services('t1')).toEqual([
        { service: 'api', logs: 1, spans: 3, metricPoints: 0 },
        { service: 'db', logs: 0, spans: 3, metricPoints: 1 },
      ]);
      expect(await s.services('t2')).toEqual([]);
      expect(await s.spans('t2', { limit: 10 })).toEqual([]);
      await s.close();
    });

    it('finds spans by duration and status: the slowest first, at least so long, failed ones only', async () => {
      const s = await create();
      const T = 1_700_000_000_000;
      await s.append('t1', {
        spans: Array.from({ length: 6 }, (_, i) =>
          span(i, { startMs: T + i, endMs: T + i + [5, 50, 20, 7, 90, 1][i]! }),
        ),
      });
      expect(
        (await s.spans('t1', { order: 'duration', limit: 3 })).map((x) => x.endMs - x.startMs),
      ).toEqual([90, 50, 20]);
      expect(
        (await s.spans('t1', { minDurationMs: 20, limit: 10 })).map((x) => x.endMs - x.startMs),
      ).toEqual([50, 20, 90]);
      expect(
        (await s.spans('t1', { errorsOnly: true, limit: 10 })).map((x) => x.statusMessage),
      ).toEqual(['timeout']);
      expect(await s.spans('t1', { errorsOnly: true, minDurationMs: 100, limit: 10 })).toEqual([]);
      // by kind: the client spans (odd ones) of the failed one's trace
      expect((await s.spans('t1', { kind: 3, limit: 10 })).map((x) => x.spanId)).toEqual([
        span(1).spanId,
        span(3).spanId,
        span(5).spanId,
      ]);
      expect(
        (await s.spans('t1', { service: 'db', order: 'duration', limit: 10 })).map(
          (x) => x.endMs - x.startMs,
        ),
      ).toEqual([50, 7, 1]);
      await s.close();
    });

    it('counts error records that name another service, as a whole word, per service, template and bucket', async () => {
      const s = await create();
      const T = 1_700_000_000_000;
      const err = (i: number, body: string, over: Partial<StoredLog> = {}) =>
        log(i, {
          severity: 17,
          severityText: 'ERROR',
          body,
          templateId: 't-x',
          template: '<*>',
          ...over,
        });
      await s.append('t1', {
        logs: [
          err(0, 'No instances available for ts-seat-service'),
          err(1, 'No instances available for ts-seat-service'),
          err(2, 'GET http://ts-seat-service:8080/api failed; ts-order-service too'),
          err(70, 'No instances available for ts-seat-service'),
          err(3, 'ts-seat-service-v2 and my-ts-seat-service are other services'),
          err(4, 'ts-seat-service says hello', { severity: 9, severityText: 'INFO' }),
          err(5, 'ts-seat-service failed', { resource: { service: 'ts-seat-service' } }),
          err(6, 'calls to (ts.seat) failed, not to tsXseat'),
          err(7, 'x failed', { resource: {} }),
          err(8, 'nothing about db failed'),
        ],
      });
      const B = Math.floor(T / 60_000) * 60_000;
      const q = { fromMs: T, toMs: T + 120_000, bucketMs: 60_000, minSeverity: 13 };
      expect(
        await s.serviceMentions('t1', {
          ...q,
          names: ['ts-seat-service', 'ts-order-service', 'ts.seat', 'db', 'api'],
        }),
      ).toEqual([
        { service: 'api', templateId: 't-x', named: 'ts-order-service', bucketMs: B, count: 1 },
        { service: 'api', templateId: 't-x', named: 'ts-seat-service', bucketMs: B, count: 2 },
        {
          service: 'api',
          templateId: 't-x',
          named: 'ts-seat-service',
          bucketMs: B + 60_000,
          count: 1,
        },
        { service: 'api', templateId: 't-x', named: 'ts.seat', bucketMs: B, count: 1 },
        { service: 'web', templateId: 't-x', named: 'ts-seat-service', bucketMs: B, count: 1 },
      ]);
      expect(await s.serviceMentions('t1', { ...q, names: [] })).toEqual([]);
      expect(await s.serviceMentions('t2', { ...q, names: ['ts-seat-service'] })).toEqual([]);
      await s.close();
    });

    it('lists metric names with their series and point counts, by service and time', async () => {
      const s = await create();
      await s.append('t1', {
        metrics: [
          point(0),
          point(1),
          point(1, { labels: '{"core":"1"}' }),
          point(2, { name: 'mem', resource: { service: 'web' } }),
        ],
      });
      expect(await s.metricNames('t1', { limit: 10 })).toEqual([
        { name: 'cpu', series: 2, points: 3, firstMs: point(0).timeMs, lastMs: point(1).timeMs },
        { name: 'mem', series: 1, points: 1, firstMs: point(2).timeMs, lastMs: point(2).timeMs },
      ]);
      expect((await s.metricNames('t1', { service: 'web', limit: 10 })).map((m) => m.name)).toEqual(
        ['mem'],
      );
      expect(
        (await s.metricNames('t1', { fromMs: point(1).timeMs, limit: 10 })).map((m) => [
          m.name,
          m.points,
        ]),
      ).toEqual([
        ['cpu', 2],
        ['mem', 1],
      ]);
      expect(await s.metricNames('t1', { limit: 1 })).toHaveLength(1);
      expect(await s.metricNames('t2', { limit: 10 })).toEqual([]);
      await s.close();
    });

    it('aggregates for the insight engine: logs per service, template and bucket; span RED per service and bucket; the service graph', async () => {
      const s = await create();
      const T = 1_700_000_000_000;
      await s.append('t1', {
        logs: Array.from({ length: 40 }, (_, i) => log(i)).concat([
          log(99, { resource: {}, timeMs: T + 1 }),
        ]),
      });
      const counts = await s.serviceTemplateCounts('t1', {
        fromMs: T,
        toMs: T + 30_000,
        bucketMs: 20_000,
      });
      expect(counts).toEqual([
        {
          service: '',
          templateId: 't-ok',
          template: 'served request <*>',
          severity: 9,
          bucketMs: T,
          count: 1,
        },
        {
          service: 'api',
          templateId: 't-fail',
          template: 'payment <*> failed: Upstream <*>',
          severity: 17,
          bucketMs: T,
          count: 2,
        },
        {
          service: 'api',
          templateId: 't-fail',
          template: 'payment <*> failed: Upstream <*>',
          severity: 17,
          bucketMs: T + 20_000,
          count: 1,
        },
        {
          service: 'api',
          templateId: 't-ok',
          template: 'served request <*>',
          severity: 9,
          bucketMs: T,
          count: 8,
        },
        {
          service: 'api',
          templateId: 't-ok',
          template: 'served request <*>',
          severity: 9,
          bucketMs: T + 20_000,
          count: 4,
        },
        {
          service: 'web',
          templateId: 't-ok',
          template: 'served request <*>',
          severity: 9,
          bucketMs: T,
          count: 10,
        },
        {
          service: 'web',
          templateId: 't-ok',
          template: 'served request <*>',
          severity: 9,
          bucketMs: T + 20_000,
          count: 5,
        },
      ]);
      expect(
        await s.serviceTemplateCounts('t2', { fromMs: T, toMs: T + 30_000, bucketMs: 20_000 }),
      ).toEqual([]);
      expect(await s.timeRange('t1')).toEqual({ fromMs: T, toMs: T + 39_000 });
      expect(await s.timeRange('t2')).toBeUndefined();

      // api calls db twice and itself once (not an edge); a web span's parent is missing; 10 api spans of 1..10 ms;
      // api's 10th span failed on its own (in a trace of its own), its 2nd because the db span it
      // called failed (not its own)
      const api = (i: number, over: Partial<Span> = {}) =>
        span(0, {
          traceId: 'c'.repeat(32),
          spanId: `a${String(i).padStart(15, '0')}`,
          startMs: T + i,
          endMs: T + i + i,
          ...over,
        });
      await s.append('t1', {
        spans: [
          ...Array.from({ length: 10 }, (_, i) =>
            api(
              i + 1,
              i === 9
                ? { statusCode: 2, traceId: 'e'.repeat(32) }
                : i === 1
                  ? { statusCode: 2 }
                  : {},
            ),
          ),
          span(1, {
            traceId: 'c'.repeat(32),
            spanId: 'd1'.repeat(8),
            parentSpanId: api(1).spanId,
            resource: { service: 'db' },
            startMs: T + 2,
            endMs: T + 3,
          }),
          span(1, {
            traceId: 'c'.repeat(32),
            spanId: 'd2'.repeat(8),
            parentSpanId: api(2).spanId,
            resource: { service: 'db' },
            startMs: T + 3,
            endMs: T + 4,
            statusCode: 2,
          }),
          span(1, {
            traceId: 'c'.repeat(32),
            spanId: 'a3'.repeat(8),
            parentSpanId: api(3).spanId,
            resource: { service: 'api' },
            startMs: T + 70_000,
            endMs: T + 70_001,
          }),
          span(1, {
            traceId: 'c'.repeat(32),
            spanId: 'e1'.repeat(8),
            parentSpanId: 'ff'.repeat(8),
            resource: { service: 'web' },
            startMs: T + 4,
            endMs: T + 5,
          }),
          // clock skew: the callee's clock runs behind, its span starts before its caller's
          span(1, {
            traceId: 'c'.repeat(32),
            spanId: 'd3'.repeat(8),
            parentSpanId: api(9).spanId,
            resource: { service: 'db' },
            startMs: T + 5,
            endMs: T + 6,
          }),
          // a request of api's whose status is fine, with a failure inside it (api's own work failed)
          span(0, {
            traceId: 'f'.repeat(32),
            spanId: 'a4'.repeat(8),
            parentSpanId: '',
            resource: { service: 'api' },
            startMs: T + 61_000,
            endMs: T + 61_002,
          }),
          span(1, {
            traceId: 'f'.repeat(32),
            spanId: 'a5'.repeat(8),
            parentSpanId: 'a4'.repeat(8),
            resource: { service: 'api' },
            startMs: T + 61_001,
            endMs: T + 61_002,
            statusCode: 2,
          }),
        ],
      });
      const stats = await s.spanStats('t1', { fromMs: T, toMs: T + 120_000, bucketMs: 60_000 });
      const B = Math.floor(T / 60_000) * 60_000; // buckets are aligned to the epoch
      expect(stats).toEqual([
        {
          service: 'api',
          bucketMs: B,
          count: 10,
          errors: 2,
          requests: 10,
          failedRequests: 2,
          ownFailedRequests: 1,
          requestMs: 55,
          p50Ms: 5,
          p90Ms: 9,
        },
        // work done for a request begun in the bucket before (its parent is api's own span: not a
        // request, its 1 ms not in requestMs), and a request that failed inside: a span of api's own below it failed
        {
          service: 'api',
          bucketMs: B + 60_000,
          count: 3,
          errors: 1,
          requests: 1,
          failedRequests: 1,
          ownFailedRequests: 1,
          requestMs: 2,
          p50Ms: 1,
          p90Ms: 2,
        },
        {
          service: 'db',
          bucketMs: B,
          count: 3,
          errors: 1,
          requests: 3,
          failedRequests: 1,
          ownFailedRequests: 1,
          requestMs: 3,
          p50Ms: 1,
          p90Ms: 1,
        },
        // its parent is not in the store: called from outside the traces
        {
          service: 'web',
          bucketMs: B,
          count: 1,
          errors: 0,
          requests: 1,
          failedRequests: 0,
          ownFailedRequests: 0,
          requestMs: 1,
          p50Ms: 1,
          p90Ms: 1,
        },
      ]);
      // hostile parent links: two failed spans that are each other's parent, and one its own, end
      // (a cycle is no request: each has a parent of its own service)
      await s.append('t9', {
        spans: [
          span(0, {
            traceId: 'd'.repeat(32),
            spanId: 'c1'.repeat(8),
            parentSpanId: 'c2'.repeat(8),
            resource: { service: 'api' },
            startMs: T,
            endMs: T + 1,
            statusCode: 2,
          }),
          span(0, {
            traceId: 'd'.repeat(32),
            spanId: 'c2'.repeat(8),
            parentSpanId: 'c1'.repeat(8),
            resource: { service: 'api' },
            startMs: T,
            endMs: T + 1,
            statusCode: 2,
          }),
          span(0, {
            traceId: 'd'.repeat(32),
            spanId: 'c3'.repeat(8),
            parentSpanId: 'c3'.repeat(8),
            resource: { service: 'api' },
            startMs: T,
            endMs: T + 1,
            statusCode: 2,
          }),
        ],
      });
      expect(await s.spanStats('t9', { fromMs: T, toMs: T + 60_000, bucketMs: 60_000 })).toEqual([
        {
          service: 'api',
          bucketMs: B,
          count: 3,
          errors: 3,
          requests: 0,
          failedRequests: 0,
          ownFailedRequests: 0,
          requestMs: 0,
          p50Ms: 1,
          p90Ms: 1,
        },
      ]);
      expect(
        await s.spanStats('t1', { fromMs: T, toMs: T + 120_000, bucketMs: 60_000, service: 'db' }),
      ).toEqual([
        {
          service: 'db',
          bucketMs: B,
          count: 3,
          errors: 1,
          requests: 3,
          failedRequests: 1,
          ownFailedRequests: 1,
          requestMs: 3,
          p50Ms: 1,
          p90Ms: 1,
        },
      ]);
      expect(await s.serviceEdges('t1', { fromMs: T, toMs: T + 120_000 })).toEqual([
        { caller: 'api', callee: 'db', calls: 3, errors: 1, p90Ms: 1 },
      ]);
      // per bucket, with the time spent outside the callee (caller span − callee span: 0, 1 and 8 ms) and in it (1 ms each)
      expect(await s.edgeStats('t1', { fromMs: T, toMs: T + 120_000, bucketMs: 60_000 })).toEqual([
        { caller: 'api', callee: 'db', bucketMs: B, calls: 3, errors: 1, gapP50Ms: 1, calleeMs: 3 },
      ]);
      expect(
        await s.edgeStats('t1', { fromMs: T + 60_000, toMs: T + 120_000, bucketMs: 60_000 }),
      ).toEqual([]);
      // the calls to or from one service: as caller, as callee, or neither
      for (const service of ['api', 'db'])
        expect(
          await s.edgeStats('t1', { fromMs: T, toMs: T + 120_000, bucketMs: 60_000, service }),
        ).toHaveLength(1);
      expect(
        await s.edgeStats('t1', { fromMs: T, toMs: T + 120_000, bucketMs: 60_000, service: 'web' }),
      ).toEqual([]);
      const ops = await s.operationStats('t1', {
        fromMs: T,
        toMs: T + 120_000,
        bucketMs: 60_000,
        service: 'api',
      });
      expect(
        ops.map((o) => [
          o.operation,
          o.bucketMs - B,
          o.count,
          o.errors,
          o.ownFailedRequests,
          o.p90Ms,
        ]),
      ).toEqual([
        ['GET /orders', 0, 10, 2, 1, 9],
        ['GET /orders', 60_000, 1, 0, 1, 2],
        ['SELECT orders', 60_000, 2, 1, 0, 1],
      ]);
      expect(
        (await s.operationStats('t1', { fromMs: T, toMs: T + 120_000, bucketMs: 60_000 })).map(
          (o) => `${o.service} ${o.operation}`,
        ),
      ).toEqual([
        'api GET /orders',
        'api GET /orders',
        'api SELECT orders',
        'db SELECT orders',
        'web SELECT orders',
      ]);
      expect(await s.serviceEdges('t1', { fromMs: T + 60_000, toMs: T + 120_000 })).toEqual([]);
      // the three at once (rca reads them together) are the three asked one by one, in any window
      for (const fromMs of [T, T + 60_000, T - 60_000]) {
        const q = { fromMs, toMs: fromMs + 120_000, bucketMs: 60_000 };
        expect(await s.spanAggregates('t1', q)).toEqual({
          spans: await s.spanStats('t1', q),
          edges: await s.serviceEdges('t1', { fromMs: q.fromMs, toMs: q.toMs }),
          calls: await s.edgeStats('t1', q),
        });
      }
      expect(
        await s.spanAggregates('t2', { fromMs: T, toMs: T + 120_000, bucketMs: 60_000 }),
      ).toEqual({ spans: [], edges: [], calls: [] });
      await s.close();
    });

    it('answers every aggregate as the engine computes it from the same records (differential, random telemetry)', async () => {
      // seeded: the same records on every run; integer times and values, so sums are exact
      let seed = 7;
      const rnd = (n: number) => {
        // mulberry32
        seed = (seed + 0x6d2b79f5) | 0;
        let x = Math.imul(seed ^ (seed >>> 15), seed | 1);
        x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
        return Math.floor((((x ^ (x >>> 14)) >>> 0) / 4_294_967_296) * n);
      };
      const T = 1_700_000_040_000 - (1_700_000_040_000 % 60_000);
      const services = ['api-gw', 'web-ui', 'db-main', 'cart', 'payments', ''];
      const spans: Span[] = [];
      for (let t = 0; t < 80; t++) {
        const traceId = t.toString(16).padStart(32, '0');
        // a trace starts up to 3 min before the window and up to 3 min after its end
        const rootStart = T - 180_000 + rnd(660_000);
        const tree: Span[] = [];
        const size = 1 + rnd(8);
        for (let i = 0; i < size; i++) {
          const parent = i === 0 ? undefined : tree[rnd(tree.length)]!;
          const startMs = parent === undefined ? rootStart : parent.startMs + rnd(5) * 20_000;
          const service = services[rnd(services.length)]!;
          const peer = rnd(4);
          tree.push(
            span(0, {
              traceId,
              spanId: `${t.toString(16).padStart(8, '0')}${i.toString(16).padStart(8, '0')}`,
              // an orphan now and then: its parent was never stored
              parentSpanId:
                parent === undefined ? (rnd(10) === 0 ? 'ffffffffffffffff' : '') : parent.spanId,
              name: `op${rnd(3)}`,
              kind: rnd(2) === 0 ? 2 : 3,
              startMs,
              endMs: startMs + 1 + rnd(400),
              statusCode: rnd(8) === 0 ? 2 : 0,
              statusMessage: '',
              resource: service === '' ? { pod: 'p' } : { service, pod: 'p' },
              attributes:
                peer === 0
                  ? '{"peer.service":"Payments"}'
                  : peer === 1
                    ? '{"http.url":"http://db.shop:5432/q"}'
                    : '{}',
            }),
          );
        }
        spans.push(...tree);
      }
      const logs: StoredLog[] = Array.from({ length: 400 }, (_, i) => {
        const service = services[rnd(services.length)]!;
        const named = ['web-ui', 'db-main', 'web-ui-v2', 'cart'][rnd(4)]!;
        const template = rnd(5);
        return log(i, {
          id: `r${String(i).padStart(4, '0')}`,
          timeMs: T - 90_000 + rnd(480_000),
          severity: [9, 13, 17, 21][rnd(4)]!,
          body: `step ${template} calling ${named}: ${rnd(2) === 0 ? 'failed' : 'ok'}`,
          resource: service === '' ? { pod: 'p' } : { service, pod: 'p' },
          templateId: `t${template}`,
          template: `step ${template} calling <*>: <*>`,
        });
      });
      const metrics: MetricPoint[] = Array.from({ length: 300 }, (_, i) => {
        const service = services[rnd(services.length)]!;
        return point(0, {
          timeMs: T - 60_000 + rnd(420_000),
          name: ['cpu', 'mem'][rnd(2)]!,
          value: rnd(1000),
          labels: `{"pod":"p${rnd(3)}"}`,
          resource: service === '' ? {} : { service },
          ...(rnd(5) === 0 ? { cumulative: true } : {}),
          ...(i % 2 === 0 ? {} : { kind: 'gauge' as const }),
        });
      });
      const s = await create();
      await s.append('t1', { spans, logs, metrics });
      await s.append('t2', { spans: spans.slice(0, 5), logs: logs.slice(0, 5) });
      for (const [fromMs, toMs] of [
        [T, T + 300_000],
        [T - 120_000, T + 120_000],
        [T + 60_000, T + 180_000],
      ] as const) {
        const q = { fromMs, toMs, bucketMs: 60_000 };
        expect(await s.spanStats('t1', q)).toEqual(
          redOf(spans, q, () => '').map(({ operation, ...r }) => r),
        );
        expect(await s.operationStats('t1', q)).toEqual(redOf(spans, q, (sp) => sp.name));
        expect(await s.operationStats('t1', { ...q, service: 'web-ui' })).toEqual(
          redOf(spans, { ...q, service: 'web-ui' }, (sp) => sp.name),
        );
        expect(await s.serviceEdges('t1', { fromMs, toMs })).toEqual(serviceEdgesOf(spans, q));
        expect(await s.edgeStats('t1', q)).toEqual(edgeStatsOf(spans, q));
        expect(await s.edgeStats('t1', { ...q, service: 'db-main' })).toEqual(
          edgeStatsOf(spans, { ...q, service: 'db-main' }),
        );
        expect(await s.spanAggregates('t1', q)).toEqual({
          spans: redOf(spans, q, () => '').map(({ operation, ...r }) => r),
          edges: serviceEdgesOf(spans, q),
          calls: edgeStatsOf(spans, q),
        });
        expect(await s.peerCalls('t1', q)).toEqual(peerCallsOf(spans, q));
        expect(await s.serviceTemplateCounts('t1', q)).toEqual(serviceTemplateCountsOf(logs, q));
        const mq = {
          ...q,
          names: ['web-ui', 'db-main', 'cart', 'payments', 'api'],
          minSeverity: 13,
        };
        expect(await s.serviceMentions('t1', mq)).toEqual(serviceMentionsOf(logs, mq));
        expect(await s.serviceMetricStats('t1', q)).toEqual(serviceMetricStatsOf(metrics, q));
      }
      // enough happened in the window for the comparison to mean something
      const q = { fromMs: T, toMs: T + 300_000, bucketMs: 60_000 };
      const red = redOf(spans, q, () => '');
      expect(red.reduce((a, r) => a + r.failedRequests, 0)).toBeGreaterThan(3);
      expect(red.reduce((a, r) => a + r.ownFailedRequests, 0)).toBeGreaterThan(1);
      expect(red.reduce((a, r) => a + r.requests, 0)).toBeLessThan(
        red.reduce((a, r) => a + r.count, 0),
      );
      expect(edgeStatsOf(spans, q).length).toBeGreaterThan(10);
      expect(peerCallsOf(spans, q).some((r) => r.callee !== '')).toBe(true);
      expect(
        serviceMentionsOf(logs, { ...q, names: ['web-ui'], minSeverity: 13 }).length,
      ).toBeGreaterThan(3);
      await s.close();
    });

    it("counts CLIENT spans by the peer they name and the service that answered them; others, and other tenants' spans, not", async () => {
      const s = await create();
      const T = 1_700_000_040_000;
      const B = Math.floor(T / 60_000) * 60_000;
      const client = (
        i: number,
        attributes: Record<string, unknown>,
        over: Partial<Span> = {},
      ): Span => ({
        traceId: 'e'.repeat(32),
        spanId: `c${String(i).padStart(15, '0')}`,
        parentSpanId: '',
        name: 'call',
        kind: 3,
        startMs: T + i,
        endMs: T + i + 2,
        statusCode: 0,
        statusMessage: '',
        resource: { service: 'api' },
        attributes: JSON.stringify(attributes),
        ...over,
      });
      const answer = (of: Span, service: string): Span => ({
        ...of,
        spanId: `s${of.spanId.slice(1)}`,
        parentSpanId: of.spanId,
        kind: 2,
        resource: { service },
        attributes: '{}',
      });
      const calls = [
        client(1, { 'peer.service': 'Payments' }),
        client(2, { 'peer.service': 'payments' }, { statusCode: 2, endMs: T + 12 }),
        client(3, { 'server.address': 'payments.shop.svc.cluster.local', 'peer.service': '' }),
        client(4, { 'url.full': 'https://user:pw@Stock.shop.svc:8443/v1/items?q=1' }),
        client(5, { 'http.url': 'http://10.0.0.7/x' }, { startMs: T + 60_001, endMs: T + 60_002 }),
        // named nothing, not a client span, malformed attributes: not counted
        client(6, { 'db.system': 'postgres' }),
        client(7, { 'peer.service': 'payments' }, { kind: 2 }),
        { ...client(8, {}), attributes: '{not json' },
      ];
      await s.append('t1', {
        spans: [
          ...calls,
          answer(calls[0]!, 'payments'),
          answer(calls[3]!, 'stock'),
          answer(calls[6]!, 'payments'),
        ],
      });
      await s.append('t2', { spans: [client(1, { 'peer.service': 'payments' })] });
      expect(await s.peerCalls('t1', { fromMs: T, toMs: T + 120_000, bucketMs: 60_000 })).toEqual([
        {
          caller: 'api',
          peer: '10.0.0.7',
          callee: '',
          bucketMs: B + 60_000,
          calls: 1,
          errors: 0,
          p90Ms: 1,
          callMs: 1,
        },
        {
          caller: 'api',
          peer: 'payments',
          callee: '',
          bucketMs: B,
          calls: 1,
          errors: 1,
          p90Ms: 10,
          callMs: 10,
        },
        {
          caller: 'api',
          peer: 'payments',
          callee: 'payments',
          bucketMs: B,
          calls: 1,
          errors: 0,
          p90Ms: 2,
          callMs: 2,
        },
        {
          caller: 'api',
          peer: 'payments.shop.svc.cluster.local',
          callee: '',
          bucketMs: B,
          calls: 1,
          errors: 0,
          p90Ms: 2,
          callMs: 2,
        },
        {
          caller: 'api',
          peer: 'stock.shop.svc',
          callee: 'stock',
          bucketMs: B,
          calls: 1,
          errors: 0,
          p90Ms: 2,
          callMs: 2,
        },
      ]);
      expect(
        await s.peerCalls('t1', { fromMs: T + 60_000, toMs: T + 120_000, bucketMs: 60_000 }),
      ).toHaveLength(1);
      // the calls to one peer, as peerCalls names it (the longest first): the exemplars of a dependency without spans
      expect(
        (await s.spans('t1', { peer: 'payments', order: 'duration', limit: 10 })).map(
          (x) => x.spanId,
        ),
      ).toEqual([calls[1]!.spanId, calls[0]!.spanId]);
      expect(
        (await s.spans('t1', { peer: 'stock.shop.svc', limit: 10 })).map((x) => x.spanId),
      ).toEqual([calls[3]!.spanId]);
      expect(await s.spans('t1', { peer: 'postgres', limit: 10 })).toEqual([]);
      expect(await s.peerCalls('t3', { fromMs: T, toMs: T + 120_000, bucketMs: 60_000 })).toEqual(
        [],
      );
      await s.close();
    });

    it('stores logs and finds them by time, service, severity, template and text, newest first in pages', async () => {
      const s = await create();
      const logs = Array.from({ length: 40 }, (_, i) => log(i));
      await s.append('t1', { logs });
      const all = await s.findings('t1', { limit: 1 });
      expect(all.items).toEqual([]);
      const p1 = await s.logs('t1', { limit: 15 });
      expect(p1.items[0]).toEqual(log(39));
      const p2 = await s.logs('t1', { limit: 15, cursor: p1.next! });
      const p3 = await s.logs('t1', { limit: 15, cursor: p2.next! });
      expect([...p1.items, ...p2.items, ...p3.items].map((l) => l.id)).toEqual(
        logs.map((l) => l.id).reverse(),
      );
      expect(p3.next).toBeUndefined();
      expect((await s.logs('t1', { limit: 100, minSeverity: 17 })).items.map((l) => l.id)).toEqual([
        'l0030',
        'l0020',
        'l0010',
        'l0000',
      ]);
      expect(
        (await s.logs('t1', { limit: 100, service: 'web', fromMs: log(30).timeMs })).items,
      ).toHaveLength(5);
      expect(
        (await s.logs('t1', { limit: 100, templateId: 't-fail', toMs: log(20).timeMs })).items.map(
          (l) => l.id,
        ),
      ).toEqual(['l0010', 'l0000']);
      expect((await s.logs('t1', { limit: 100, text: 'UPSTREAM 50' })).items).toHaveLength(4);
      expect((await s.logs('t1', { limit: 100, text: '%' })).items).toHaveLength(0);
      expect((await s.logs('t2', { limit: 100 })).items).toHaveLength(0);
      await s.close();
    });

    it('counts logs per template and time bucket, with how many of them are ERROR or worse', async () => {
      const s = await create();
      await s.append('t1', { logs: Array.from({ length: 40 }, (_, i) => log(i)) });
      const counts = await s.templateCounts('t1', { bucketMs: 20_000, limit: 100 });
      const base = Math.floor(log(0).timeMs / 20_000) * 20_000;
      expect(counts.filter((c) => c.templateId === 't-fail')).toEqual([
        {
          templateId: 't-fail',
          template: 'payment <*> failed: Upstream <*>',
          bucketMs: base,
          count: 2,
          errors: 2,
        },
        {
          templateId: 't-fail',
          template: 'payment <*> failed: Upstream <*>',
          bucketMs: base + 20_000,
          count: 2,
          errors: 2,
        },
      ]);
      expect(counts.filter((c) => c.templateId === 't-ok').every((c) => c.errors === 0)).toBe(true);
      expect(counts.reduce((a, c) => a + c.count, 0)).toBe(40);
      expect(counts[0]!.templateId).toBe('t-ok');
      await s.close();
    });

    it('stores metric points and reads them back by name and time, in time order, every field intact', async () => {
      const s = await create();
      await s.append('t1', {
        metrics: [
          point(2, { kind: 'sum', cumulative: true }),
          point(1, { kind: 'histogram', count: 4, sum: 10, resource: {} }),
          point(3, { name: 'mem' }),
        ],
        findings: [],
      });
      const got = await s.metricPoints('t1', { name: 'cpu', limit: 10 });
      expect(got).toEqual([
        point(1, { kind: 'histogram', count: 4, sum: 10, resource: {} }),
        point(2, { kind: 'sum', cumulative: true }),
      ]);
      expect(
        await s.metricPoints('t1', { name: 'cpu', fromMs: point(2).timeMs, limit: 10 }),
      ).toEqual([point(2, { kind: 'sum', cumulative: true })]);
      await s.close();
    });

    it('aggregates a metric per series and time step (avg, min, max, sum, count), filtered by service and labels', async () => {
      const s = await create();
      const pts = [0, 1, 2, 3, 4, 5].flatMap((i) => [
        point(i, { value: i }),
        point(i, { value: 10 * i, labels: '{"core":"1"}' }),
        point(i, { value: 100, resource: { service: 'web' } }),
      ]);
      await s.append('t1', { metrics: pts });
      const day = 86_400_000;
      const b0 = Math.floor(point(0).timeMs / day) * day; // all six points fall in this day
      const avg = await s.metricSeries('t1', {
        name: 'cpu',
        stepMs: day,
        agg: 'avg',
        service: 'api',
        limit: 10,
      });
      expect(avg).toEqual([
        {
          labels: '{"core":"0"}',
          resource: { service: 'api', pod: 'api-1' },
          points: [{ bucketMs: b0, value: 2.5, count: 6 }],
        },
        {
          labels: '{"core":"1"}',
          resource: { service: 'api', pod: 'api-1' },
          points: [{ bucketMs: b0, value: 25, count: 6 }],
        },
      ]);
      const perMinute = await s.metricSeries('t1', {
        name: 'cpu',
        stepMs: 60_000,
        agg: 'sum',
        labels: { core: '0' },
        service: 'api',
        limit: 10,
      });
      expect(perMinute.map((x) => x.points.map((p) => [p.bucketMs, p.value]))).toEqual([
        [0, 1, 2, 3, 4, 5].map((i) => [Math.floor(point(i).timeMs / 60_000) * 60_000, i]),
      ]);
      expect(
        await s.metricSeries('t1', {
          name: 'cpu',
          stepMs: 60_000,
          agg: 'sum',
          labels: { core: '0' },
          limit: 10,
        }),
      ).toHaveLength(2);
      const step = day;
      const max = await s.metricSeries('t1', {
        name: 'cpu',
        stepMs: step,
        agg: 'max',
        labels: { core: '1' },
        limit: 10,
      });
      expect(max.map((x) => x.points.map((p) => p.value))).toEqual([[50]]);
      const count = await s.metricSeries('t1', {
        name: 'cpu',
        stepMs: 3_600_000,
        agg: 'count',
        service: 'web',
        limit: 10,
      });
      expect(count.map((x) => x.points.reduce((a, p) => a + p.value, 0))).toEqual([6]);
      expect(
        await s.metricSeries('t2', { name: 'cpu', stepMs: step, agg: 'sum', limit: 10 }),
      ).toEqual([]);
      await s.close();
    });

    it("gives each service's metrics per bucket as means over its pods and series, without cumulative counters, points without a service or other tenants'", async () => {
      const s = await create();
      const T = 1_700_000_040_000;
      const B = Math.floor(T / 60_000) * 60_000;
      await s.append('t1', {
        metrics: [
          point(0, { timeMs: T, value: 2, resource: { service: 'api', pod: 'api-1' } }),
          point(0, { timeMs: T + 1000, value: 4, resource: { service: 'api', pod: 'api-2' } }),
          point(0, { timeMs: T + 60_000, value: 9, labels: '{"core":"1"}' }),
          point(0, { timeMs: T, name: 'requests', kind: 'sum', value: 1000, cumulative: true }),
          point(0, {
            timeMs: T,
            name: 'latency',
            kind: 'histogram',
            value: 0.25,
            count: 4,
            sum: 1,
          }),
          point(0, { timeMs: T, value: 7, resource: { pod: 'lonely' } }),
          point(0, { timeMs: T + 120_000, value: 1 }),
        ],
      });
      await s.append('t2', { metrics: [point(0, { timeMs: T, value: 100 })] });
      expect(
        await s.serviceMetricStats('t1', { fromMs: B, toMs: B + 120_000, bucketMs: 60_000 }),
      ).toEqual([
        { service: 'api', name: 'cpu', bucketMs: B, value: 3, points: 2 },
        { service: 'api', name: 'cpu', bucketMs: B + 60_000, value: 9, points: 1 },
        { service: 'api', name: 'latency', bucketMs: B, value: 0.25, points: 1 },
      ]);
      expect(
        await s.serviceMetricStats('t3', { fromMs: B, toMs: B + 120_000, bucketMs: 60_000 }),
      ).toEqual([]);
      await s.close();
    });

    it('pages findings newest first with a cursor, filters by time and kind', async () => {
      const s = await create();
      await s.append('t1', {
        metrics: [],
        findings: Array.from({ length: 25 }, (_, i) => finding(i)),
      });
      const p1 = await s.findings('t1', { limit: 10 });
      expect(p1.items.map((f) => f.id)).toEqual(
        Array.from({ length: 10 }, (_, i) => `f${String(24 - i).padStart(3, '0')}`),
      );
      expect(p1.items[0]).toEqual(finding(24));
      const p2 = await s.findings('t1', { limit: 10, cursor: p1.next! });
      const p3 = await s.findings('t1', { limit: 10, cursor: p2.next! });
      expect([...p1.items, ...p2.items, ...p3.items].map((f) => f.id)).toHaveLength(25);
      expect(p3.next).toBeUndefined();
      const window = await s.findings('t1', {
        limit: 100,
        fromMs: finding(5).timeMs,
        toMs: finding(8).timeMs,
      });
      expect(window.items.map((f) => f.id)).toEqual(['f007', 'f006', 'f005']);
      await expect(s.findings('t1', { limit: 5, cursor: 'garbage' })).rejects.toMatchObject({
        code: 'INPUT.BAD_OPTION',
      });
      await s.close();
    });

    it("appendMany writes several tenants' batches at once, each to its tenant", async () => {
      const s = await create();
      await s.appendMany([
        { tenant: 'a', batch: { metrics: [point(1)] } },
        { tenant: 'b', batch: { logs: [log(1)], findings: [finding(1)] } },
        { tenant: 'a', batch: { metrics: [point(2)] } },
      ]);
      expect((await s.metricPoints('a', { name: 'cpu', limit: 10 })).map((p) => p.value)).toEqual([
        1, 2,
      ]);
      expect((await s.logs('b', { limit: 10 })).items).toHaveLength(1);
      expect((await s.findings('a', { limit: 10 })).items).toHaveLength(0);
      expect((await s.findings('b', { limit: 10 })).items).toHaveLength(1);
      await s.appendMany([]);
      await s.close();
    });

    it("a span sent again (a retry, overlapping exports) is stored once, within a batch, across batches and in one appendMany; another tenant's is its own", async () => {
      const s = await create();
      // each write says how many it left out
      expect(await s.append('t1', { spans: [span(0), span(1), span(1)] })).toEqual({
        repeatedSpans: 1,
      });
      expect(await s.append('t1', { spans: [span(1), span(2), span(0)] })).toEqual({
        repeatedSpans: 2,
      });
      expect(
        await s.appendMany([
          { tenant: 't1', batch: { spans: [span(3)] } },
          { tenant: 't1', batch: { spans: [span(3), span(4)] } },
          { tenant: 't2', batch: { spans: [span(0)] } },
        ]),
      ).toEqual({ repeatedSpans: 1 });
      expect(await s.append('t1', { logs: [] })).toEqual({ repeatedSpans: 0 });
      expect((await s.spans('t1', { limit: 10 })).map((x) => x.spanId)).toEqual(
        [0, 1, 2, 3, 4].map((i) => span(i).spanId),
      );
      expect(await s.spans('t2', { limit: 10 })).toEqual([span(0)]);
      // the RED of the duplicated trace counts each request once
      const stats = await s.spanStats('t1', {
        fromMs: span(0).startMs,
        toMs: span(0).startMs + 60_000,
        bucketMs: 60_000,
      });
      expect(stats.map((r) => [r.service, r.count, r.requests])).toEqual([
        ['api', 3, 2],
        ['db', 2, 2],
      ]);
      // copies found however far apart the spans of a batch lie in time
      const day = 24 * 3_600_000;
      expect(
        await s.append('t3', {
          spans: [
            span(0),
            span(1, { startMs: span(1).startMs + day }),
            span(2, { startMs: span(2).startMs - 40 * day }),
          ],
        }),
      ).toEqual({ repeatedSpans: 0 });
      expect(
        await s.append('t3', {
          spans: [
            span(2, { startMs: span(2).startMs - 40 * day }),
            span(1, { startMs: span(1).startMs + day }),
            span(0),
            span(3),
          ],
        }),
      ).toEqual({ repeatedSpans: 3 });
      // the same ids with another start are another span (not a copy of this one)
      await s.append('t1', { spans: [span(0, { startMs: span(0).startMs + 1 })] });
      expect(await s.spans('t1', { traceId: 'a'.repeat(32), limit: 10 })).toHaveLength(4);
      await s.close();
    });

    it('a write with a key already written is left out whole (a message delivered again after a crash); keys outlive nothing retention removes', async () => {
      const s = await create();
      const batch = {
        logs: [log(1), log(2)],
        metrics: [point(1)],
        findings: [finding(1)],
        spans: [span(0)],
      };
      expect(await s.appendMany([{ tenant: 't1', batch, key: 'bus:7' }])).toEqual({
        repeatedSpans: 0,
      });
      // the same message again, from another worker that took the partition over, beside a new one
      expect(
        await s.appendMany([
          { tenant: 't1', batch, key: 'bus:7' },
          { tenant: 't2', batch: { logs: [log(5)] }, key: 'bus:9' },
          { tenant: 't2', batch: { logs: [log(5)] }, key: 'bus:9' },
        ]),
      ).toEqual({ repeatedSpans: 0, alreadyWritten: 2 });
      expect((await s.logs('t2', { limit: 10 })).items).toHaveLength(1);
      expect((await s.logs('t1', { limit: 10 })).items).toHaveLength(2);
      expect(await s.metricPoints('t1', { name: 'cpu', limit: 10 })).toHaveLength(1);
      // another key is another write (its span is a copy, as without a key)
      expect(await s.appendMany([{ tenant: 't1', batch, key: 'bus:8' }])).toEqual({
        repeatedSpans: 1,
      });
      expect((await s.logs('t1', { limit: 10 })).items).toHaveLength(4);
      // without a key nothing is remembered
      await s.appendMany([{ tenant: 't1', batch: { logs: [log(3)] } }]);
      await s.appendMany([{ tenant: 't1', batch: { logs: [log(3)] } }]);
      expect((await s.logs('t1', { limit: 10 })).items).toHaveLength(6);
      await s.close();
    });

    it('the same finding appended twice is stored once', async () => {
      const s = await create();
      await s.append('t1', { metrics: [], findings: [finding(1)] });
      await s.append('t1', { metrics: [], findings: [finding(1), finding(2)] });
      expect((await s.findings('t1', { limit: 10 })).items.map((f) => f.id)).toEqual([
        'f002',
        'f001',
      ]);
      await s.close();
    });

    it('one tenant never sees, lists or counts another tenant’s rows', async () => {
      const s = await create();
      await s.append('a', { metrics: [point(1)], findings: [finding(1)] });
      await s.append('b', { metrics: [point(2)], findings: [finding(2)] });
      expect((await s.findings('a', { limit: 10 })).items.map((f) => f.id)).toEqual(['f001']);
      expect((await s.metricPoints('b', { name: 'cpu', limit: 10 })).map((p) => p.value)).toEqual([
        2,
      ]);
      expect((await s.findings('c', { limit: 10 })).items).toEqual([]);
      await s.close();
    });

    it('retention deletes every kind of record older than the cutoff, in every tenant', async () => {
      const s = await create();
      await s.append('t1', {
        metrics: [point(1), point(5)],
        logs: [log(0), log(600)],
        spans: [span(0)],
        findings: [finding(1), finding(9)],
      });
      await s.append('t2', { metrics: [point(2)] });
      const cutoff = point(3).timeMs;
      expect(await s.deleteBefore(cutoff)).toEqual({ metrics: 2, logs: 1, spans: 1, findings: 1 });
      expect((await s.metricPoints('t1', { name: 'cpu', limit: 10 })).map((p) => p.value)).toEqual([
        5,
      ]);
      expect((await s.logs('t1', { limit: 10 })).items.map((l) => l.id)).toEqual(['l0600']);
      expect((await s.findings('t1', { limit: 10 })).items.map((f) => f.id)).toEqual(['f009']);
      expect(await s.spans('t1', { limit: 10 })).toEqual([]);
      expect(await s.deleteBefore(cutoff)).toEqual({ metrics: 0, logs: 0, spans: 0, findings: 0 });
      await s.close();
    });

    it('refuses work once closed', async () => {
      const s = await create();
      expect(s.healthy()).toBe(true);
      await s.close();
      expect(s.healthy()).toBe(false);
      await expect(s.append('t1', { metrics: [point(1)], findings: [] })).rejects.toMatchObject({
        code: 'STORE.UNAVAILABLE',
      });
    });
  });
}
