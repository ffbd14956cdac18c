/**
 * Ingest past one node: the same OTLP log load into (1) one `bifrost serve` with its embedded
 * DuckDB file, (2) one with the shared PostgreSQL store, (3) a gateway on the NATS JetStream bus
 * with one worker, (4) the same with two workers. Four tenants (one API key each, so their
 * requests fall on different partitions of the bus), protobuf requests of 1,000 distinct records,
 * 4 in flight. For each: acknowledged records/s (for the bus: stored by JetStream) and written
 * records/s (until every record is in the store, counted through the API).
 *
 * Run: npm run bench:scale -- --store postgres://… --bus nats://… [--requests 120]
 *      (writes bench/results/scale.json). PostgreSQL and nats-server (with -js) must be running;
 *      each run uses schemas of its own.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot, resultsDir } from './paths.js';
import { logsRequest } from './server-load.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const STORE = arg('--store');
const BUS = arg('--bus');
const REQUESTS = Number(arg('--requests') ?? 120);
const PER_REQUEST = 1000;
const TENANTS = ['shop', 'bank', 'games', 'news'];
if (STORE === undefined || BUS === undefined) {
  process.stderr.write(
    'bench:scale needs --store postgres://… and --bus nats://… (PostgreSQL, and nats-server -js, running)\n',
  );
  process.exit(2);
}
const BIN = join(projectRoot(), 'bin', 'bifrost.js');

function start(
  args: string[],
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', '0', '--log-level', 'warn', ...args],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    },
  );
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m && err.includes('\nstore:')) resolve({ url: m[1]!, child });
    });
    child.on('exit', (code) => {
      reject(new Error(`serve exited ${String(code)}: ${err}`));
    });
  });
}

function keys(env: Record<string, string>, data: string[], scope: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of TENANTS) {
    const r = spawnSync(
      process.execPath,
      [BIN, 'keys', 'create', '--tenant', t, '--scope', scope, ...data],
      {
        env: { ...process.env, ...env },
        encoding: 'utf8',
      },
    );
    if (r.status !== 0) throw new Error(`keys create: ${r.stderr}`);
    out[t] = r.stdout.trim();
  }
  return out;
}

let runs = 0;
async function send(url: string, ingest: Record<string, string>): Promise<number> {
  runs++;
  const bodies = Array.from({ length: REQUESTS }, (_, r) => ({
    tenant: TENANTS[r % TENANTS.length]!,
    // distinct in every run: the bus keeps a request sent again within 2 minutes once (a retry)
    body: logsRequest(runs * REQUESTS + r, PER_REQUEST),
  }));
  let next = 0;
  const t0 = performance.now();
  const client = async () => {
    while (next < bodies.length) {
      const b = bodies[next++]!;
      for (;;) {
        const r = await fetch(`${url}/v1/logs`, {
          method: 'POST',
          body: b.body,
          headers: {
            'content-type': 'application/x-protobuf',
            authorization: `Bearer ${ingest[b.tenant]!}`,
          },
        });
        await r.arrayBuffer();
        if (r.status === 200) break;
        if (r.status !== 503 && r.status !== 429) throw new Error(`${url}: ${r.status}`);
        await new Promise((ok) => setTimeout(ok, 200));
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, client));
  return (performance.now() - t0) / 1000;
}

/** Records stored so far, over every tenant (the services' log counts). */
async function stored(url: string, read: Record<string, string>): Promise<number> {
  let n = 0;
  for (const t of TENANTS) {
    const r = (await (
      await fetch(`${url}/api/v1/services`, { headers: { authorization: `Bearer ${read[t]!}` } })
    ).json()) as { items?: { logs: number }[] } | { logs: number }[];
    const items = Array.isArray(r) ? r : (r.items ?? []);
    n += items.reduce((a, s) => a + s.logs, 0);
  }
  return n;
}

interface Row {
  mode: string;
  ackedPerSecond: number;
  writtenPerSecond: number;
}

async function run(
  mode: string,
  gatewayArgs: string[],
  workers: number,
  env: Record<string, string>,
  data: string[],
): Promise<Row> {
  const ingest = keys(env, data, 'ingest');
  const read = keys(env, data, 'read');
  const nodes = [await start([...gatewayArgs, '--auth'], env)];
  for (let w = 0; w < workers; w++)
    nodes.push(await start([...gatewayArgs, '--auth', '--role', 'worker'], env));
  try {
    // workers take their partitions first (a lease round)
    if (workers > 0) await new Promise((ok) => setTimeout(ok, 4_000));
    const t0 = performance.now();
    const ackSeconds = await send(nodes[0]!.url, ingest);
    const total = REQUESTS * PER_REQUEST;
    // written within 2 minutes of the last acknowledgement, or the run says how far it got
    const deadline = performance.now() + 120_000;
    for (let have = 0; (have = await stored(nodes[0]!.url, read)) < total;) {
      if (performance.now() > deadline)
        throw new Error(
          `${mode}: ${have} of ${total} records written 2 minutes after the last acknowledgement`,
        );
      await new Promise((ok) => setTimeout(ok, 200));
    }
    const writtenSeconds = (performance.now() - t0) / 1000;
    const row = {
      mode,
      ackedPerSecond: Math.round(total / ackSeconds),
      writtenPerSecond: Math.round(total / writtenSeconds),
    };
    console.log(
      `${mode.padEnd(44)} acknowledged ${row.ackedPerSecond.toLocaleString('en-US').padStart(7)} records/s   written ${row.writtenPerSecond.toLocaleString('en-US').padStart(7)} records/s`,
    );
    return row;
  } finally {
    for (const n of nodes) n.child.kill('SIGTERM');
    await new Promise((ok) => setTimeout(ok, 1_000));
  }
}

const schema = () => `scale_${Date.now().toString(36)}`;
const rows: Row[] = [];
const data = mkdtempSync(join(tmpdir(), 'bifrost-bench-scale-'));
try {
  rows.push(await run('embedded DuckDB file, one node', ['--data', data], 0, {}, ['--data', data]));
  const pg = { BIFROST_STORE: STORE, BIFROST_STORE_SCHEMA: schema() };
  rows.push(await run('shared PostgreSQL, one node', [], 0, pg, []));
  const one = { BIFROST_STORE: STORE, BIFROST_STORE_SCHEMA: schema() };
  rows.push(await run('NATS bus + PostgreSQL, gateway and 1 worker', ['--bus', BUS], 1, one, []));
  const two = { BIFROST_STORE: STORE, BIFROST_STORE_SCHEMA: schema() };
  rows.push(await run('NATS bus + PostgreSQL, gateway and 2 workers', ['--bus', BUS], 2, two, []));
} finally {
  rmSync(data, { recursive: true, force: true });
}
mkdirSync(resultsDir(), { recursive: true });
writeFileSync(
  join(resultsDir(), 'scale.json'),
  JSON.stringify(
    { requests: REQUESTS, perRequest: PER_REQUEST, tenants: TENANTS.length, rows },
    null,
    2,
  ) + '\n',
);
console.log(
  `(${REQUESTS} protobuf requests × ${PER_REQUEST} log records, ${TENANTS.length} tenants, 4 in flight; everything on this machine's 2 cores)`,
);
