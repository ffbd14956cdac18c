import { gunzipSync, inflateSync } from 'node:zlib';
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeMetricsJson, decodeMetricsProtobuf } from '../../adapters/otlp/otlp-metrics.js';
import type { MetricsDecode } from '../../adapters/otlp/otlp-metrics.js';
import type { ServerContext } from '../context.js';

interface ProtoType {
  encode(msg: unknown): { finish(): Uint8Array };
  fromObject(o: unknown): unknown;
}

const require = createRequire(import.meta.url);
let responseType: ProtoType | undefined;
function metricsResponseType(): ProtoType {
  if (responseType === undefined) {
    const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as { opentelemetry: { proto: { collector: { metrics: { v1: { ExportMetricsServiceResponse: ProtoType } } } } } };
    responseType = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
  }
  return responseType;
}

type Encoding = 'json' | 'protobuf';

function encodingOf(req: FastifyRequest): Encoding {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-protobuf') ? 'protobuf' : 'json';
}

/** The body as sent, decompressed with a cap on the decompressed size (gzip bombs → 413). */
function inflate(req: FastifyRequest, body: Buffer, max: number): Buffer | { status: number; message: string } {
  const enc = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (enc === 'identity' || enc === '') return body;
  if (enc !== 'gzip' && enc !== 'deflate') return { status: 415, message: `Content-Encoding ${enc} is not supported (gzip, deflate or none)` };
  try {
    return enc === 'gzip' ? gunzipSync(body, { maxOutputLength: max }) : inflateSync(body, { maxOutputLength: max });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) return { status: 413, message: `the body is larger than ${max} bytes once decompressed` };
    return { status: 400, message: `the body is not valid ${enc} (${e.message})` };
  }
}

function reply(res: FastifyReply, encoding: Encoding, rejected: number, errorMessage: string): FastifyReply {
  const partial = rejected > 0 ? { partialSuccess: { rejectedDataPoints: String(rejected), errorMessage } } : {};
  if (encoding === 'json') return res.code(200).type('application/json').send(partial);
  const T = metricsResponseType();
  return res.code(200).type('application/x-protobuf').send(Buffer.from(T.encode(T.fromObject(partial)).finish()));
}

/** OTLP/HTTP receiver: POST /v1/metrics (protobuf or JSON, optionally gzip). */
export function otlpRoutes(ctx: ServerContext) {
  return (app: FastifyInstance): Promise<void> => {
    // raw bodies here: the OTLP decoders parse them (and give OTLP-shaped errors)
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(['application/x-protobuf', 'application/json'], { parseAs: 'buffer', bodyLimit: ctx.config.maxBodyBytes }, (_req, body, done) => {
      done(null, body);
    });

    app.post('/v1/metrics', async (req, res) => {
      const encoding = encodingOf(req);
      const raw = inflate(req, req.body as Buffer, ctx.config.maxDecompressedBytes);
      if (!Buffer.isBuffer(raw)) {
        ctx.metrics.rejected.inc({ signal: 'metrics', reason: raw.status === 413 ? 'too_large' : 'bad_encoding' });
        return res.code(raw.status).send({ code: raw.status, message: raw.message });
      }
      ctx.metrics.bytes.inc({ signal: 'metrics' }, raw.length);
      const decoded: MetricsDecode = encoding === 'protobuf' ? decodeMetricsProtobuf(raw) : decodeMetricsJson(raw);
      if (!decoded.ok) {
        ctx.metrics.rejected.inc({ signal: 'metrics', reason: 'malformed' });
        return res.code(400).send({ code: 400, message: decoded.message });
      }
      if (decoded.rejected > 0) ctx.metrics.rejected.inc({ signal: 'metrics', reason: 'bad_point' }, decoded.rejected);
      if (!ctx.store.healthy()) return res.code(503).header('retry-after', '5').send({ code: 503, message: 'the store is not available' });
      const job = ctx.queue.offer(async () => {
        const end = ctx.metrics.storeLatency.startTimer();
        try {
          return await ctx.ingest.ingest(ctx.tenant, decoded.points);
        } finally {
          end();
        }
      });
      if (job === undefined) {
        ctx.metrics.rejected.inc({ signal: 'metrics', reason: 'queue_full' });
        return res.code(503).header('retry-after', '1').send({ code: 503, message: `the ingest queue is full (${ctx.queue.capacity} requests waiting); retry after 1 s` });
      }
      const result = await job;
      ctx.metrics.records.inc({ signal: 'metrics' }, result.stored);
      if (result.findings.length > 0) ctx.metrics.findings.inc({ kind: 'metric-anomaly' }, result.findings.length);
      return reply(res, encoding, decoded.rejected, decoded.rejectReasons.join('; '));
    });
    return Promise.resolve();
  };
}
