/**
 * Simulated faults on the Nezha TrainTicket traces, of the two kinds that make up most of the
 * day Nezha's public fault list holds back (network delays and CPU contention, on services with
 * no fault in ../shared): one service at a time, from the middle of the fault-free baseline
 * period, then `bifrost rca` (the real CLI) is asked where that service ranks.
 *
 * `--fault delay` (bench:rca-delay) delays every packet the service sends, as `tc netem` or
 * ChaosBlade's pod-network delay do on a pod's interface: a call to the service ends `--delay`
 * later (its response is late), a call it makes (to another service, or a database statement or
 * commit of its own) ends `--delay` later (its request is late).
 *
 * `--fault cpu` (bench:rca-cpu) starves the service of CPU as a cgroup quota does: a span of the
 * service's own is held up one scheduling period (`--stall`, 100 ms, the CFS period) with odds
 * `--share` (0.5), and so is a request to it before it is taken up. In the two real CPU faults of
 * ../shared the service's entry spans went from about 10 ms to 300–500 ms (several of its spans
 * stalled in turn) and calls to it began ~60 ms after their callers' spans (2 ms usually), so
 * the default is the milder case.
 *
 * `--fault down` (bench:rca-down) takes the service down, as a crash or a pod that is gone does:
 * from the onset it leaves no span, log or metric point, and each call to it fails at once
 * ("connection refused"), as does the caller's operation that made it. OpenTelemetry records a
 * call as a CLIENT span of the caller naming its peer (`peer.service`, `server.address`) and
 * parent of the callee's SERVER span; the Nezha traces have no client spans, so this fault first
 * puts one, as OpenTelemetry would, between every caller span and its callee in another service
 * over the whole store (the reference included; 1 ms longer each way than the callee's span,
 * within the caller's), then removes the service's spans from the onset
 * with everything under them, and turns the client spans that called it into 1 ms failures.
 *
 * `--fault error` (bench:rca-error) makes the service fail requests, as an exception thrown in a
 * handler does: from the onset each call to it (a span of its own whose parent is another
 * service's) fails with odds `--share` (0.5), status ERROR, and the failure goes up the call
 * chain: every span above it fails too (each caller returns an error in turn, as a 5xx does
 * through services that do not catch it). The Nezha traces carry no span status at all; an
 * OpenTelemetry SDK sets ERROR on a server span that answers 5xx and on a client span that gets
 * one. So every service on the path fails, more of them the higher it is: the cause is the
 * deepest. Logs are left as they were (the harder case: the trace evidence alone).
 *
 * `--fault db` (bench:rca-db) slows a database, which has no spans of its own: OpenTelemetry's
 * JDBC instrumentation records each statement as a CLIENT span of the service that runs it,
 * naming the database (`db.system`, `server.address`); the Nezha traces have the statements
 * (`SELECT ts.orders`, leaf spans of 20 services) but as plain spans, so this fault first makes
 * them such client spans, on the store with client spans between services. TrainTicket's
 * services share one MySQL database (`ts`); by default each service gets a database of its own
 * (`<service>-mysql`, 20 faults: the database against the one service that calls it), with
 * `--shared-db` they all call one (`ts-mysql`, one fault against 20 callers). From the onset
 * every statement to the slowed database ends `--delay` (100 ms) later.
 *
 * A delay or CPU starvation is applied to the spans of a copy of the imported store, and every span above lengthens
 * by what its children gained (calls in sequence; a child that outlasts its parent is
 * asynchronous work, which the parent does not wait for). Span starts, logs and metrics are left
 * as they were: a real fault would also show in the callers' timeouts and the pod's metrics, so
 * this is the harder case. It measures the trace evidence alone: the rank `rca` gives the faulty
 * service, and whether `bifrost incidents` opens an incident for it.
 *
 * Run: npm run bench:rca-delay [-- --store <dir>] [-- --delay 100ms]   (writes bench/results/rca-delay.json)
 *      npm run bench:rca-cpu [-- --store <dir>] [-- --stall 100ms --share 0.5]   (bench/results/rca-cpu.json)
 *      npm run bench:rca-down [-- --store <dir>]   (bench/results/rca-down.json)
 *      npm run bench:rca-error [-- --store <dir>] [-- --share 0.5]   (bench/results/rca-error.json)
 *      npm run bench:rca-db [-- --store <dir>] [-- --delay 100ms] [-- --shared-db]   (bench/results/rca-db.json)
 *   --store <dir>    reuse (or create once) the imported store there (bench:rca's); never modified
 *   --fault <kind>   delay, cpu, down, error or db
 *   --delay <N ms>   delay: added to each packet the service sends; db: to each statement (default 100 ms)
 *   --shared-db      db: one database all services call, instead of one per service
 *   --stall <N ms>   cpu: how long a starved span is held up (default 100 ms)
 *   --share <0..1>   cpu: the odds that a span of the service is held up; error: that a call to
 *                    it fails (default 0.5)
 *   --client-spans   delay, cpu, error: on the store with client spans (as `down` is by default), the
 *                    shape OpenTelemetry gives traces (the control: its baseline opens no incident)
 *   --no-client-spans  down: on the traces as they are (the callers' own spans fail instead)
 *   --only <service> this service alone, and keep its changed store (printed) to look into
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { baselineRange, bifrost, nezhaData, nezhaStore } from './nezha.js';
import { resultsDir } from './paths.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(2);
};
const millis = (name: string): number => {
  const text = arg(name) ?? '100ms';
  const m = /^(\d+)ms$/.exec(text);
  return m === null
    ? fail(`${name} ${text}: expected a whole number of milliseconds, e.g. 100ms`)
    : Number(m[1]);
};
const fault = arg('--fault') ?? 'delay';
if (fault !== 'delay' && fault !== 'cpu' && fault !== 'down' && fault !== 'error' && fault !== 'db')
  fail(
    `--fault ${fault}: expected delay (a network delay), cpu (CPU contention), down (the service gone), error (it fails requests) or db (a database slows)`,
  );
const sharedDb = process.argv.includes('--shared-db');
const delayMs = millis('--delay');
const stallMs = millis('--stall');
const shareText = arg('--share') ?? '0.5';
const share = Number(shareText);
if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(shareText) || share <= 0)
  fail(`--share ${shareText}: expected odds above 0 and at most 1, e.g. 0.5`);

interface SpanRow {
  key: string;
  traceId: string;
  spanId: string;
  parent: string;
  service: string;
  name: string;
  startMs: number;
  endMs: number;
}

/** A leaf span of a service's own that goes over its network: a database statement or commit. */
const OUTBOUND = /^(SELECT|INSERT|UPDATE|DELETE|REPLACE|CALL)\b|commit/i;

