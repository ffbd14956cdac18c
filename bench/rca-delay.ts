/**
 * Simulated network delays on the Nezha TrainTicket traces: none of the 14 faults in
 * ../shared is a network delay, so this delays, one service at a time, every packet the service
 * sends (as `tc netem` or ChaosBlade's pod-network delay do on a pod's interface), from the
 * middle of the fault-free baseline period, and asks `bifrost rca` (the real CLI) where that
 * service ranks.
 *
 * The delay is applied to the spans of a copy of the imported store: a call to the service ends
 * `--delay` later (its response is late), a call it makes (to another service, or a database
 * statement or commit of its own) ends `--delay` later (its request is late), and every span
 * above lengthens by what its children gained (calls in sequence; a child that outlasts its
 * parent is asynchronous work, which the parent does not wait for). Span starts, logs and metrics
 * are left as they were: a real delay would also show in the callers' timeouts and the pod's
 * latency metrics, so this is the harder case. It measures the trace evidence alone: the rank
 * `rca` gives the delayed service, and whether `bifrost incidents` opens an incident for it.
 *
 * Run: npm run bench:rca-delay [-- --store <dir>] [-- --delay 100ms]   (writes bench/results/rca-delay.json)
 *   --store <dir>   reuse (or create once) the imported store there (bench:rca's); never modified
 *   --delay <N ms>  the delay added to each packet the service sends (default 100 ms)
 *   --only <service> delay this service alone, and keep its delayed store (printed) to look into
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { baselineRange, bifrost, nezhaStore } from './nezha.js';
import { resultsDir } from './paths.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const delayArg = arg('--delay') ?? '100ms';
const delayMatch = /^(\d+)ms$/.exec(delayArg);
if (delayMatch === null) {
  process.stderr.write(`--delay ${delayArg}: expected a whole number of milliseconds, e.g. 100ms\n`);
  process.exit(2);
}
const delayMs = Number(delayMatch[1]);

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

/** How much longer each span lasts when `service` sends every packet `delay` ms later. */
function delayed(spans: readonly SpanRow[], service: string, delay: number): Map<string, number> {
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
    let own = 0;
    let total = 0;
    for (const c of kids) {
      // a child that outlasts its parent is asynchronous work: the parent does not wait for it
      if (c.endMs > s.endMs) continue;
      // the service's response to a caller, or its request to another service, is late
      if ((s.service !== service && c.service === service) || (s.service === service && c.service !== service)) own += delay;
      total += visit(c);
    }
    // its own database statements: the request is late
    const parent = byKey.get(`${s.traceId}/${s.parent}`);
    if (s.service === service && kids.length === 0 && parent?.service === service && OUTBOUND.test(s.name)) own += delay;
    total += own;
    added.set(s.key, total);
    return total;
  };
  // every span, asynchronous children included (their parents skipped them)
  for (const s of spans) visit(s);
  for (const [k, v] of added) if (v === 0) added.delete(k);
  return added;
}

const { store, temporary } = nezhaStore(arg('--store'));
const baseline = baselineRange();
// the delay begins a minute into the baseline, in a minute of its own: the window of 3 minutes
// around it holds the baseline alone (the next fault is injected 08:52:06)
const onsetMs = Math.ceil((baseline.fromMs + 30_000) / 60_000) * 60_000;
const untilMs = baseline.toMs + 1;
const source = await DuckDBInstance.create(join(store, 'bifrost.duckdb'), { access_mode: 'READ_ONLY' });
const conn = await source.connect();
const reader = await conn.runAndReadAll(`SELECT trace_id, span_id, parent_span_id, coalesce(service, ''), name, start_ms, end_ms FROM spans WHERE tenant = 'default' AND start_ms >= $from AND start_ms < $to`, { from: onsetMs, to: untilMs });
const spans: SpanRow[] = reader.getRows().map((r) => ({ key: `${String(r[0])}/${String(r[1])}`, traceId: String(r[0]), spanId: String(r[1]), parent: String(r[2]), service: String(r[3]), name: String(r[4]), startMs: Number(r[5]), endMs: Number(r[6]) }));
conn.closeSync();
source.closeSync();

// every service that another calls in those minutes: a delay on it is visible in its calls
const keyed = new Map(spans.map((s) => [s.key, s]));
const called = [...new Set(spans.filter((s) => { const p = keyed.get(`${s.traceId}/${s.parent}`); return p !== undefined && p.service !== s.service && s.service !== ''; }).map((s) => s.service))].sort();
process.stderr.write(`${spans.length} spans from ${new Date(onsetMs).toISOString()} to ${new Date(untilMs).toISOString()}; ${called.length} called services, each delayed ${delayMs} ms in turn\n`);

