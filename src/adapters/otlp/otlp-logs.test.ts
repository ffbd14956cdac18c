import { SeverityNumber } from '@opentelemetry/api-logs';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { decodeLogsJson, decodeLogsProtobuf } from './otlp-logs.js';

const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
const T0 = '1767225600000000000';

describe('OTLP logs decoding', () => {
  it('maps JSON records: time (observed time as fallback), severity (number or text), body (any type; none kept as empty), ids, resource', () => {
    const body = {
      resourceLogs: [
        {
          resource: {
            attributes: [
              attr('service.name', 'payments'),
              attr('k8s.pod.name', 'payments-7f9c-x2'),
            ],
          },
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: T0,
                  severityNumber: 17,
                  severityText: 'ERROR',
                  body: { stringValue: 'charge ch_1 failed' },
                  attributes: [attr('order', 'o-1')],
                  traceId: '5B8EFFF798038103D269B633813FC60C',
                  spanId: 'EEE19B7EC3C1B174',
                },
                {
                  timeUnixNano: '0',
                  observedTimeUnixNano: T0,
                  severityText: 'warn',
                  body: { intValue: '42' },
                },
                { timeUnixNano: T0, body: { kvlistValue: { values: [attr('a', 'b')] } } },
                { body: { stringValue: 'no time' } },
                { timeUnixNano: T0 },
              ],
            },
          ],
        },
      ],
    };
    const r = decodeLogsJson(Buffer.from(JSON.stringify(body)));
    expect(r).toMatchObject({ ok: true, rejected: 1 });
    if (!r.ok) return;
    expect(r.items[0]).toEqual({
      timeMs: 1767225600000,
      severity: 17,
      severityText: 'ERROR',
      body: 'charge ch_1 failed',
      resource: { service: 'payments', pod: 'payments-7f9c-x2' },
      attributes: '{"order":"o-1"}',
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
    });
    expect(r.items[1]).toMatchObject({
      timeMs: 1767225600000,
      severity: 13,
      body: '42',
      traceId: '',
      spanId: '',
    });
    expect(r.items[2]!.body).toBe('{"values":[{"key":"a","value":{"stringValue":"b"}}]}');
    expect(r.rejectReasons).toEqual(['log record without timeUnixNano or observedTimeUnixNano']);
    expect(r.items[3]).toMatchObject({ body: '', severity: 0 });
  });

  it('decodes what the OpenTelemetry JS SDK sends, trace ids included', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout' }),
      processors: [new SimpleLogRecordProcessor(exporter)],
    });
    const logger = provider.getLogger('test');
    logger.emit({
      body: 'upstream returned 503',
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      attributes: { route: '/pay' },
    });
    logger.emit({ body: 'ok', severityNumber: SeverityNumber.INFO });
    const bytes = ProtobufLogsSerializer.serializeRequest(exporter.getFinishedLogRecords())!;
    const r = decodeLogsProtobuf(Buffer.from(bytes));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.items.map((l) => [l.body, l.severity, l.resource.service, l.attributes])).toEqual([
      ['upstream returned 503', 17, 'checkout', '{"route":"/pay"}'],
      ['ok', 9, 'checkout', '{}'],
    ]);
    expect(Math.abs(r.items[0]!.timeMs - Date.now())).toBeLessThan(60_000);
    await provider.shutdown();
  });

  it('refuses what is not a request; random bytes never throw', () => {
    expect(decodeLogsJson(Buffer.from('{"resourceLogs": {}}'))).toEqual({
      ok: false,
      message: '"resourceLogs" must be an array',
    });
    expect(decodeLogsProtobuf(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f])).ok).toBe(false);
    let seed = 11;
    for (let i = 0; i < 300; i++) {
      const b = Buffer.alloc(1 + (i % 89));
      for (let k = 0; k < b.length; k++) b[k] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      expect(() => decodeLogsProtobuf(b)).not.toThrow();
    }
  });
});