/** The time a fault adds to a span itself (not through its children): child is the span's own child, when it has one in question. */
type OwnTime = (
  span: SpanRow,
  child: SpanRow | undefined,
  parent: SpanRow | undefined,
  childCount: number,
) => number;

/** A network delay of `delay` ms on every packet `service` sends. */
const networkDelay =
  (service: string, delay: number): OwnTime =>
  (s, c, parent, childCount) => {
    // the service's response to a caller, or its request to another service, is late
    if (c !== undefined)
      return (s.service !== service && c.service === service) ||
        (s.service === service && c.service !== service)
        ? delay
        : 0;
    // its own database statements: the request is late
    return s.service === service &&
      childCount === 0 &&
      parent?.service === service &&
      OUTBOUND.test(s.name)
      ? delay
      : 0;
  };

/** A database statement as JDBC instrumentation records it: `SELECT ts.orders` (TrainTicket's database is `ts`). */
const STATEMENT = /^(SELECT|INSERT|UPDATE|DELETE) ts\./;

/** The database a statement span goes to: one per service, or the one all share. */
const databaseOf = (s: { service: string }) => (sharedDb ? 'ts-mysql' : `${s.service}-mysql`);

/** A database slowed by `delay` ms: every statement to it ends later. */
const slowDatabase =
  (db: string, delay: number): OwnTime =>
  (s, c, _parent, childCount) =>
    c === undefined && childCount === 0 && STATEMENT.test(s.name) && databaseOf(s) === db
      ? delay
      : 0;

