import { createExplainer } from '../adapters/llm/explainer.js';
import { seriesBudget, serviceBudget } from '../core/use-cases/cardinality-budget.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requests, validProtobuf } from '../../test/helpers/otlp-arbitraries.js';
import { createDuckDbTelemetryStore } from '../adapters/store/duckdb/duckdb-telemetry-store.js';
import { nodeKeyCrypto } from '../adapters/crypto/node-key-crypto.js';
import { createMemoryHistoryStore } from '../adapters/store/memory/memory-history-store.js';
import { createMemoryTelemetryStore } from '../adapters/store/memory/memory-telemetry-store.js';
import type { TelemetryStorePort } from '../core/ports/telemetry-store.port.js';
import { AppError } from '../core/errors.js';
import { Enrolment } from '../core/use-cases/enrolment.js';
import { hybridEnrolCrypto, startEnrolment } from '../adapters/crypto/hybrid-enrolment.js';
import { ApiKeys } from '../core/use-cases/api-keys.js';
import { LogIngest } from '../core/use-cases/ingest-logs.js';
import { MetricIngest } from '../core/use-cases/ingest-metrics.js';
import { buildApp } from './app.js';
import { loadServerConfig } from './config.js';
import type { ServerConfig } from './config.js';
import { createServerMetrics } from './context.js';
import type { ServerContext } from './context.js';
import { GroupCommit } from './group-commit.js';
import { IngestQueue } from './ingest-queue.js';
import { IncidentTracker } from '../core/use-cases/incident-tracker.js';
import { IncidentNotifier } from '../core/use-cases/notify-incidents.js';
import { EventHub } from './event-hub.js';
import { JobRunner } from './jobs.js';
import { RecentRequests } from './recent-requests.js';

/**
 * The app over a store whose writes wait until released: backpressure made visible. `fail`: the
 * error a transaction of these entries throws, if any (as a store that cannot hold a value does).
 */
function slowApp(
  capacity: number,
  fail: (entries: Parameters<TelemetryStorePort['appendMany']>[0]) => Error | undefined = () =>
    undefined,
  inner: TelemetryStorePort = createMemoryTelemetryStore(),
  settings: Partial<ServerConfig> = {},
) {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const store: TelemetryStorePort = {
    ...inner,
    append: async (t, b) => {
      await gate;
      return inner.append(t, b);
    },
    appendMany: async (e) => {
      await gate;
      const error = fail(e);
      if (error !== undefined) throw error;
      return inner.appendMany(e);
    },
  };
  const config = loadServerConfig(
    { BIFROST_CHECK_RESPONSES: '1' },
    { dataFile: undefined, cacheDir: undefined, queueCapacity: capacity, ...settings },
  );
  const ingest = new MetricIngest({ store });
  const queue = new IngestQueue(config.queueCapacity, config.maxQueuedBytes, config.maxQueueWaitMs);
  let n = 0;
  const history = createMemoryHistoryStore();
  const keys = new ApiKeys(history, nodeKeyCrypto, Date.now);
  const ctx: ServerContext = {
    config,
    store,
    ingest,
    logIngest: new LogIngest({
      store,
      newId: () => String(n++),
      maxTemplates: config.maxTemplates,
      refuseNewTemplates: true,
    }),
    queue,
    metrics: createServerMetrics(queue, ingest),
    keys,
    enrolment: new Enrolment(history, hybridEnrolCrypto, keys, Date.now),
    history,
    jobs: new JobRunner(),
    commits: new GroupCommit(store),
    newId: () => String(n++),
    version: 'test',
    cache: undefined,
    events: new EventHub(),
    incidents: new IncidentTracker({ telemetry: store, history }),
    notifier: new IncidentNotifier([]),
    activeTenants: new Set(),
    streams: new Set(),
    services: serviceBudget(config.maxServices),
    series: seriesBudget(config.maxSeries),
    recentRequests: new RecentRequests({ ttlMs: 10 * 60_000, capacity: 10_000, now: Date.now }),
    explainer: createExplainer(config.llm, {
      store: history,
      newId: () => String(n++),
      now: Date.now,
      unavailableNote: 'no model configured',
    }),
  };
  return { app: buildApp(ctx), release, ctx };
}

