import { createRequire } from 'node:module';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { mapResource } from './otlp-common.js';
import { decodeMetricsJson, decodeMetricsProtobuf } from './otlp-metrics.js';

const T0 = '1767225600000000000'; // 2026-01-01T00:00:00Z in ns
const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });

function request(metrics: unknown[]) {
  return {
    resourceMetrics: [
      {
        resource: {
          attributes: [
            attr('service.name', 'checkout'),
            attr('k8s.namespace.name', 'shop'),
            attr('k8s.pod.name', 'checkout-7d9f-abcde'),
            attr('host.name', 'node-1'),
          ],
        },
        scopeMetrics: [{ scope: { name: 'test' }, metrics }],
      },
    ],
  };
}

describe('OTLP metrics decoding', () => {
  const body = request([
    {
      name: 'cpu',
      gauge: {
        dataPoints: [
          { timeUnixNano: T0, asDouble: 0.5, attributes: [attr('core', '1')] },
          { timeUnixNano: '1767225660000000000', asInt: '3' },
        ],
      },
    },
    {
      name: 'requests',
      sum: {
        aggregationTemporality: 2,
        isMonotonic: true,
        dataPoints: [{ timeUnixNano: T0, asInt: 42 }],
      },
    },
    {
      name: 'latency',
      histogram: {
        dataPoints: [
          { timeUnixNano: T0, count: '4', sum: 2, bucketCounts: ['1', '3'], explicitBounds: [0.1] },
        ],
      },
    },
  ]);

  it('maps JSON: resource fields, labels, gauge / cumulative sum / histogram mean', () => {
    const r = decodeMetricsJson(Buffer.from(JSON.stringify(body)));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.rejected).toBe(0);
    expect(r.items).toEqual([
      {
        timeMs: 1767225600000,
        name: 'cpu',
        kind: 'gauge',
        value: 0.5,
        labels: '{"core":"1"}',
        resource: {
          service: 'checkout',
          namespace: 'shop',
          pod: 'checkout-7d9f-abcde',
          host: 'node-1',
        },
      },
      {
        timeMs: 1767225660000,
        name: 'cpu',
        kind: 'gauge',
        value: 3,
        labels: '{}',
        resource: {
          service: 'checkout',
          namespace: 'shop',
          pod: 'checkout-7d9f-abcde',
          host: 'node-1',
        },
      },
      {
        timeMs: 1767225600000,
        name: 'requests',
        kind: 'sum',
        value: 42,
        labels: '{}',
        resource: {
          service: 'checkout',
          namespace: 'shop',
          pod: 'checkout-7d9f-abcde',
          host: 'node-1',
        },
        cumulative: true,
      },
      {
        timeMs: 1767225600000,
        name: 'latency',
        kind: 'histogram',
        value: 0.5,
        labels: '{}',
        resource: {
          service: 'checkout',
          namespace: 'shop',
          pod: 'checkout-7d9f-abcde',
          host: 'node-1',
        },
        count: 4,
        sum: 2,
      },
    ]);
  });

  it('decodes protobuf to the same points', () => {
    const require = createRequire(import.meta.url);
    const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
      opentelemetry: {
        proto: {
          collector: {
            metrics: {
              v1: {
                ExportMetricsServiceRequest: {
                  fromObject(o: unknown): unknown;
                  encode(m: unknown): { finish(): Uint8Array };
                };
              };
            };
          };
        };
      };
    };
    const T = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
    const bytes = Buffer.from(T.encode(T.fromObject(body)).finish());
    expect(decodeMetricsProtobuf(bytes)).toEqual(
      decodeMetricsJson(Buffer.from(JSON.stringify(body))),
    );
  });

  it('decodes what the OpenTelemetry JS SDK really sends', async () => {
    class Reader extends MetricReader {
      protected onForceFlush() {
        return Promise.resolve();
      }
      protected onShutdown() {
        return Promise.resolve();
      }
    }
    const reader = new Reader();
    const provider = new MeterProvider({
      resource: resourceFromAttributes({
        'service.name': 'payments',
        'k8s.pod.name': 'payments-1',
      }),
      readers: [reader],
    });
    const meter = provider.getMeter('bifrost-test');
    meter.createCounter('orders').add(5, { region: 'eu' });
    meter.createHistogram('duration_ms').record(120);
    meter.createHistogram('duration_ms').record(80);
    const { resourceMetrics } = await reader.collect();
    const bytes = ProtobufMetricsSerializer.serializeRequest(resourceMetrics)!;
    const r = decodeMetricsProtobuf(Buffer.from(bytes));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(
      r.items.map((p) => [
        p.name,
        p.kind,
        p.value,
        p.labels,
        p.resource.service,
        p.resource.pod,
        p.cumulative ?? false,
      ]),
    ).toEqual([
      ['orders', 'sum', 5, '{"region":"eu"}', 'payments', 'payments-1', true],
      ['duration_ms', 'histogram', 100, '{}', 'payments', 'payments-1', false],
    ]);
    expect(Math.abs(r.items[0]!.timeMs - Date.now())).toBeLessThan(60_000);
    await provider.shutdown();
  });

  it('rejects bad points one by one and says why; refuses bodies that are not requests', () => {
    const r = decodeMetricsJson(
      Buffer.from(
        JSON.stringify(
          request([
            {
              name: 'a',
              gauge: {
                dataPoints: [
                  { asDouble: 1 },
                  { timeUnixNano: T0, asDouble: 'NaN' },
                  { timeUnixNano: T0 },
                  { timeUnixNano: T0, asDouble: 2 },
                ],
              },
            },
            { gauge: { dataPoints: [{ timeUnixNano: T0, asDouble: 1 }] } },
            { name: 'h', histogram: { dataPoints: [{ timeUnixNano: T0, count: '0' }] } },
            { name: 'weird' },
          ]),
        ),
      ),
    );
    expect(r).toMatchObject({ ok: true, rejected: 6 });
    if (r.ok) {
      expect(r.items.map((p) => p.value)).toEqual([2]);
      expect(r.rejectReasons).toContain('a: data point without a valid timeUnixNano');
      expect(r.rejectReasons).toContain('a metric without a name');
    }
    expect(decodeMetricsJson(Buffer.from('{"resourceMetrics": [')).ok).toBe(false);
    expect(decodeMetricsJson(Buffer.from('[1,2]'))).toEqual({
      ok: false,
      message: 'expected a JSON object with "resourceMetrics"',
    });
    expect(decodeMetricsJson(Buffer.from('{"resourceMetrics": 5}'))).toEqual({
      ok: false,
      message: '"resourceMetrics" must be an array',
    });
    const bad = decodeMetricsProtobuf(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.message).toMatch(/^the body is not an OTLP ExportMetricsServiceRequest/);
  });

  it('survives random bytes as protobuf and as JSON', () => {
    let seed = 7;
    for (let i = 0; i < 300; i++) {
      const len = 1 + (i % 97);
      const b = Buffer.alloc(len);
      for (let k = 0; k < len; k++) b[k] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      expect(() => decodeMetricsProtobuf(b)).not.toThrow();
      expect(() => decodeMetricsJson(b)).not.toThrow();
    }
  });
});

describe('resource mapping', () => {
  it('names the service after service.name, else the Kubernetes workload', () => {
    expect(
      mapResource({ 'service.name': 'checkout', 'k8s.pod.name': 'web-5dc8d4f9fd-46997' }).service,
    ).toBe('checkout');
    expect(mapResource({ 'k8s.pod.name': 'ts-basic-service-5dc8d4f9fd-46997' })).toEqual({
      service: 'ts-basic-service',
      pod: 'ts-basic-service-5dc8d4f9fd-46997',
    });
    expect(
      mapResource({
        'service.name': 'unknown_service:node',
        'k8s.deployment.name': 'payments',
        'k8s.pod.name': 'payments-x',
      }).service,
    ).toBe('payments');
    expect(mapResource({ 'host.name': 'vm-1' }).service).toBeUndefined();
  });
});
