import { gunzipSync, inflateSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { encodeStatus, grpcCode, protoType } from '../../adapters/otlp/otlp-common.js';
import type { Decoded } from '../../adapters/otlp/otlp-common.js';
import { decodeLogsJson, decodeLogsProtobuf } from '../../adapters/otlp/otlp-logs.js';
import { decodeMetricsJson, decodeMetricsProtobuf } from '../../adapters/otlp/otlp-metrics.js';
import { decodeTracesJson, decodeTracesProtobuf } from '../../adapters/otlp/otlp-traces.js';
import type { TelemetryBatch } from '../../core/ports/telemetry-store.port.js';
import type { Finding } from '../../core/domain/finding.js';
import type { Refusal } from '../ingest-queue.js';
import { IngestRate } from '../ingest-rate.js';
import { BUS_HEADERS, BUS_KEY_ID } from '../context.js';
import type { OtlpOutcome, ServerContext } from '../context.js';
import { AppError } from '../../core/errors.js';
import { answers, otlpAnswer } from './response-schemas.js';

type Signal = 'metrics' | 'logs' | 'traces';

/** Whose rate a request counts against: its API key, or its address in open mode. */
export function rateKeyOf(req: FastifyRequest): string {
  return req.auth.keyId === 'open' || req.auth.keyId === 'enrolling'
    ? `ip:${req.ip}`
    : `key:${req.auth.keyId}`;
}

/** The OTLP signal a request's path names (query string aside), if any. */
export function signalOf(url: string): Signal | undefined {
  const path = url.split('?', 1)[0];
  return path === '/v1/logs'
    ? 'logs'
    : path === '/v1/traces'
      ? 'traces'
      : path === '/v1/metrics'
        ? 'metrics'
        : undefined;
}

function responseType(signal: Signal) {
  return signal === 'metrics'
    ? protoType('metrics', 'ExportMetricsServiceResponse')
    : signal === 'logs'
      ? protoType('logs', 'ExportLogsServiceResponse')
      : protoType('trace', 'ExportTraceServiceResponse');
}

type Encoding = 'json' | 'protobuf';

function encodingOf(req: FastifyRequest): Encoding {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-protobuf')
    ? 'protobuf'
    : 'json';
}

/** The body as sent, decompressed with a cap on the decompressed size (gzip bombs → 413). */
function inflate(
  req: FastifyRequest,
  body: Buffer,
  max: number,
): Buffer | { status: number; message: string } {
  const enc = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (enc === 'identity' || enc === '') return body;
  if (enc !== 'gzip' && enc !== 'deflate')
    return {
      status: 415,
      message: `Content-Encoding ${enc} is not supported (gzip, deflate or none)`,
    };
  try {
    return enc === 'gzip'
      ? gunzipSync(body, { maxOutputLength: max })
      : inflateSync(body, { maxOutputLength: max });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError)
      return { status: 413, message: `the body is larger than ${max} bytes once decompressed` };
    return { status: 400, message: `the body is not valid ${enc} (${e.message})` };
  }
}

function reply(
  res: FastifyReply,
  signal: Signal,
  encoding: Encoding,
  rejected: number,
  errorMessage: string,
): FastifyReply {
  const counter =
    signal === 'metrics'
      ? 'rejectedDataPoints'
      : signal === 'logs'
        ? 'rejectedLogRecords'
        : 'rejectedSpans';
  const partial =
    rejected > 0 ? { partialSuccess: { [counter]: String(rejected), errorMessage } } : {};
  if (encoding === 'json') return res.code(200).type('application/json').send(partial);
  const T = responseType(signal);
  return res
    .code(200)
    .type('application/x-protobuf')
    .send(Buffer.from(T.encode(T.fromObject(partial)).finish()));
}