const body = (i: number) =>
  JSON.stringify({
    resourceMetrics: [
      {
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'm',
                gauge: {
                  dataPoints: [
                    {
                      timeUnixNano: String(BigInt(1_767_225_600_000 + i * 60_000) * 1_000_000n),
                      asDouble: i,
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  });

/** POSTs the i-th metrics body as OTLP/JSON. */
const sendMetrics = (app: ReturnType<typeof slowApp>['app'], i: number) =>
  app.inject({
    method: 'POST',
    url: '/v1/metrics',
    headers: { 'content-type': 'application/json' },
    payload: body(i),
  });

describe('ingest backpressure', () => {
  it('a full queue answers 503 with Retry-After, readiness says so, and accepted requests still complete', async () => {
    const { app, release } = slowApp(2);
    const send = (i: number) => sendMetrics(app, i);
    const first = send(0);
    const second = send(1);
    await new Promise((r) => setTimeout(r, 20));
    const third = await send(2);
    expect(third.statusCode).toBe(503);
    expect(third.headers['retry-after']).toBe('1');
    expect(third.json()).toMatchObject({
      message: 'the ingest queue is full (2 requests waiting); retry after 1 s',
    });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'not ready', problems: ['ingest queue full'] });
    release();
    expect((await first).statusCode).toBe(200);
    expect((await second).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const prom = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(prom).toContain('bifrost_rejected_total{signal="metrics",reason="queue_full"} 1');
    await app.close();
  });

  it('a request the queue cannot take is turned away before its body is read or inflated: shed load costs no decompression', async () => {
    const { app, release } = slowApp(1);
    await app.ready();
    // not gzip at all: had the body been inflated, the answer would be 400 (bad encoding)
    const notGzip = () =>
      app.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
        payload: Buffer.from('not gzip, and never read'),
      });
    const first = sendMetrics(app, 0);
    await new Promise((r) => setTimeout(r, 20));
    const shed = await notGzip();
    expect(shed.statusCode).toBe(503);
    expect(shed.headers['retry-after']).toBe('1');
    expect(shed.headers['content-type']).toMatch(/^application\/x-protobuf/);
    const prom = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(prom).toContain('bifrost_rejected_total{signal="logs",reason="queue_full"} 1');
    expect(prom).not.toContain('reason="bad_encoding"');
    release();
    expect((await first).statusCode).toBe(200);
    // with room again, the same bad body is read and refused for what it is
    expect((await notGzip()).statusCode).toBe(400);
    await app.close();
  });
});

describe('ingest rate per key', () => {
  it('OTLP is limited by records a second, not by the REST API request count: a collector batching many small requests is not held to it', async () => {
    const { app, release } = slowApp(8, () => undefined, undefined, {
      rateLimitPerMinute: 2,
      ingestRecordsPerSecond: 1000,
    });
    release();
    // six OTLP requests of one point each: past --rate-limit 2, all taken
    for (let i = 0; i < 6; i++) expect((await sendMetrics(app, i)).statusCode).toBe(200);
    // the REST API keeps its request count
    const codes: number[] = [];
    for (let i = 0; i < 3; i++)
      codes.push((await app.inject({ method: 'GET', url: '/api/v1/services' })).statusCode);
    expect(codes).toEqual([200, 200, 429]);
    // 2,500 points in one request: taken (the bucket had 2 s of them), and the key owes 500
    const points = Array.from({ length: 2500 }, (_, i) => ({
      timeUnixNano: String(BigInt(1_767_225_600_000 + i * 1000) * 1_000_000n),
      asDouble: i,
    }));
    const big = await app.inject({
      method: 'POST',
      url: '/v1/metrics',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({
        resourceMetrics: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
            scopeMetrics: [{ metrics: [{ name: 'cpu', gauge: { dataPoints: points } }] }],
          },
        ],
      }),
    });
    expect(big.statusCode).toBe(200);
    const next = await sendMetrics(app, 99);
    expect(next.statusCode).toBe(429);
    expect(Number(next.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(next.json<{ message: string }>().message).toMatch(
      /^this key sent more than 1,000 log records, spans or points a second \(--ingest-records-per-s\); retry after \d+ s$/,
    );
    const prom = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(prom).toContain('bifrost_rejected_total{signal="metrics",reason="rate_limited"} 1');
    await app.close();
  });
});

describe('ingest rate and the queue', () => {
  it("requests the queue turns away take nothing from their key's rate", async () => {
    const one = Buffer.byteLength(body(0));
    const { app, release } = slowApp(1, () => undefined, undefined, {
      // two seconds of burst: room for 4 bodies, not for the 10 refused below
      ingestBytesPerSecond: one * 2,
    });
    await app.ready();
    const first = sendMetrics(app, 0);
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 1; i <= 10; i++) expect((await sendMetrics(app, i)).statusCode).toBe(503);
    release();
    expect((await first).statusCode).toBe(200);
    expect((await sendMetrics(app, 11)).statusCode).toBe(200);
    await app.close();
  });
});

describe('ingest memory bound', () => {
  it('requests waiting to be written are bounded by their bytes: past the bound, 503 with Retry-After, before decoding', async () => {
    const one = Buffer.byteLength(body(0));
    const { app, release } = slowApp(64, () => undefined, undefined, {
      maxQueuedBytes: Math.floor(one * 1.5),
    });
    const send = (i: number) => sendMetrics(app, i);
    const first = send(0);
    await new Promise((r) => setTimeout(r, 20));
    const second = await send(1);
    expect(second.statusCode).toBe(503);
    expect(second.headers['retry-after']).toBe('1');
    expect(second.json<{ message: string }>().message).toMatch(
      /^the ingest queue holds [\d.]+ MB of requests not yet written \(--queue-mb [\d.]+\); retry after 1 s$/,
    );
    release();
    expect((await first).statusCode).toBe(200);
    // written: the room is given back
    expect((await send(2)).statusCode).toBe(200);
    await app.close();
  });
});

describe('ingest memory bound, gzip', () => {
  it('a gzip body is inflated no further than the room left in the queue: past it, 503 with Retry-After', async () => {
    const one = Buffer.byteLength(body(0));
    const { app, release } = slowApp(64, () => undefined, undefined, {
      maxQueuedBytes: Math.floor(one * 1.5),
    });
    const first = sendMetrics(app, 0);
    await new Promise((r) => setTimeout(r, 20));
    // small on the wire, its room's worth and more once inflated
    const padded = JSON.stringify({ ...(JSON.parse(body(1)) as object), pad: 'x'.repeat(one) });
    const second = await app.inject({
      method: 'POST',
      url: '/v1/metrics',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: gzipSync(padded),
    });
    expect(second.statusCode).toBe(503);
    expect(second.headers['retry-after']).toBe('1');
    expect(second.json<{ message: string }>().message).toMatch(/^the ingest queue holds /);
    release();
    expect((await first).statusCode).toBe(200);
    await app.close();
  });
});

describe('services per tenant', () => {
  it('past --max-services, the records of new services are refused as partial success and counted; known ones still pass', async () => {
    const { app, release } = slowApp(8, () => undefined, undefined, { maxServices: 2 });
    release();
    const spans = (services: string[]) =>
      JSON.stringify({
        resourceSpans: services.map((service, i) => ({
          resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: 'a'.repeat(31) + String(i),
                  spanId: 'b'.repeat(15) + String(i),
                  name: 'GET /',
                  startTimeUnixNano: '1767225600000000000',
                  endTimeUnixNano: '1767225600005000000',
                },
              ],
            },
          ],
        })),
      });
    const post = (services: string[]) =>
      app.inject({
        method: 'POST',
        url: '/v1/traces',
        headers: { 'content-type': 'application/json' },
        payload: spans(services),
      });
    const first = await post(['a', 'b', 'c', 'd']);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      partialSuccess: {
        rejectedSpans: '2',
        errorMessage:
          'the tenant has 2 services already (--max-services 2): records of new services are refused',
      },
    });
    expect((await post(['b'])).json()).toEqual({});
    const prom = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(prom).toContain('bifrost_rejected_total{signal="traces",reason="too_many_services"} 2');
    await app.close();
  });
});

