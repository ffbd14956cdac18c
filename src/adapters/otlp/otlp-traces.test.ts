import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { decodeTracesJson, decodeTracesProtobuf } from './otlp-traces.js';

/** An OTLP/JSON span with hex ids and times, the fields given replaced. */
const sp = (over: Record<string, unknown>) => ({
  traceId: '5B8EFFF798038103D269B633813FC60C',
  spanId: 'EEE19B7EC3C1B174',
  name: 'op',
  startTimeUnixNano: '1767225600000000000',
  endTimeUnixNano: '1767225600250000000',
  ...over,
});

describe('OTLP traces decoding', () => {
  it('decodes what the OpenTelemetry JS SDK sends: ids, parents, status, kind, resource', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('test');
    const parent = tracer.startSpan('POST /pay', { kind: SpanKind.SERVER });
    const child = tracer.startSpan(
      'charge',
      { attributes: { amount: 12 } },
      trace.setSpan(context.active(), parent),
    );
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream 503' });
    child.end();
    parent.end();
    const bytes = ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!;
    const r = decodeTracesProtobuf(Buffer.from(bytes));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [c, p] = r.items;
    expect(p).toMatchObject({
      name: 'POST /pay',
      kind: 2,
      parentSpanId: '',
      statusCode: 0,
      resource: { service: 'checkout' },
    });
    expect(c).toMatchObject({
      name: 'charge',
      parentSpanId: p!.spanId,
      traceId: p!.traceId,
      statusCode: 2,
      statusMessage: 'upstream 503',
      attributes: '{"amount":12}',
    });
    expect(c!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(c!.endMs).toBeGreaterThanOrEqual(c!.startMs);
    await provider.shutdown();
  });

  it('JSON: hex ids; spans without ids or times are rejected with a reason', () => {
    const r = decodeTracesJson(
      Buffer.from(
        JSON.stringify({
          resourceSpans: [
            {
              scopeSpans: [
                {
                  spans: [
                    sp({}),
                    sp({ traceId: 'xyz' }),
                    sp({ endTimeUnixNano: '1' }),
                    sp({ spanId: '0000000000000000' }),
                  ],
                },
              ],
            },
          ],
        }),
      ),
    );
    expect(r).toMatchObject({ ok: true, rejected: 3 });
    if (r.ok)
      expect(r.items[0]).toMatchObject({
        traceId: '5b8efff798038103d269b633813fc60c',
        startMs: 1767225600000,
        endMs: 1767225600250,
        parentSpanId: '',
      });
    expect(decodeTracesJson(Buffer.from('{"resourceSpans":"x"}')).ok).toBe(false);
    expect(decodeTracesProtobuf(Buffer.from([0xff, 0xff, 0xff])).ok).toBe(false);
  });

  it('hostile values: a kind the store cannot hold is a rejected span, an attribute nested thousands deep a 400 that says so', () => {
    const body = (spans: unknown[]) =>
      Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }));
    const r = decodeTracesJson(
      body([sp({ kind: 3_000_000_000 }), sp({ kind: -1 }), sp({ kind: 2.5 }), sp({ kind: 5 })]),
    );
    expect(r).toMatchObject({
      ok: true,
      rejected: 3,
      rejectReasons: ['span kind must be 0 to 5 (SpanKind)'],
    });
    if (r.ok) expect(r.items.map((s) => s.kind)).toEqual([5]);
    // an attribute value nested 5,000 deep (as text: JSON.stringify itself recurses): said, not a stack overflow
    const deep = `${'{"arrayValue":{"values":['.repeat(5000)}{"stringValue":"x"}${']}}'.repeat(5000)}`;
    const text = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [sp({ attributes: [{ key: 'a', value: 0 }] })] }] }],
    }).replace('"value":0', `"value":${deep}`);
    const nested = decodeTracesJson(Buffer.from(text));
    expect(nested).toEqual({
      ok: false,
      message: expect.stringMatching(/nests deeper than 64 levels/) as unknown,
    });
    // 64 levels still read
    let ok: unknown = { stringValue: 'x' };
    for (let i = 0; i < 63; i++) ok = { arrayValue: { values: [ok] } };
    expect(decodeTracesJson(body([sp({ attributes: [{ key: 'a', value: ok }] })])).ok).toBe(true);
  });
});
