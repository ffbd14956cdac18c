import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../../core/domain/span.js';
import { runTelemetryStoreContract } from '../../../../test/contracts/telemetry-store.contract.js';
import { runHistoryStoreContract } from '../../../../test/contracts/history-store.contract.js';
import { freshSchema, testPostgres } from '../../../../test/helpers/postgres-cluster.js';
import type { TestCluster } from '../../../../test/helpers/postgres-cluster.js';
import { openPostgres } from './postgres-db.js';
import { postgresHistoryStore } from './postgres-history-store.js';
import { postgresTelemetryStore } from './postgres-telemetry-store.js';

let cluster: TestCluster | undefined;
beforeAll(async () => {
  cluster = await testPostgres();
}, 180_000);
afterAll(() => cluster?.stop());

runTelemetryStoreContract('postgres', async () =>
  postgresTelemetryStore(await openPostgres({ url: cluster!.url, schema: freshSchema() })),
);
runHistoryStoreContract('postgres', async () =>
  postgresHistoryStore(await openPostgres({ url: cluster!.url, schema: freshSchema() })),
);

describe('PostgreSQL store, shared by several nodes', () => {
  const span = (i: number, over: Partial<Span> = {}): Span => ({
    traceId: 'c'.repeat(32),
    spanId: String(i).padStart(16, '0'),
    parentSpanId: '',
    name: 'GET /',
    kind: 2,
    startMs: 1_700_000_000_000 + i,
    endMs: 1_700_000_000_010 + i,
    statusCode: 0,
    statusMessage: '',
    resource: { service: 'api' },
    attributes: '{}',
    ...over,
  });
  const open = (schema: string) => openPostgres({ url: cluster!.url, schema });

  it('two nodes writing the same spans at once store each once; both read what either wrote', async () => {
    const schema = freshSchema();
    const [a, b] = [
      postgresTelemetryStore(await open(schema)),
      postgresTelemetryStore(await open(schema)),
    ];
    const spans = Array.from({ length: 200 }, (_, i) => span(i));
    const [ra, rb] = await Promise.all([
      a.append('t', { spans: spans.slice(0, 150) }),
      b.append('t', { spans: spans.slice(50) }),
    ]);
    // the 100 spans both sent are stored by one node and left out by the other
    expect(ra.repeatedSpans + rb.repeatedSpans).toBe(100);
    expect(await a.spans('t', { limit: 500 })).toHaveLength(200);
    expect(await b.spans('t', { limit: 500 })).toHaveLength(200);
    await a.close();
    await b.close();
  });

  it('two nodes writing the same keyed write at once: one writes it, the other finds it written', async () => {
    const schema = freshSchema();
    const [a, b] = [
      postgresTelemetryStore(await open(schema)),
      postgresTelemetryStore(await open(schema)),
    ];
    const batch = {
      spans: Array.from({ length: 50 }, (_, i) => span(i, { spanId: `k${i}`.padStart(16, '0') })),
    };
    const results = await Promise.all([
      a.appendMany([{ tenant: 't', batch, key: 'bus:1' }]),
      b.appendMany([{ tenant: 't', batch, key: 'bus:1' }]),
    ]);
    expect(results.filter((r) => r.alreadyWritten === 1)).toHaveLength(1);
    expect(await a.spans('t', { limit: 100 })).toHaveLength(50);
    await a.close();
    await b.close();
  });

  it('keeps a day of records in a partition of its own; retention drops whole days and deletes the rest by row', async () => {
    const schema = freshSchema();
    const db = await open(schema);
    const s = postgresTelemetryStore(db);
    const day = 86_400_000;
    const d0 = 19_700 * day;
    await s.append('t', {
      spans: [
        span(1, { startMs: d0 + 5, endMs: d0 + 9 }),
        span(2, { startMs: d0 + day + 5, endMs: d0 + day + 9 }),
      ],
      logs: [0, 1, 2].map((k) => ({
        id: `l${k}`,
        timeMs: d0 + k * day + 1000,
        severity: 9,
        severityText: 'INFO',
        body: `b${k}`,
        resource: {},
        attributes: '{}',
        traceId: '',
        spanId: '',
        templateId: 't',
        template: 'b<*>',
        params: [],
      })),
    });
    const parts = async () =>
      (
        await db.query(
          `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $schema AND c.relname ~ '_d[0-9]+$' ORDER BY 1`,
          { schema },
        )
      ).rows.map((r: { name: string }) => r.name);
    expect(await parts()).toEqual([
      'logs_d19700',
      'logs_d19701',
      'logs_d19702',
      'spans_d19700',
      'spans_d19701',
    ]);
    // up to the middle of the second day: the first goes whole, the second loses one log by row
    const n = await s.deleteBefore(d0 + day + 2000);
    expect(n).toEqual({ metrics: 0, logs: 2, spans: 2, findings: 0 });
    expect(await parts()).toEqual(['logs_d19701', 'logs_d19702', 'spans_d19701']);
    expect((await s.logs('t', { limit: 10 })).items.map((l) => l.id)).toEqual(['l2']);
    // a day dropped comes back when its records do
    await s.append('t', { spans: [span(3, { startMs: d0 + 7, endMs: d0 + 8 })] });
    expect(await s.spans('t', { limit: 10, toMs: d0 + day })).toHaveLength(1);
    await s.close();
  });

  it('text holds what COPY escapes (backslashes, tabs, new lines); NUL, which PostgreSQL text cannot hold, becomes U+FFFD; times no day holds are kept', async () => {
    const s = postgresTelemetryStore(await open(freshSchema()));
    const body = 'a\\b\tc\nd\re\u0000f \\N';
    await s.append('t', {
      logs: [NaN, 1e300, -5].map((timeMs, k) => ({
        id: `l${k}`,
        timeMs,
        severity: 17,
        severityText: 'ERROR',
        body,
        resource: { service: 'x\ty' },
        attributes: '{"k":"v\\\\"}',
        traceId: '',
        spanId: '',
        templateId: 't',
        template: 'a<*>',
        params: ['\\', '\n'],
      })),
    });
    const logs = (await s.logs('t', { limit: 10 })).items;
    expect(logs).toHaveLength(3);
    for (const l of logs) {
      expect(l.body).toBe('a\\b\tc\nd\re\uFFFDf \\N');
      expect(l.resource.service).toBe('x\ty');
      expect(l.attributes).toBe('{"k":"v\\\\"}');
      expect(l.params).toEqual(['\\', '\n']);
    }
    await s.close();
  });

  it("a value a column cannot hold is the request's fault (STORE.REJECTED), and the store goes on", async () => {
    const s = postgresTelemetryStore(await open(freshSchema()));
    await expect(
      s.append('t', { spans: [span(1, { kind: 3_000_000_000 })] }),
    ).rejects.toMatchObject({
      code: 'STORE.REJECTED',
    });
    await s.append('t', { spans: [span(1)] });
    expect(await s.spans('t', { limit: 5 })).toHaveLength(1);
    await s.close();
  });

  it('a database that cannot be reached, or a bad schema name, is said plainly (and the password never)', async () => {
    await expect(
      openPostgres({ url: 'postgres://bifrost:s3cret@127.0.0.1:1/none', schema: 'x' }),
    ).rejects.toMatchObject({
      code: 'STORE.UNAVAILABLE',
      message: expect.stringMatching(
        /^cannot open the PostgreSQL store at postgres:\/\/127\.0\.0\.1:1\/none: .*is PostgreSQL running/,
      ) as unknown,
    });
    await expect(
      openPostgres({ url: 'postgres://bifrost:s3cret@127.0.0.1:1/none', schema: 'x' }),
    ).rejects.not.toMatchObject({ message: expect.stringContaining('s3cret') as unknown });
    await expect(
      openPostgres({ url: cluster!.url, schema: 'Robert"; DROP' }),
    ).rejects.toMatchObject({
      code: 'INPUT.BAD_OPTION',
    });
  });
});
