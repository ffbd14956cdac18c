import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';
import { startNats } from './helpers/nats.js';
import type { NatsCluster } from './helpers/nats.js';
import { freshSchema, testPostgres } from './helpers/postgres-cluster.js';
import type { TestCluster } from './helpers/postgres-cluster.js';
import { serve, stopServers } from './helpers/serve.js';

const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
const T0 = Date.parse('2026-12-07T10:00:00Z');

let pg: TestCluster | undefined;
beforeAll(async () => {
  pg = await testPostgres();
}, 180_000);
afterAll(() => pg?.stop());
afterEach(stopServers);

/** One OTLP/JSON logs request of `n` records, distinct by `r`. */
const logs = (r: number, n: number) =>
  JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [attr('service.name', `svc-${r % 3}`)] },
        scopeLogs: [
          {
            logRecords: Array.from({ length: n }, (_, i) => ({
              timeUnixNano: ns(T0 + r * 1000 + i),
              severityNumber: 9,
              body: { stringValue: `request ${r} record ${i} done` },
            })),
          },
        ],
      },
    ],
  });

async function keysFor(env: Record<string, string>, tenants: string[], scope: string) {
  const out: Record<string, string> = {};
  for (const t of tenants) {
    const r = await runCli(['keys', 'create', '--tenant', t, '--scope', scope], { env });
    out[t] = r.stdout.trim();
  }
  return out;
}

async function countLogs(url: string, key: string): Promise<{ total: number; distinct: number }> {
  const bodies: string[] = [];
  let cursor: string | undefined;
  do {
    const r = (await (
      await fetch(
        `${url}/api/v1/logs?limit=1000${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
        {
          headers: { authorization: `Bearer ${key}` },
        },
      )
    ).json()) as { items?: { body: string }[]; next?: string | null };
    if (r.items === undefined)
      throw new Error(`GET /api/v1/logs (cursor ${String(cursor)}): ${JSON.stringify(r)}`);
    bodies.push(...r.items.map((l) => l.body));
    cursor = r.next ?? undefined;
  } while (cursor !== undefined);
  return { total: bodies.length, distinct: new Set(bodies).size };
}

async function scenario(nats: NatsCluster, replicas: number, killNatsNode: boolean) {
  const env = { BIFROST_STORE: pg!.url, BIFROST_STORE_SCHEMA: freshSchema() };
  const tenants = ['shop', 'bank', 'games', 'news'];
  const ingest = await keysFor(env, tenants, 'ingest');
  const read = await keysFor(env, tenants, 'read');
  const bus = ['--bus', nats.url, '--bus-replicas', String(replicas), '--auth'];
  const gateway = await serve(bus, env);
  expect(gateway.stderr()).toMatch(
    /bus: gateway: OTLP requests acknowledged once JetStream has stored them/,
  );
  const [w1] = await Promise.all([
    serve([...bus, '--role', 'worker'], env),
    serve([...bus, '--role', 'worker'], env),
  ]);
  // only the worker itself hands requests over as the bus: a forged token is just a missing key
  const forged = await fetch(`${w1.url}/v1/logs`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-bifrost-bus-token': 'f'.repeat(48),
      'x-bifrost-bus-tenant': 'bank',
      'x-bifrost-bus-key': 'bus:BIFROST_INGEST:1',
    },
    body: logs(999, 1),
  });
  expect(forged.status).toBe(401);
  const acked = new Map<string, number>(tenants.map((t) => [t, 0]));
  const send = async (t: string, r: number) => {
    for (let tries = 0; tries < 40; tries++) {
      const res = await fetch(`${gateway.url}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ingest[t]!}` },
        body: logs(r, 20),
      }).catch(() => undefined);
      if (res?.status === 200) {
        acked.set(t, acked.get(t)! + 20);
        return;
      }
      await new Promise((ok) => setTimeout(ok, 250));
    }
  };
  for (let r = 0; r < 60; r++) {
    // a worker dies (SIGKILL) a third of the way; a NATS node two thirds of the way
    if (r === 20) w1.child.kill('SIGKILL');
    if (r === 40 && killNatsNode) nats.nodes[1]!.kill();
    await Promise.all(tenants.map((t) => send(t, r)));
  }
  // every acknowledged record is there, none twice, once the surviving worker has caught up
  for (const t of tenants) {
    expect(acked.get(t)).toBe(1200);
    let n = { total: 0, distinct: 0 };
    for (let i = 0; i < 120 && n.total < 1200; i++) {
      n = await countLogs(gateway.url, read[t]!);
      if (n.total < 1200) await new Promise((ok) => setTimeout(ok, 500));
    }
    expect(n).toEqual({ total: 1200, distinct: 1200 });
  }
}

describe('bifrost serve --bus (NATS JetStream): gateways and workers', () => {
  it('every acknowledged record is stored once when a worker is killed under load (one NATS node)', async () => {
    const nats = await startNats(1);
    try {
      await scenario(nats, 1, false);
    } finally {
      stopServers();
      nats.stop();
    }
  }, 180_000);

  it('and when a node of a three-node NATS cluster is killed too (3 replicas)', async () => {
    const nats = await startNats(3);
    try {
      await scenario(nats, 3, true);
    } finally {
      stopServers();
      nats.stop();
    }
  }, 240_000);

  it('--bus without a shared store, or not a NATS URL, is refused with advice', async () => {
    const a = await runCli(['serve', '--bus', 'nats://127.0.0.1:4222', '--port', '0']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--bus needs a shared store \(--store postgres:\/\/…\)/);
    const b = await runCli([
      'serve',
      '--bus',
      'kafka://x',
      '--store',
      'postgres://x@y/z',
      '--port',
      '0',
    ]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--bus must be NATS URLs such as nats:\/\//);
  });
});
