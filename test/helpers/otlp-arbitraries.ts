import fc from 'fast-check';
import { protoType } from '../../src/adapters/otlp/otlp-common.js';

/**
 * fast-check arbitraries for OTLP requests (logs, metrics, traces) with hostile values in every
 * field, and well-formed protobuf requests to mutate: what the decoder and route fuzz tests share.
 */

/** Hostile scalars: what a field might hold when a client is broken or malicious. */
const HEX_DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'];

export const hostile = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    3_000_000_000,
    -3_000_000_000,
    Number.MAX_SAFE_INTEGER,
    1e308,
    -1e308,
    '99999999999999999999999999',
    '-1',
    '',
    'NaN',
    'Infinity',
    '0x1F',
    null,
    true,
    '\u0000',
    '\uD800',
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 2000, maxLength: 5000 }),
  fc.array(fc.integer(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** An AnyValue, well formed or not, nested a few levels. */
const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.record({ stringValue: fc.oneof(fc.string(), hostile) }),
    fc.record({ intValue: hostile }),
    fc.record({ doubleValue: hostile }),
    fc.record({ boolValue: hostile }),
    fc.record({ arrayValue: fc.record({ values: fc.array(tie('value'), { maxLength: 3 }) }) }),
    fc.record({
      kvlistValue: fc.record({
        values: fc.array(fc.record({ key: fc.oneof(fc.string(), hostile), value: tie('value') }), {
          maxLength: 3,
        }),
      }),
    }),
    hostile,
  ),
})).value;

const attributes = fc.oneof(
  fc.array(fc.record({ key: fc.oneof(fc.string({ maxLength: 20 }), hostile), value: anyValue }), {
    maxLength: 4,
  }),
  hostile,
);
const hex = (bytes: number) =>
  fc.oneof(
    fc.string({
      minLength: bytes * 2,
      maxLength: bytes * 2,
      unit: fc.constantFrom(...HEX_DIGITS),
    }),
    hostile,
  );
const nanos = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
  fc.constant('1767225600000000000'),
  hostile,
);
const resource = fc.record({ attributes }, { requiredKeys: [] });

const logRecord = fc.record(
  {
    timeUnixNano: nanos,
    observedTimeUnixNano: nanos,
    severityNumber: hostile,
    severityText: fc.oneof(fc.constantFrom('ERROR', 'INFO'), hostile),
    body: anyValue,
    attributes,
    traceId: hex(16),
    spanId: hex(8),
    flags: hostile,
  },
  { requiredKeys: [] },
);
const span = fc.record(
  {
    traceId: hex(16),
    spanId: hex(8),
    parentSpanId: hex(8),
    name: fc.oneof(fc.string(), hostile),
    kind: hostile,
    startTimeUnixNano: nanos,
    endTimeUnixNano: nanos,
    attributes,
    status: fc.oneof(
      fc.record({ code: hostile, message: fc.oneof(fc.string(), hostile) }),
      hostile,
    ),
  },
  { requiredKeys: [] },
);
const dataPoint = fc.record(
  {
    timeUnixNano: nanos,
    startTimeUnixNano: nanos,
    asDouble: hostile,
    asInt: hostile,
    count: hostile,
    sum: hostile,
    bucketCounts: fc.oneof(fc.array(hostile, { maxLength: 4 }), hostile),
    explicitBounds: fc.oneof(fc.array(hostile, { maxLength: 4 }), hostile),
    attributes,
  },
  { requiredKeys: [] },
);
const metric = fc.record(
  {
    name: fc.oneof(fc.string(), hostile),
    unit: fc.oneof(fc.string(), hostile),
    gauge: fc.oneof(fc.record({ dataPoints: fc.array(dataPoint, { maxLength: 3 }) }), hostile),
    sum: fc.oneof(
      fc.record({
        dataPoints: fc.array(dataPoint, { maxLength: 3 }),
        aggregationTemporality: hostile,
        isMonotonic: hostile,
      }),
      hostile,
    ),
    histogram: fc.oneof(fc.record({ dataPoints: fc.array(dataPoint, { maxLength: 3 }) }), hostile),
  },
  { requiredKeys: [] },
);

export const requests: Record<string, fc.Arbitrary<unknown>> = {
  logs: fc.record({
    resourceLogs: fc.oneof(
      fc.array(
        fc.record({
          resource,
          scopeLogs: fc.oneof(
            fc.array(
              fc.record({ logRecords: fc.oneof(fc.array(logRecord, { maxLength: 4 }), hostile) }),
              {
                maxLength: 2,
              },
            ),
            hostile,
          ),
        }),
        { maxLength: 2 },
      ),
      hostile,
    ),
  }),
  metrics: fc.record({
    resourceMetrics: fc.oneof(
      fc.array(
        fc.record({
          resource,
          scopeMetrics: fc.oneof(
            fc.array(
              fc.record({ metrics: fc.oneof(fc.array(metric, { maxLength: 3 }), hostile) }),
              {
                maxLength: 2,
              },
            ),
            hostile,
          ),
        }),
        { maxLength: 2 },
      ),
      hostile,
    ),
  }),
  traces: fc.record({
    resourceSpans: fc.oneof(
      fc.array(
        fc.record({
          resource,
          scopeSpans: fc.oneof(
            fc.array(fc.record({ spans: fc.oneof(fc.array(span, { maxLength: 4 }), hostile) }), {
              maxLength: 2,
            }),
            hostile,
          ),
        }),
        { maxLength: 2 },
      ),
      hostile,
    ),
  }),
};

/** Well-formed protobuf of the signal (what the SDKs send), to mutate. */
export function validProtobuf(signal: string): Uint8Array {
  const now = '1767225600000000000';
  const attrs = [{ key: 'service.name', value: { stringValue: 'api' } }];
  const [pkg, message, obj] =
    signal === 'logs'
      ? ([
          'logs',
          'ExportLogsServiceRequest',
          {
            resourceLogs: [
              {
                resource: { attributes: attrs },
                scopeLogs: [
                  { logRecords: [{ timeUnixNano: now, body: { stringValue: 'hello 42' } }] },
                ],
              },
            ],
          },
        ] as const)
      : signal === 'metrics'
        ? ([
            'metrics',
            'ExportMetricsServiceRequest',
            {
              resourceMetrics: [
                {
                  resource: { attributes: attrs },
                  scopeMetrics: [
                    {
                      metrics: [
                        {
                          name: 'cpu',
                          gauge: { dataPoints: [{ timeUnixNano: now, asDouble: 1.5 }] },
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          ] as const)
        : ([
            'trace',
            'ExportTraceServiceRequest',
            {
              resourceSpans: [
                {
                  resource: { attributes: attrs },
                  scopeSpans: [
                    {
                      spans: [
                        {
                          traceId: Buffer.alloc(16, 1),
                          spanId: Buffer.alloc(8, 2),
                          name: 'GET /',
                          kind: 2,
                          startTimeUnixNano: now,
                          endTimeUnixNano: '1767225600005000000',
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          ] as const);
  const T = protoType(pkg, message);
  return T.encode(T.fromObject(obj)).finish();
}