/** A number in [0, 1) fixed by the text (FNV-1a): which spans a simulated CPU starvation holds up, the same on every run. */
function odds(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 2 ** 32;
}

/**
 * CPU starvation of `service`: each of its spans is held up `stall` ms with odds `share`, and so
 * is a request to it before it is taken up (its caller waits; in the real CPU faults the calls
 * to the starved service began ~60 ms after their callers' did, where they usually take 2 ms).
 */
const cpuStarvation =
  (service: string, stall: number, share: number): OwnTime =>
  (s, c) => {
    if (c === undefined) return s.service === service && odds(s.key) < share ? stall : 0;
    return s.service !== service && c.service === service && odds(`${c.key}/waiting`) < share
      ? stall
      : 0;
  };

/** How much longer each span lasts under a fault: its own added time and what its synchronous children gained. */
function lengthened(spans: readonly SpanRow[], own: OwnTime): Map<string, number> {
  const byKey = new Map(spans.map((s) => [s.key, s]));
  const children = new Map<string, SpanRow[]>();
  for (const s of spans) {
    const p = `${s.traceId}/${s.parent}`;
    if (!byKey.has(p)) continue;
    let l = children.get(p);
    if (l === undefined) children.set(p, (l = []));
    l.push(s);
  }
  const added = new Map<string, number>();
  const visit = (s: SpanRow): number => {
    const known = added.get(s.key);
    if (known !== undefined) return known;
    const kids = children.get(s.key) ?? [];
    let total = own(s, undefined, byKey.get(`${s.traceId}/${s.parent}`), kids.length);
    for (const c of kids) {
      // a child that outlasts its parent is asynchronous work: the parent does not wait for it
      if (c.endMs > s.endMs) continue;
      total += own(s, c, undefined, kids.length) + visit(c);
    }
    added.set(s.key, total);
    return total;
  };
  // every span, asynchronous children included (their parents skipped them)
  for (const s of spans) visit(s);
  for (const [k, v] of added) if (v === 0) added.delete(k);
  return added;
}

const baseline = baselineRange();
if (!Number.isFinite(baseline.fromMs)) {
  process.stderr.write(
    `${nezhaData}: no baseline/log or baseline/trace files: the simulated faults are injected into the fault-free period\n`,
  );
  process.exit(2);
}
const { store, temporary } = nezhaStore(arg('--store'));
// the fault begins a minute into the baseline, in a minute of its own: the window of 3 minutes
// around it holds the baseline alone (the next fault is injected 08:52:06)
const onsetMs = Math.ceil((baseline.fromMs + 30_000) / 60_000) * 60_000;
const untilMs = baseline.toMs + 1;
/** Lengthens the spans of a store by the milliseconds given per `traceId/spanId`; how many changed. */
async function lengthen(c: DuckDBConnection, added: Map<string, number>): Promise<number> {
  await c.run('CREATE TABLE added (trace_id VARCHAR, span_id VARCHAR, ms DOUBLE)');
  const appender = await c.createAppender('added');
  for (const [key, ms] of added) {
    const [traceId, spanId] = key.split('/') as [string, string];
    appender.appendVarchar(traceId);
    appender.appendVarchar(spanId);
    appender.appendDouble(ms);
    appender.endRow();
  }
  appender.closeSync();
  await c.run(
    `UPDATE spans SET end_ms = spans.end_ms + added.ms FROM added WHERE spans.tenant = 'default' AND spans.trace_id = added.trace_id AND spans.span_id = added.span_id`,
  );
  await c.run('DROP TABLE added');
  return added.size;
}

/**
 * A copy of the store at `from` in `to` with a CLIENT span (kind 3, `peer.service` the callee)
 * between every span and its child in another service: the calls as OpenTelemetry records them.
 */
