import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';
import { freshSchema, startTestCluster, testPostgres } from './helpers/postgres-cluster.js';
import type { TestCluster } from './helpers/postgres-cluster.js';
import { serve, stopServers } from './helpers/serve.js';

const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
const T0 = Date.parse('2026-12-07T10:00:00Z');

let cluster: TestCluster | undefined;
beforeAll(async () => {
  cluster = await testPostgres();
}, 180_000);
afterAll(() => cluster?.stop());
afterEach(stopServers);

describe('bifrost serve --store postgres://… (several nodes, one store)', () => {
  it('what one node takes in, another answers; the CLI reads and manages the same store while both run', async () => {
    // a password in the URL (trust authentication ignores it) must never be printed
    const url = cluster!.url.replace('postgres@', 'postgres:Zq9secret@');
    const env = { BIFROST_STORE_SCHEMA: freshSchema() };
    const [a, b] = await Promise.all([serve(['--store', url], env), serve(['--store', url], env)]);
    expect(a.stderr()).toMatch(
      /store: PostgreSQL postgres:\/\/127\.0\.0\.1:\d+\/postgres, schema t\w+ \(shared\)/,
    );
    expect(a.stderr() + b.stderr()).not.toContain('Zq9secret');

    const logs = {
      resourceLogs: [
        {
          resource: { attributes: [attr('service.name', 'payments')] },
          scopeLogs: [
            {
              logRecords: [0, 1, 2].map((i) => ({
                timeUnixNano: ns(T0 + i * 1000),
                severityNumber: i === 2 ? 17 : 9,
                body: {
                  stringValue: i === 2 ? 'charge 42 failed: card declined' : `charge ${i} ok`,
                },
              })),
            },
          ],
        },
      ],
    };
    const took = await fetch(`${a.url}/v1/logs`, {
      method: 'POST',
      body: JSON.stringify(logs),
      headers: { 'content-type': 'application/json' },
    });
    expect(took.status).toBe(200);
    const traces = {
      resourceSpans: [
        {
          resource: { attributes: [attr('service.name', 'checkout')] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: 'ab'.repeat(16),
                  spanId: 'cd'.repeat(8),
                  name: 'POST /pay',
                  kind: 2,
                  startTimeUnixNano: ns(T0),
                  endTimeUnixNano: ns(T0 + 40),
                },
              ],
            },
          ],
        },
      ],
    };
    expect(
      (
        await fetch(`${b.url}/v1/traces`, {
          method: 'POST',
          body: JSON.stringify(traces),
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(200);

    // node b answers with node a's logs, and each sees both services
    const errors = (await (await fetch(`${b.url}/api/v1/logs?severity=error`)).json()) as {
      items: { body: string }[];
    };
    expect(errors.items.map((l) => l.body)).toEqual(['charge 42 failed: card declined']);
    for (const node of [a, b]) {
      const services = (await (await fetch(`${node.url}/api/v1/services`)).json()) as {
        items?: { service: string }[];
      } & { service: string }[];
      expect(JSON.stringify(services)).toContain('payments');
      expect(JSON.stringify(services)).toContain('checkout');
    }

    // the CLI works on the shared store while the servers hold it (a DuckDB file would be locked)
    const cli = { env: { BIFROST_STORE: url, ...env } };
    const made = await runCli(
      ['keys', 'create', '--tenant', 'shop', '--scope', 'read', '--name', 'grafana'],
      cli,
    );
    expect(made.stderr).toMatch(/created: tenant shop, scope read/);
    expect(made.code).toBe(0);
    const listed = await runCli(['keys', 'list', '--output', 'json'], cli);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ tenant: 'shop', scope: 'read', name: 'grafana' }) as unknown,
    ]);
    const rca = await runCli(['rca', '--at', new Date(T0).toISOString(), '--output', 'json'], cli);
    expect(rca.code).toBe(0);
    const ranked = JSON.parse(rca.stdout) as { candidates: { service: string }[]; notes: string[] };
    // it found the window's records (with none, the note says where the store's data is)
    expect(ranked.notes).toEqual([
      'no data around the window to learn usual behaviour from: every message counts as new',
    ]);
  });

  it('a --store that is not a PostgreSQL URL is refused with an example, before anything starts', async () => {
    const r = await runCli(['rca', '--at', '2026-12-07T10:00:00Z', '--store', 'mysql://x@y/z']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--store \(BIFROST_STORE\) must be a PostgreSQL URL such as postgres:\/\//,
    );
  });
});

describe('bifrost serve --store while PostgreSQL goes down and comes back', () => {
  it('answers 503 with Retry-After while the database is down, takes the retried request once it is back, and loses nothing acknowledged', async () => {
    const own = await startTestCluster();
    try {
      const s = await serve(['--store', own.url], { BIFROST_STORE_SCHEMA: freshSchema() });
      const post = (i: number) =>
        fetch(`${s.url}/v1/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            resourceLogs: [
              {
                resource: { attributes: [attr('service.name', 'payments')] },
                scopeLogs: [
                  {
                    logRecords: [
                      {
                        timeUnixNano: ns(T0 + i),
                        severityNumber: 9,
                        body: { stringValue: `request ${i}` },
                      },
                    ],
                  },
                ],
              },
            ],
          }),
        });
      expect((await post(1)).status).toBe(200);
      own.pause!();
      const down = await post(2);
      expect(down.status).toBe(503);
      expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
      own.resume!();
      // the exporter sends the refused request again; the pool connects anew
      let again = await post(2);
      for (let tries = 0; again.status === 503 && tries < 20; tries++) {
        await new Promise((r) => setTimeout(r, 250));
        again = await post(2);
      }
      expect(again.status).toBe(200);
      const logs = (await (await fetch(`${s.url}/api/v1/logs?limit=10`)).json()) as {
        items: { body: string }[];
      };
      expect(logs.items.map((l) => l.body).sort()).toEqual(['request 1', 'request 2']);
    } finally {
      stopServers();
      own.stop();
    }
  });
});