describe('series and templates per tenant', () => {
  it('past --max-series, points of new series are refused as partial success and counted; known series still pass', async () => {
    const { app, release } = slowApp(8, () => undefined, undefined, { maxSeries: 2 });
    release();
    const metrics = (names: string[]) =>
      JSON.stringify({
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: names.map((name) => ({
                  name,
                  gauge: { dataPoints: [{ timeUnixNano: '1767225600000000000', asDouble: 1 }] },
                })),
              },
            ],
          },
        ],
      });
    const post = (names: string[]) =>
      app.inject({
        method: 'POST',
        url: '/v1/metrics',
        headers: { 'content-type': 'application/json' },
        payload: metrics(names),
      });
    const first = await post(['a', 'b', 'c']);
    expect(first.json()).toEqual({
      partialSuccess: {
        rejectedDataPoints: '1',
        errorMessage:
          'the tenant has 2 metric series already (--max-series 2): points of new series are refused',
      },
    });
    expect((await post(['a', 'b'])).json()).toEqual({});
    const prom = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(prom).toContain('bifrost_rejected_total{signal="metrics",reason="too_many_series"} 1');
    await app.close();
  });

  it('past --max-templates, records that need a new template are refused as partial success and counted; the others are stored', async () => {
    const { app, release, ctx } = slowApp(8, () => undefined, undefined, { maxTemplates: 2 });
    release();
    const logs = (bodies: string[]) =>
      JSON.stringify({
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: bodies.map((b, i) => ({
                  timeUnixNano: String(1767225600000000000n + BigInt(i) * 1000000n),
                  body: { stringValue: b },
                })),
              },
            ],
          },
        ],
      });
    const post = (bodies: string[]) =>
      app.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: { 'content-type': 'application/json' },
        payload: logs(bodies),
      });
    const first = await post([
      'connected to db',
      'cache warmed',
      'user logged out',
      'connected to db',
    ]);
    expect(first.json()).toEqual({
      partialSuccess: {
        rejectedLogRecords: '1',
        errorMessage:
          'the tenant has 2 log templates already (--max-templates 2): records that need a new template are refused',
      },
    });
    const stored = await ctx.store.logs('default', { limit: 10 });
    expect(stored.items.map((l) => l.body).sort()).toEqual([
      'cache warmed',
      'connected to db',
      'connected to db',
    ]);
    const prom = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(prom).toContain('bifrost_rejected_total{signal="logs",reason="too_many_templates"} 1');
    await app.close();
  });
});