async function withClientSpans(from: string, to: string): Promise<void> {
  copyFileSync(from, to);
  const db = await DuckDBInstance.create(to);
  const c = await db.connect();
  // the call lasts a millisecond longer each way than the callee's span (the network and the
  // client's work), within its caller's span; a callee that outlasts its caller (asynchronous)
  // keeps its own times
  await c.run(`CREATE TABLE pairs AS SELECT c.trace_id, c.span_id AS child, p.span_id AS parent, p.service AS caller, c.service AS callee,
      CASE WHEN c.end_ms > p.end_ms THEN c.start_ms ELSE greatest(p.start_ms, c.start_ms - 1) END AS start_ms,
      CASE WHEN c.end_ms > p.end_ms THEN c.end_ms ELSE least(p.end_ms, c.end_ms + 1) END AS end_ms, p.namespace, p.pod, p.container, p.node, p.host
    FROM spans c JOIN spans p ON p.tenant = c.tenant AND p.trace_id = c.trace_id AND p.span_id = c.parent_span_id
    WHERE c.tenant = 'default' AND c.parent_span_id <> '' AND coalesce(p.service, '') <> coalesce(c.service, '')`);
  await c.run(
    `INSERT INTO spans SELECT 'default', trace_id, 'client-' || child, parent, 'call ' || callee, 3, start_ms, end_ms, 0, '', caller, namespace, pod, container, node, host, json_object('peer.service', callee)::VARCHAR FROM pairs`,
  );
  await c.run(
    `UPDATE spans SET parent_span_id = 'client-' || pairs.child FROM pairs WHERE spans.tenant = 'default' AND spans.trace_id = pairs.trace_id AND spans.span_id = pairs.child`,
  );
  await c.run('DROP TABLE pairs');
  c.closeSync();
  db.closeSync();
}

/**
 * Takes `service` down from the onset: its spans and everything under them, its logs and metric
 * points are gone; the client spans that called it fail in 1 ms, and so do the operations that
 * made those calls. Returns how many spans were removed.
 */
async function takeDown(c: DuckDBConnection, service: string): Promise<number> {
  const range = { service, from: onsetMs, to: untilMs };
  await c.run(
    `CREATE TABLE gone AS WITH RECURSIVE g(trace_id, span_id) AS (
       SELECT trace_id, span_id FROM spans WHERE tenant = 'default' AND service = $service AND start_ms >= $from AND start_ms < $to
       UNION SELECT s.trace_id, s.span_id FROM spans s JOIN g ON s.trace_id = g.trace_id AND s.parent_span_id = g.span_id WHERE s.tenant = 'default')
     SELECT * FROM g`,
    range,
  );
  // the spans that called it: its callers' client spans, or (without them) the callers' own spans
  await c.run(
    `CREATE TABLE refused AS SELECT DISTINCT k.trace_id, k.span_id, k.parent_span_id, k.kind FROM spans k JOIN spans x ON x.trace_id = k.trace_id AND x.parent_span_id = k.span_id JOIN gone g ON g.trace_id = x.trace_id AND g.span_id = x.span_id WHERE k.tenant = 'default' AND x.service = $service AND k.service <> $service`,
    { service },
  );
  const n = Number((await c.runAndReadAll('SELECT count(*) FROM gone')).getRows()[0]![0]);
  await c.run(
    `DELETE FROM spans WHERE tenant = 'default' AND (trace_id, span_id) IN (SELECT trace_id, span_id FROM gone)`,
  );
  await c.run(
    `UPDATE spans SET status_code = 2, status_message = 'connect: connection refused', end_ms = start_ms + 1 WHERE tenant = 'default' AND (trace_id, span_id) IN (SELECT trace_id, span_id FROM refused WHERE kind = 3)`,
  );
  await c.run(
    `UPDATE spans SET status_code = 2, status_message = 'call to ' || $service || ' failed' WHERE tenant = 'default' AND (trace_id, span_id) IN (SELECT trace_id, parent_span_id FROM refused WHERE kind = 3 UNION SELECT trace_id, span_id FROM refused WHERE kind <> 3)`,
    { service },
  );
  await c.run(
    `DELETE FROM logs WHERE tenant = 'default' AND service = $service AND time_ms >= $from AND time_ms < $to`,
    range,
  );
  await c.run(
    `DELETE FROM metric_points WHERE tenant = 'default' AND service = $service AND time_ms >= $from AND time_ms < $to`,
    range,
  );
  await c.run('DROP TABLE gone');
  await c.run('DROP TABLE refused');
  return n;
}