/** OTLP/HTTP receiver: POST /v1/metrics, /v1/logs and /v1/traces (protobuf or JSON, optionally gzip). */
export function otlpRoutes(
  ctx: Pick<
    ServerContext,
    | 'activeTenants'
    | 'commits'
    | 'config'
    | 'events'
    | 'ingest'
    | 'logIngest'
    | 'metrics'
    | 'queue'
    | 'recentRequests'
    | 'bus'
    | 'series'
    | 'services'
    | 'store'
  >,
) {
  return (app: FastifyInstance): Promise<void> => {
    // raw bodies here: the OTLP decoders parse them (and give OTLP-shaped errors)
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      ['application/x-protobuf', 'application/json'],
      { parseAs: 'buffer', bodyLimit: ctx.config.maxBodyBytes },
      (_req, body, done) => {
        done(null, body);
      },
    );

    /** One request's turn in the queue: refused as malformed, or handed to the group commit. */
    type Turn =
      | { ok: false; message: string }
      | {
          ok: true;
          stored: number;
          findings: readonly Finding[];
          outcome: OtlpOutcome;
          written: Promise<void>;
        };

    /** A full queue (or no memory for more): 503 with Retry-After, counted. */
    const busy = (
      res: FastifyReply,
      signal: Signal,
      message: string,
      reason: Refusal['reason'] = 'queue_full',
    ) => {
      ctx.metrics.rejected.inc({ signal, reason });
      return res.code(503).header('retry-after', '1').send({ code: 503, message });
    };

    // shed load early: a request the queue would turn away is answered before its body is read
    // (the length it declares is at most what it inflates to), so refusing costs no reading,
    // inflating or hashing, and the server keeps its time for the requests it takes. After the
    // app's authentication hook: a bad key is still told so first. Ingest is limited per key by
    // records and bytes a second (IngestRate), not by the REST API's count of requests
    const rate = new IngestRate(ctx.config.ingestRecordsPerSecond, ctx.config.ingestBytesPerSecond);
    app.addHook('onRequest', async (req, res) => {
      const signal = signalOf(req.url);
      if (req.method !== 'POST' || signal === undefined) return;
      const header = Number(req.headers['content-length']);
      const declared = Number.isFinite(header) && header > 0 ? header : 0;
      // the queue first: a request it turns away takes nothing from its key's rate
      const refused = ctx.queue.refusal(declared);
      if (refused !== undefined) return busy(res, signal, refused.message, refused.reason);
      // requests the bus hands over were limited by the gateway that took them
      if (req.auth.keyId === BUS_KEY_ID) return;
      const limited = rate.refusal(rateKeyOf(req), declared);
      if (limited !== undefined) {
        ctx.metrics.rejected.inc({ signal, reason: 'rate_limited' });
        return res
          .code(429)
          .header('retry-after', String(limited.retryAfterS))
          .send({ code: 429, message: limited.message });
      }
    });

    /** The steps every signal shares: decompress, decode, queue, answer as OTLP says. */
    const receive = async <T extends { resource: { service?: string } }>(
      signal: Signal,
      req: FastifyRequest,
      res: FastifyReply,
      decode: (raw: Buffer, enc: Encoding) => Decoded<T>,
      prepare: (
        items: T[],
        tenant: string,
      ) => {
        batch: TelemetryBatch;
        stored: number;
        findings: readonly Finding[];
        /** Items the engines refused (a new log template past the tenant's limit), and why. */
        refused?: { count: number; reason: string | undefined; metric: string };
      },
      /** A per-tenant cardinality limit checked before the queue (metric series). */
      limit?: (
        tenant: string,
        items: T[],
      ) => { kept: T[]; refused: number; reason: string | undefined },
    ) => {
      const encoding = encodingOf(req);
      // no Content-Type (and so no parser ran): say what to send rather than guess
      if (!Buffer.isBuffer(req.body))
        return res.code(415).send({
          code: 415,
          message: 'send the request with Content-Type application/x-protobuf or application/json',
        });
      // inflated no further than the queue has room for: a body it will refuse for room never
      // takes its full size in memory (16 gzip bodies of 12 MB at once would take 192 MB)
      const room = ctx.queue.room;
      const raw = inflate(req, req.body, Math.min(ctx.config.maxDecompressedBytes, room));
      if (!Buffer.isBuffer(raw) && raw.status === 413 && room < ctx.config.maxDecompressedBytes) {
        const refused = ctx.queue.refusal(room + 1);
        if (refused !== undefined) return busy(res, signal, refused.message, refused.reason);
      }
      if (!Buffer.isBuffer(raw)) {
        ctx.metrics.rejected.inc({
          signal,
          reason: raw.status === 413 ? 'too_large' : 'bad_encoding',
        });
        return res.code(raw.status).send({ code: raw.status, message: raw.message });
      }
      ctx.metrics.bytes.inc({ signal }, raw.length);
      const tenant = req.auth.tenant;
      const rateKey = rateKeyOf(req);
      // the same request again (an exporter's retry): the first one's answer once it is stored,
      // without decoding it again
      const key = ctx.recentRequests.key(signal, tenant, raw);
      const fromBus = req.auth.keyId === BUS_KEY_ID;
      if (ctx.bus?.role === 'gateway' && !fromBus) {
        // a gateway: the request is taken once the bus has stored it (the bus keeps a request
        // sent again once, by its hash); workers decode, check and write it
        await ctx.bus.port.publish({
          tenant,
          signal,
          contentType: encoding === 'json' ? 'application/json' : 'application/x-protobuf',
          id: key,
          body: raw,
        });
        ctx.metrics.busPublished.inc({ signal });
        return reply(res, signal, encoding, 0, '');
      }
      // a bus message: written once by its key, whichever worker holds its partition
      const busKey = fromBus ? req.headers[BUS_HEADERS.key] : undefined;
      const writeKey = typeof busKey === 'string' ? busKey : undefined;
      const earlier = fromBus ? undefined : ctx.recentRequests.seen(key);
      if (earlier !== undefined) {
        const first = await earlier;
        ctx.metrics.repeatedRequests.inc({ signal });
        return reply(res, signal, encoding, first.rejected, first.reasons);
      }
      const body: Buffer = raw;
      const store = async () => {
        if (!ctx.store.healthy())
          return res
            .code(503)
            .header('retry-after', '5')
            .send({ code: 503, message: 'the store is not available' });
        // in order, one at a time, and decoded only in its turn (what waits is the body's bytes,
        // not its records as objects: the heap holds one request's records at a time): decode,
        // the tenant's cardinality limits, score or template (the engines' state is ordered), then
        // the batch to the group commit; the queue counts it until it is written
        const job = ctx.queue.offer((): Promise<Turn> => {
          const decoded = decode(body, encoding);
          if (!decoded.ok) {
            ctx.metrics.rejected.inc({ signal, reason: 'malformed' });
            return Promise.resolve({ ok: false, message: decoded.message });
          }
          if (decoded.rejected > 0)
            ctx.metrics.rejected.inc({ signal, reason: 'bad_record' }, decoded.rejected);
          rate.charge(rateKey, decoded.items.length + decoded.rejected);
          // a tenant's services (and series) are bounded: items of new ones past the limit are refused
          const budget = ctx.services.admit(tenant, decoded.items);
          if (budget.refused > 0)
            ctx.metrics.rejected.inc({ signal, reason: 'too_many_services' }, budget.refused);
          const limited = limit?.(tenant, budget.kept) ?? {
            kept: budget.kept,
            refused: 0,
            reason: undefined,
          };
          if (limited.refused > 0)
            ctx.metrics.rejected.inc({ signal, reason: 'too_many_series' }, limited.refused);
          const end = ctx.metrics.storeLatency.startTimer();
          const prepared = prepare(limited.kept, tenant);
          const engine = prepared.refused;
          if (engine !== undefined && engine.count > 0)
            ctx.metrics.rejected.inc({ signal, reason: engine.metric }, engine.count);
          const written = ctx.commits.commit(tenant, prepared.batch, writeKey);
          ctx.queue.track(written);
          const outcome: OtlpOutcome = {
            rejected: decoded.rejected + budget.refused + limited.refused + (engine?.count ?? 0),
            reasons: [
              ...decoded.rejectReasons,
              ...[budget.reason, limited.reason, engine?.reason].filter(
                (r): r is string => r !== undefined,
              ),
            ].join('; '),
          };
          return Promise.resolve({
            ok: true,
            stored: prepared.stored,
            findings: prepared.findings,
            outcome,
            written: written.finally(() => end()),
          });
        });
        if (job === undefined)
          return busy(
            res,
            signal,
            `the ingest queue is full (${ctx.queue.capacity} requests waiting); retry after 1 s`,
          );
        // the same body sent again meanwhile waits for this outcome (a malformed one is refused again)
        if (!fromBus)
          ctx.recentRequests.begin(
            key,
            job.then(async (j) => {
              if (!j.ok) throw new AppError('INPUT.BAD_LAYOUT', j.message);
              await j.written;
              return j.outcome;
            }),
          );
        const done = await job;
        if (!done.ok) return res.code(400).send({ code: 400, message: done.message });
        // acknowledged only once durable
        await done.written;
        ctx.metrics.records.inc({ signal }, done.stored);
        ctx.activeTenants.add(tenant);
        if (done.findings.length > 0)
          ctx.metrics.findings.inc({ kind: 'metric-anomaly' }, done.findings.length);
        for (const f of done.findings) ctx.events.publish(tenant, 'finding', f);
        return reply(res, signal, encoding, done.outcome.rejected, done.outcome.reasons);
      };
      // room for its records until they are written, taken before they are decoded: memory is
      // bounded by bytes (not by a count of requests of any size), and a request that would wait
      // too long is turned away at once rather than acknowledged late
      const refused = ctx.queue.admit(raw.length);
      if (refused !== undefined) return busy(res, signal, refused.message, refused.reason);
      try {
        return await store();
      } finally {
        ctx.queue.release(raw.length);
      }
    };

    // OTLP/HTTP: a protobuf request that fails gets a protobuf google.rpc.Status (with the message
    // the JSON answer has), whatever failed: its body, its size, its key, the rate limit, the queue
    app.addHook('onSend', (req, res, payload, done) => {
      if (res.statusCode < 400 || encodingOf(req) !== 'protobuf' || typeof payload !== 'string') {
        done(null, payload);
        return;
      }
      let message = payload;
      try {
        const m = (JSON.parse(payload) as { message?: unknown }).message;
        if (typeof m === 'string') message = m;
      } catch {
        // not JSON: the text as it is
      }
      res.type('application/x-protobuf');
      done(null, Buffer.from(encodeStatus(grpcCode(res.statusCode), message)));
    });

    app.post(
      '/v1/metrics',
      {
        schema: {
          tags: ['otlp'],
          summary:
            'OTLP/HTTP ExportMetricsServiceRequest: gauges, sums, histograms; every series scored as it arrives (application/x-protobuf or application/json, gzip/deflate)',
          response: answers(otlpAnswer('rejectedDataPoints'), 413, 415),
        },
      },
      (req, res) =>
        receive(
          'metrics',
          req,
          res,
          (raw, enc) => (enc === 'protobuf' ? decodeMetricsProtobuf(raw) : decodeMetricsJson(raw)),
          (points, tenant) => {
            const { batch, result } = ctx.ingest.score(tenant, points);
            return { batch, stored: result.stored, findings: result.findings };
          },
          (tenant, points) => ctx.series.admit(tenant, points),
        ),
    );

    app.post(
      '/v1/logs',
      {
        schema: {
          tags: ['otlp'],
          summary:
            'OTLP/HTTP ExportLogsServiceRequest: each record templated on arrival (application/x-protobuf or application/json, gzip/deflate)',
          response: answers(otlpAnswer('rejectedLogRecords'), 413, 415),
        },
      },
      (req, res) =>
        receive(
          'logs',
          req,
          res,
          (raw, enc) => (enc === 'protobuf' ? decodeLogsProtobuf(raw) : decodeLogsJson(raw)),
          (logs, tenant) => {
            const r = ctx.logIngest.template(tenant, logs);
            return {
              batch: r.batch,
              stored: r.stored,
              findings: [],
              refused: { count: r.refused, reason: r.reason, metric: 'too_many_templates' },
            };
          },
        ),
    );

    app.post(
      '/v1/traces',
      {
        schema: {
          tags: ['otlp'],
          summary:
            'OTLP/HTTP ExportTraceServiceRequest: spans stored as received (application/x-protobuf or application/json, gzip/deflate)',
          response: answers(otlpAnswer('rejectedSpans'), 413, 415),
        },
      },
      (req, res) =>
        receive(
          'traces',
          req,
          res,
          (raw, enc) => (enc === 'protobuf' ? decodeTracesProtobuf(raw) : decodeTracesJson(raw)),
          (spans) => ({ batch: { spans }, stored: spans.length, findings: [] }),
        ),
    );
    return Promise.resolve();
  };
}