describe('failed authentication', () => {
  it('is counted and limited per address: past 60 failures a minute, 429 with Retry-After before any key is checked; other addresses unaffected', async () => {
    const { app, release } = slowApp(8, () => undefined, undefined, { auth: true });
    release();
    const get = (remoteAddress: string) =>
      app.inject({
        method: 'GET',
        url: '/api/v1/incidents',
        headers: { 'x-api-key': 'bfk_guess' },
        remoteAddress,
      });
    const codes: number[] = [];
    for (let i = 0; i < 61; i++) codes.push((await get('10.0.0.9')).statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(60);
    expect(codes.at(-1)).toBe(429);
    const limited = await get('10.0.0.9');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json<{ message: string }>().message).toMatch(
      /^too many failed authentications from this address \(60 a minute\); retry after \d+ s$/,
    );
    expect((await get('10.0.0.10')).statusCode).toBe(401);
    const prom = (await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.0.0.11' }))
      .statusCode;
    expect(prom).toBe(401);
    await app.close();
  });
});

describe('enrolment over HTTP', () => {
  it('a host enrols without any key; the issued key ingests, the token does not; a replayed hello is refused; refusals count as failed authentications', async () => {
    const { app, release, ctx } = slowApp(8, () => undefined, undefined, { auth: true });
    release();
    const admin = (await ctx.keys.create({ tenant: 'shop', scope: 'admin' })).key;
    const made = await app.inject({
      method: 'POST',
      url: '/api/v1/keys/enrol-tokens',
      headers: { authorization: `Bearer ${admin}` },
      payload: { scope: 'ingest', ttlSeconds: 600, name: 'collectors' },
    });
    expect(made.statusCode).toBe(201);
    const { token, id } = made.json<{ token: string; id: string }>();
    const host = startEnrolment(token, 'node-7');
    const hello = await app.inject({
      method: 'POST',
      url: '/api/v1/enrol/hello',
      payload: host.hello,
      remoteAddress: '10.9.9.9',
    });
    expect(hello.statusCode).toBe(200);
    const { payload, confirm } = host.open(hello.json());
    const confirmed = await app.inject({
      method: 'POST',
      url: '/api/v1/enrol/confirm',
      payload: confirm,
      remoteAddress: '10.9.9.9',
    });
    expect(confirmed.statusCode).toBe(201);
    expect(confirmed.json()).toEqual({ id: payload.id, tenant: 'shop', scope: 'ingest' });
    const ingest = (key: string) =>
      app.inject({
        method: 'POST',
        url: '/v1/metrics',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        payload: body(1),
      });
    expect((await ingest(payload.key)).statusCode).toBe(200);
    expect((await ingest(token)).statusCode).toBe(401);
    // the tenant's admin sees how the key was issued, and the spent token
    const keys = await app.inject({
      method: 'GET',
      url: '/api/v1/keys',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(keys.json<{ items: { id: string; origin: unknown }[] }>().items).toContainEqual(
      expect.objectContaining({
        id: payload.id,
        name: 'node-7',
        origin: { via: 'enrolment', token: id, address: '10.9.9.9' },
      }),
    );
    const tokens = await app.inject({
      method: 'GET',
      url: '/api/v1/keys/enrol-tokens',
      headers: { authorization: `Bearer ${admin}` },
    });
    const [spent] = tokens.json<{
      items: { id: string; used: string | null; key: string | null }[];
    }>().items;
    expect([spent?.id, typeof spent?.used, spent?.key]).toEqual([id, 'string', payload.id]);
    // replay: 401 with the reason, nothing issued
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/enrol/hello',
      payload: host.hello,
      remoteAddress: '10.8.8.8',
    });
    expect(again.statusCode).toBe(401);
    expect(again.json<{ message: string }>().message).toMatch(/already used/);
    // truncated: 400 naming the field
    const cut = await app.inject({
      method: 'POST',
      url: '/api/v1/enrol/hello',
      payload: { ...host.hello, mlkem: host.hello.mlkem.slice(0, 64) },
      remoteAddress: '10.8.8.8',
    });
    expect(cut.statusCode).toBe(400);
    expect(cut.json<{ field?: string }>().field).toBe('mlkem');
    // not JSON at all
    const garbage = await app.inject({
      method: 'POST',
      url: '/api/v1/enrol/hello',
      headers: { 'content-type': 'application/json' },
      payload: '{"v":1,',
      remoteAddress: '10.8.8.8',
    });
    expect(garbage.statusCode).toBe(400);
    expect((await ctx.keys.list()).length).toBe(2);
    // 60 refusals from one address: then 429 before any token is looked at
    for (let i = 1; i < 60; i++)
      await app.inject({
        method: 'POST',
        url: '/api/v1/enrol/hello',
        payload: host.hello,
        remoteAddress: '10.8.8.8',
      });
    const limited = await app.inject({
      method: 'POST',
      url: '/api/v1/enrol/hello',
      payload: host.hello,
      remoteAddress: '10.8.8.8',
    });
    expect(limited.statusCode).toBe(429);
    await app.close();
  });

  it('an ingest or read key cannot make enrolment tokens', async () => {
    const { app, release, ctx } = slowApp(8, () => undefined, undefined, { auth: true });
    release();
    const read = (await ctx.keys.create({ tenant: 'shop', scope: 'read' })).key;
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/keys/enrol-tokens',
      headers: { authorization: `Bearer ${read}` },
      payload: { scope: 'admin' },
    });
    expect(r.statusCode).toBe(403);
    await app.close();
  });
});