/**
 * Makes `service` fail requests from the onset: each span of its own called by another service
 * fails with odds `share`, and so does every span above it. Returns how many spans failed.
 */
async function failRequests(
  c: DuckDBConnection,
  service: string,
  spans: readonly SpanRow[],
  share: number,
): Promise<number> {
  const byKey = new Map(spans.map((s) => [s.key, s]));
  const failed = new Set<string>();
  for (const s of spans) {
    const parent = byKey.get(`${s.traceId}/${s.parent}`);
    if (
      s.service !== service ||
      parent === undefined ||
      parent.service === service ||
      odds(`${s.key}/fails`) >= share
    )
      continue;
    for (
      let x: SpanRow | undefined = s;
      x !== undefined && !failed.has(x.key);
      x = byKey.get(`${x.traceId}/${x.parent}`)
    )
      failed.add(x.key);
  }
  await c.run('CREATE TABLE failed (trace_id VARCHAR, span_id VARCHAR)');
  const appender = await c.createAppender('failed');
  for (const key of failed) {
    const [traceId, spanId] = key.split('/') as [string, string];
    appender.appendVarchar(traceId);
    appender.appendVarchar(spanId);
    appender.endRow();
  }
  appender.closeSync();
  await c.run(
    `UPDATE spans SET status_code = 2, status_message = 'HTTP 500' FROM failed WHERE spans.tenant = 'default' AND spans.trace_id = failed.trace_id AND spans.span_id = failed.span_id`,
  );
  await c.run('DROP TABLE failed');
  return failed.size;
}

/** Database statements as CLIENT spans that name their database, as JDBC instrumentation records them. */
async function withDatabaseSpans(path: string): Promise<void> {
  const db = await DuckDBInstance.create(path);
  const c = await db.connect();
  const server = sharedDb ? "'ts-mysql'" : "service || '-mysql'";
  await c.run(
    `UPDATE spans SET kind = 3, attributes = json_object('db.system', 'mysql', 'db.name', 'ts', 'server.address', ${server})::VARCHAR WHERE tenant = 'default' AND regexp_matches(name, '${STATEMENT.source}')`,
  );
  c.closeSync();
  db.closeSync();
}

// the store every service's copy starts from: the import, or with client spans (a service down needs them)
const clientSpans =
  (fault === 'down' && !process.argv.includes('--no-client-spans')) ||
  fault === 'db' ||
  process.argv.includes('--client-spans');
const work = mkdtempSync(join(tmpdir(), 'bifrost-rca-sim-'));
const base = clientSpans ? join(work, 'with-client-spans.duckdb') : join(store, 'bifrost.duckdb');
if (clientSpans) await withClientSpans(join(store, 'bifrost.duckdb'), base);
if (fault === 'db') await withDatabaseSpans(base);
const source = await DuckDBInstance.create(base, { access_mode: 'READ_ONLY' });
const conn = await source.connect();
const reader = await conn.runAndReadAll(
  `SELECT trace_id, span_id, parent_span_id, coalesce(service, ''), name, start_ms, end_ms FROM spans WHERE tenant = 'default' AND start_ms >= $from AND start_ms < $to`,
  { from: onsetMs, to: untilMs },
);
const spans: SpanRow[] = reader.getRows().map((r) => ({
  key: `${String(r[0])}/${String(r[1])}`,
  traceId: String(r[0]),
  spanId: String(r[1]),
  parent: String(r[2]),
  service: String(r[3]),
  name: String(r[4]),
  startMs: Number(r[5]),
  endMs: Number(r[6]),
}));
conn.closeSync();
source.closeSync();