interface Row {
  service: string;
  spansDelayed: number;
  rank: number | undefined;
  top3: string[];
  network: boolean;
  /** An incident opened in the minutes of the delay: with the delayed service as its first cause, another first, or none. */
  incident: 'first' | 'other' | 'none';
}
const rows: Row[] = [];
const work = mkdtempSync(join(tmpdir(), 'bifrost-rca-delay-'));
const only = arg('--only');
if (only !== undefined && !called.includes(only)) {
  process.stderr.write(`--only ${only}: not a service called by another in those minutes; one of: ${called.join(', ')}\n`);
  process.exit(2);
}
for (const service of only === undefined ? called : [only]) {
  const added = delayed(spans, service, delayMs);
  const dir = join(work, service);
  mkdirSync(dir);
  copyFileSync(join(store, 'bifrost.duckdb'), join(dir, 'bifrost.duckdb'));
  const db = await DuckDBInstance.create(join(dir, 'bifrost.duckdb'));
  const c = await db.connect();
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
  await c.run(`UPDATE spans SET end_ms = spans.end_ms + added.ms FROM added WHERE spans.tenant = 'default' AND spans.trace_id = added.trace_id AND spans.span_id = added.span_id`);
  await c.run('DROP TABLE added');
  c.closeSync();
  db.closeSync();
  const out = JSON.parse(bifrost(['rca', '--at', new Date(onsetMs).toISOString(), '--window', '3m', '--output', 'json', '--top', '50', '--data', dir])) as { candidates: { service: string; score: number; evidence: { signal: string }[] }[] };
  // and whether incident detection opens one for it, in the minutes of the delay
  const scan = JSON.parse(bifrost(['incidents', '--since', new Date(baseline.fromMs).toISOString(), '--until', new Date(untilMs).toISOString(), '--output', 'json', '--data', dir])) as { incidents: { detectedMs: number; causes: { service: string }[] }[] };
  const incident = scan.incidents.find((x) => x.detectedMs > onsetMs && x.detectedMs <= untilMs + 60_000);
  if (only === undefined) rmSync(dir, { recursive: true, force: true });
  else process.stderr.write(`the delayed store is kept in ${dir}\n`);
  const i = out.candidates.findIndex((x) => x.service === service);
  rows.push({ service, spansDelayed: added.size, rank: i < 0 ? undefined : i + 1, top3: out.candidates.slice(0, 3).map((x) => `${x.service} ${x.score.toFixed(2)}`), network: out.candidates[i]?.evidence.some((e) => e.signal === 'network') ?? false, incident: incident === undefined ? 'none' : incident.causes[0]?.service === service ? 'first' : 'other' });
  const r = rows.at(-1)!;
  process.stderr.write(`  ${service}: rank ${r.rank ?? '—'}\n`);
}
if (only === undefined) rmSync(work, { recursive: true, force: true });
if (temporary) rmSync(store, { recursive: true, force: true });

const share = (k: number) => rows.filter((r) => r.rank !== undefined && r.rank <= k).length / Math.max(rows.length, 1);
const pad = (s: string, n: number) => s.padEnd(n);
console.log(`\nSimulated network delay of ${delayMs} ms, one service at a time, from ${new Date(onsetMs).toISOString().slice(11, 19)} in the fault-free baseline (rca --window 3m)\n`);
console.log(`${pad('delayed service', 30)} ${pad('spans', 6)} rank  network  incident  top 3`);
for (const r of rows) console.log(`${pad(r.service, 30)} ${pad(String(r.spansDelayed), 6)} ${pad(String(r.rank ?? '—'), 5)} ${pad(r.network ? 'yes' : 'no', 8)} ${pad(r.incident, 9)} ${r.top3.join(' · ')}`);
const opened = rows.filter((r) => r.incident !== 'none').length;
const summary = { delayMs, onset: new Date(onsetMs).toISOString(), services: rows.length, top1: share(1), top3: share(3), top5: share(5), withNetworkEvidence: rows.filter((r) => r.network).length, incidentsOpened: opened, incidentsWithItFirst: rows.filter((r) => r.incident === 'first').length };
console.log(`\ntop-1 ${summary.top1.toFixed(3)}   top-3 ${summary.top3.toFixed(3)}   top-5 ${summary.top5.toFixed(3)}   (${rows.length} services; network evidence on the delayed service: ${summary.withNetworkEvidence})`);
console.log(`incident detection: ${opened} of ${rows.length} delays opened an incident, ${summary.incidentsWithItFirst} with the delayed service as its first cause (the undelayed baseline opens none: bench:rca)`);
mkdirSync(resultsDir(), { recursive: true });
writeFileSync(join(resultsDir(), 'rca-delay.json'), JSON.stringify({ summary, rows }, null, 2));