describe('enrolment routes under fuzzing (fast-check)', () => {
  const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
  it('no hostile hello or confirmation gets a 5xx or issues a key: random JSON, a real hello with fields cut, swapped or huge', async () => {
    const { app, release, ctx } = slowApp(8, () => undefined, undefined, {
      auth: true,
      rateLimitPerMinute: 1e9,
    });
    release();
    const { token } = await ctx.enrolment.createToken({
      tenant: 'shop',
      scope: 'ingest',
      ttlMs: 3_600_000,
    });
    const { hello } = startEnrolment(token, 'fuzz');
    const statuses = new Map<number, number>();
    let n = 0;
    const post = async (url: string, payload: unknown) => {
      // a new address each time: the failures limit is not what this tests
      const r = await app.inject({
        method: 'POST',
        url,
        payload: JSON.stringify(payload),
        headers: { 'content-type': 'application/json' },
        remoteAddress: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n++ & 255}`,
      });
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      return r.statusCode < 500;
    };
    const field = fc.constantFrom('v', 'token', 'x25519', 'mlkem', 'nonce', 'name', 'mac');
    const hostile = fc.oneof(
      fc.jsonValue(),
      fc.string({ maxLength: 3000 }),
      fc.base64String({ maxLength: 3000 }),
      fc.integer(),
      fc.constant(null),
    );
    for (const url of ['/api/v1/enrol/hello', '/api/v1/enrol/confirm']) {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), (body) => post(url, body)),
        { numRuns: RUNS },
      );
      await fc.assert(
        fc.asyncProperty(field, hostile, (f, v) => post(url, { ...hello, [f]: v })),
        { numRuns: RUNS },
      );
    }
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    // nothing was issued: only the token exists, unused
    expect(await ctx.keys.list()).toEqual([]);
    expect((await ctx.enrolment.listTokens())[0]!.usedMs).toBeUndefined();
    await app.close();
  });
});

describe('request validation', () => {
  it('an unknown query parameter or body field is a 400 naming it and what the route takes, not silently dropped', async () => {
    const { app, release } = slowApp(4);
    release();
    const q = await app.inject({ method: 'GET', url: '/api/v1/spans?servce=payments&limit=5' });
    expect(q.statusCode).toBe(400);
    expect(q.json()).toMatchObject({ code: 400, error: 'FST_ERR_VALIDATION', field: 'servce' });
    expect(q.json<{ message: string }>().message).toMatch(
      /^unknown query parameter "servce" of \/api\/v1\/spans; it takes: .*service/,
    );
    const b = await app.inject({
      method: 'POST',
      url: '/api/v1/incidents/scan',
      payload: { from: '2026-01-01T00:00:00Z', to: '2026-01-01T01:00:00Z', referense: '2h' },
    });
    expect(b.statusCode).toBe(400);
    expect(b.json()).toMatchObject({ field: 'referense' });
    expect(b.json<{ message: string }>().message).toMatch(
      /^unknown field "referense" of \/api\/v1\/incidents\/scan; it takes: from, to, reference/,
    );
    // known parameters still pass
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/spans?service=payments&limit=5' }))
        .statusCode,
    ).toBe(200);
    await app.close();
  });
});

describe('one bad request harms no one else', () => {
  it('a batch the store cannot hold fails its own request (400, not retried), the others sharing its transaction are written; an unavailable store says when to retry', async () => {
    const poison = (e: Parameters<TelemetryStorePort['appendMany']>[0]) =>
      e.some((x) => x.batch.metrics?.some((m) => m.value === 13))
        ? new AppError(
            'STORE.REJECTED',
            'the store cannot hold a value of this request: out of range',
          )
        : undefined;
    const { app, release } = slowApp(8, poison);
    const send = (i: number) => sendMetrics(app, i);
    const answers = [1, 2, 13, 4, 5].map(send);
    await new Promise((r) => setTimeout(r, 20));
    release();
    const codes = (await Promise.all(answers)).map((a) => a.statusCode);
    expect(codes).toEqual([200, 200, 400, 200, 200]);
    const bad = await send(13);
    expect(bad.json()).toMatchObject({ code: 400, error: 'STORE.REJECTED' });
    await app.close();

    const down = slowApp(
      4,
      () => new AppError('STORE.UNAVAILABLE', 'the store could not write the batch: disk full'),
    );
    down.release();
    const r = await sendMetrics(down.app, 1);
    expect(r.statusCode).toBe(503);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    await down.app.close();
  });
});

describe('incidents of no one', () => {
  it("the explanations of an incident the tenant does not have are a 404, like the incident (another tenant's included)", async () => {
    const { app, release } = slowApp(4);
    release();
    const r = await app.inject({ method: 'GET', url: '/api/v1/incidents/inc_nope/explanations' });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ code: 404 });
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/incidents/inc_nope' })).statusCode,
    ).toBe(404);
    await app.close();
  });
});

describe('OTLP routes under fuzzing (fast-check), over the DuckDB store', () => {
  const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
  it('no body, however hostile, gets a 5xx: random bytes in either encoding and gzip, the OTLP shape with hostile values', async () => {
    const store = await createDuckDbTelemetryStore({
      path: join(mkdtempSync(join(tmpdir(), 'bifrost-fuzz-')), 'bifrost.duckdb'),
    });
    // no request-rate limit: every body is to reach the decoders and the store
    const { app, release } = slowApp(64, () => undefined, store, { rateLimitPerMinute: 1e9 });
    release();
    const statuses = new Map<number, number>();
    const post = async (url: string, payload: Buffer, headers: Record<string, string>) => {
      const r = await app.inject({ method: 'POST', url, headers, payload });
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      return r.statusCode < 500;
    };
    const routes = [
      ['/v1/logs', 'logs'],
      ['/v1/metrics', 'metrics'],
      ['/v1/traces', 'traces'],
    ] as const;
    for (const [url, signal] of routes) {
      await fc.assert(
        fc.asyncProperty(requests[signal]!, (req) =>
          post(url, Buffer.from(JSON.stringify(req)), { 'content-type': 'application/json' }),
        ),
        { numRuns: RUNS },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 2000 }),
          fc.constantFrom('application/json', 'application/x-protobuf'),
          fc.boolean(),
          async (bytes, type, gz) =>
            post(url, Buffer.from(bytes), {
              'content-type': type,
              ...(gz ? { 'content-encoding': 'gzip' } : {}),
            }),
        ),
        { numRuns: RUNS },
      );
      // valid protobuf, gzipped, with its bytes cut: an answer, never a 5xx
      const valid = Buffer.from(validProtobuf(signal));
      expect(
        await post(url, gzipSync(valid), {
          'content-type': 'application/x-protobuf',
          'content-encoding': 'gzip',
        }),
      ).toBe(true);
      expect(
        await post(url, gzipSync(valid).subarray(0, 15), {
          'content-type': 'application/x-protobuf',
          'content-encoding': 'gzip',
        }),
      ).toBe(true);
    }
    if (process.env.FUZZ_RUNS !== undefined)
      process.stdout.write(
        `fuzzed answers by status: ${JSON.stringify(Object.fromEntries(statuses))}\n`,
      );
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    // the fuzz reached the store, not only the decoders
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    await app.close();
    await store.close();
  });
});