// a delay: every service that another calls in those minutes (a delay on it is visible in its
// calls); CPU starvation: every service with spans
const keyed = new Map(spans.map((s) => [s.key, s]));
// a database: each one that statements went to in those minutes
const services =
  fault === 'db'
    ? [...new Set(spans.filter((s) => STATEMENT.test(s.name)).map(databaseOf))].sort()
    : [
        ...new Set(
          spans
            .filter((s) => {
              const p = keyed.get(`${s.traceId}/${s.parent}`);
              return (
                s.service !== '' &&
                (fault === 'cpu' || (p !== undefined && p.service !== s.service))
              );
            })
            .map((s) => s.service),
        ),
      ].sort();
const what =
  fault === 'delay'
    ? `network delay of ${delayMs} ms`
    : fault === 'cpu'
      ? `CPU starvation (${stallMs} ms stalls on ${share} of its spans)`
      : fault === 'down'
        ? 'service down (no spans, logs or metrics; calls to it refused)'
        : fault === 'error'
          ? `failing requests (${share} of the calls to it, and every span above them)`
          : `database ${delayMs} ms slower on every statement (${sharedDb ? 'one database all services share' : 'one database per service'})`;
process.stderr.write(
  `${spans.length} spans from ${new Date(onsetMs).toISOString()} to ${new Date(untilMs).toISOString()}; a ${what} on each of ${services.length} services in turn\n`,
);

interface Row {
  service: string;
  spansChanged: number;
  rank: number | undefined;
  top3: string[];
  /** The kinds of evidence rca gave the faulty service (latency, network, …). */
  signals: string[];
  /** An incident opened in the minutes of the fault: with the faulty service as its first cause, another first, or none. */
  incident: 'first' | 'other' | 'none';
}
const rows: Row[] = [];
const only = arg('--only');
if (only !== undefined && !services.includes(only))
  fail(
    `--only ${only}: not a service ${fault === 'cpu' ? 'with spans' : 'called by another'} in those minutes; one of: ${services.join(', ')}`,
  );
// the store every service's copy starts from: the import, with client spans for a service down
// the control: with client spans and no fault, the baseline opens no incident (bench:rca's rule)
let controlIncidents: number | undefined;
if (clientSpans) {
  const dir = join(work, 'control');
  mkdirSync(dir);
  copyFileSync(base, join(dir, 'bifrost.duckdb'));
  controlIncidents = (
    JSON.parse(
      bifrost([
        'incidents',
        '--since',
        new Date(baseline.fromMs).toISOString(),
        '--until',
        new Date(untilMs).toISOString(),
        '--output',
        'json',
        '--data',
        dir,
      ]),
    ) as { incidents: unknown[] }
  ).incidents.length;
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(
    `with client spans and no fault: ${controlIncidents} incidents in the baseline\n`,
  );
}
for (const service of only === undefined ? services : [only]) {
  const dir = join(work, service);
  mkdirSync(dir);
  copyFileSync(base, join(dir, 'bifrost.duckdb'));
  const db = await DuckDBInstance.create(join(dir, 'bifrost.duckdb'));
  const c = await db.connect();
  const spansChanged =
    fault === 'down'
      ? await takeDown(c, service)
      : fault === 'error'
        ? await failRequests(c, service, spans, share)
        : await lengthen(
            c,
            lengthened(
              spans,
              fault === 'delay'
                ? networkDelay(service, delayMs)
                : fault === 'db'
                  ? slowDatabase(service, delayMs)
                  : cpuStarvation(service, stallMs, share),
            ),
          );
  c.closeSync();
  db.closeSync();
  const out = JSON.parse(
    bifrost([
      'rca',
      '--at',
      new Date(onsetMs).toISOString(),
      '--window',
      '3m',
      '--output',
      'json',
      '--top',
      '50',
      '--data',
      dir,
    ]),
  ) as { candidates: { service: string; score: number; evidence: { signal: string }[] }[] };
  // and whether incident detection opens one for it, in the minutes of the fault
  const scan = JSON.parse(
    bifrost([
      'incidents',
      '--since',
      new Date(baseline.fromMs).toISOString(),
      '--until',
      new Date(untilMs).toISOString(),
      '--output',
      'json',
      '--data',
      dir,
    ]),
  ) as { incidents: { detectedMs: number; causes: { service: string }[] }[] };
  const incident = scan.incidents.find(
    (x) => x.detectedMs > onsetMs && x.detectedMs <= untilMs + 60_000,
  );
  if (only === undefined) rmSync(dir, { recursive: true, force: true });
  else process.stderr.write(`the changed store is kept in ${dir}\n`);
  const i = out.candidates.findIndex((x) => x.service === service);
  rows.push({
    service,
    spansChanged,
    rank: i < 0 ? undefined : i + 1,
    top3: out.candidates.slice(0, 3).map((x) => `${x.service} ${x.score.toFixed(2)}`),
    signals: [...new Set(out.candidates[i]?.evidence.map((e) => e.signal) ?? [])],
    incident:
      incident === undefined ? 'none' : incident.causes[0]?.service === service ? 'first' : 'other',
  });
  const r = rows.at(-1)!;
  process.stderr.write(`  ${service}: rank ${r.rank ?? '—'}\n`);
}
if (only === undefined) rmSync(work, { recursive: true, force: true });
if (temporary) rmSync(store, { recursive: true, force: true });

const within = (k: number) =>
  rows.filter((r) => r.rank !== undefined && r.rank <= k).length / Math.max(rows.length, 1);
const pad = (s: string, n: number) => s.padEnd(n);
console.log(
  `\nSimulated ${what}, one service at a time, from ${new Date(onsetMs).toISOString().slice(11, 19)} in the fault-free baseline${clientSpans ? ', with client spans' : ''} (rca --window 3m)\n`,
);
console.log(
  `${pad('faulty service', 30)} ${pad('spans', 6)} rank  incident  its evidence           top 3`,
);
for (const r of rows)
  console.log(
    `${pad(r.service, 30)} ${pad(String(r.spansChanged), 6)} ${pad(String(r.rank ?? '—'), 5)} ${pad(r.incident, 9)} ${pad(r.signals.join(',') || '—', 22)} ${r.top3.join(' · ')}`,
  );
const opened = rows.filter((r) => r.incident !== 'none').length;
const summary = {
  fault,
  clientSpans,
  ...(fault === 'delay'
    ? { delayMs }
    : fault === 'cpu'
      ? { stallMs, share }
      : fault === 'error'
        ? { share, controlIncidents }
        : fault === 'db'
          ? { delayMs, sharedDb, controlIncidents }
          : { controlIncidents }),
  onset: new Date(onsetMs).toISOString(),
  services: rows.length,
  top1: within(1),
  top3: within(3),
  top5: within(5),
  withNetworkEvidence: rows.filter((r) => r.signals.includes('network')).length,
  incidentsOpened: opened,
  incidentsWithItFirst: rows.filter((r) => r.incident === 'first').length,
};
console.log(
  `\ntop-1 ${summary.top1.toFixed(3)}   top-3 ${summary.top3.toFixed(3)}   top-5 ${summary.top5.toFixed(3)}   (${rows.length} services; network evidence on the faulty service: ${summary.withNetworkEvidence})`,
);
console.log(
  `incident detection: ${opened} of ${rows.length} faults opened an incident, ${summary.incidentsWithItFirst} with the faulty service as its first cause (${controlIncidents === undefined ? 'the unchanged baseline opens none: bench:rca' : `with client spans and no fault the baseline opens ${controlIncidents}`})`,
);
mkdirSync(resultsDir(), { recursive: true });
writeFileSync(
  join(
    resultsDir(),
    `rca-${fault}${fault === 'db' ? (sharedDb ? '-shared' : '') : clientSpans && fault !== 'down' ? '-client-spans' : !clientSpans && fault === 'down' ? '-no-client-spans' : ''}.json`,
  ),
  JSON.stringify({ summary, rows }, null, 2),
);
