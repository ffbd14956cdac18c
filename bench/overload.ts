/**
 * The server under overload: `bifrost serve --data <tmp>` in its own process, OTLP/HTTP protobuf
 * log requests (1,000 distinct records each) from this process. First, on a server of its own, a
 * burst of 16 gzip bodies of about 12 MB inflated each, at once (what it takes, what it sheds, its
 * peak RSS). Then, on a fresh server: a first look at its capacity (5 s, not counted) to make
 * every request body the run needs, a warm-up (3 s), its capacity (4 clients, each sending its
 * next request when the last is answered, for a quarter of the time), twice that request rate
 * open loop (a request every 1 / (2 × capacity) s whatever the answers, as a fleet of collectors
 * sends) for --seconds, and its capacity again on the larger store, with no gap between the
 * three: the share shed (503 + Retry-After), goodput (records acknowledged per second, against
 * the mean of the two capacities), acknowledgement latency of the accepted requests (p50, p99,
 * max), requests acknowledged in each 10 s, and the server's peak RSS. Bodies are made before
 * the timed phases, not during them: on 2 cores the generator's CPU is the server's.
 * BENCH_SERVER_NODE_ARGS='--cpu-prof' (node flags for the server), BENCH_SERVER_LOG=<file>.
 * Run: npm run bench:overload [-- --seconds 60] [-- --records 1000] [-- --serve '--queue-wait-ms 500']
 *   (writes bench/results/overload.json; --serve: more options for bifrost serve)
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { resultsDir } from './paths.js';
import {
  capacity,
  logsRequest,
  peakRssMb,
  percentile,
  positiveArg,
  postLogs,
  startServer,
} from './server-load.js';

const SECONDS = positiveArg('--seconds', 60);
const RECORDS = positiveArg('--records', 1000);
const serveAt = process.argv.indexOf('--serve');
const SERVE = serveAt >= 0 ? (process.argv[serveAt + 1] ?? '').split(/\s+/).filter(Boolean) : [];

// Bodies are made before the timed phases, never during one (making a request costs the generator
// 2–3 ms of CPU, which on a 2-core machine is taken from the server it measures), and with no idle
// gap between the phases (a server left idle shrinks its heap and starts slower).
const bodies: Buffer[] = [];
let nextBody = 0;
/** Makes bodies until `count` are ready beyond the ones already sent. */
function prepare(count: number): void {
  const want = nextBody + Math.ceil(count);
  if (bodies.length >= want) return;
  process.stderr.write(`making ${want - bodies.length} requests of ${RECORDS} log records…\n`);
  while (bodies.length < want) bodies.push(logsRequest(bodies.length, RECORDS));
}
const EMPTY = Buffer.alloc(0);
let ranOut = false;
const body = () => {
  const i = nextBody++;
  const made = bodies[i];
  if (made === undefined) {
    // only if a phase ran past its estimate: said, since it takes CPU from the server
    if (!ranOut) process.stderr.write('warning: bodies ran out; making them while timing\n');
    ranOut = true;
    return logsRequest(i, RECORDS);
  }
  bodies[i] = EMPTY; // sent: let it go
  return made;
};

/**
 * The burst: 16 OTLP/JSON log requests sent at once, each about 12 MB once inflated and about
 * 300 KB gzipped (the hostile-input probe: a queue that counted requests, not bytes, took them
 * all and grew to 2.3 GB).
 */
const BURST = 16;
function bigGzipLogs(r: number): { gz: Buffer; inflated: number } {
  const logRecords = Array.from({ length: 100_000 }, (_, k) => ({
    timeUnixNano: String(BigInt(Date.UTC(2025, 0, 1) + r * 100_000 + k) * 1_000_000n),
    severityNumber: 9,
    body: { stringValue: `GET /orders/${k} 200 in ${k % 300} ms user=${k % 977}` },
  }));
  const json = Buffer.from(
    JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'burst' } }] },
          scopeLogs: [{ logRecords }],
        },
      ],
    }),
  );
  return { gz: gzipSync(json), inflated: json.length };
}
const burstBodies = Array.from({ length: BURST }, (_, r) => bigGzipLogs(r));

/** The burst on a server of its own, fresh like the probe's: its answers and the peak RSS it caused. */
async function runBurst() {
  const server = await startServer('bifrost-bench-burst-', SERVE);
  try {
    const answers = await Promise.all(
      burstBodies.map(async ({ gz }) => {
        const r = await fetch(`${server.url}/v1/logs`, {
          method: 'POST',
          body: gz,
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        });
        await r.arrayBuffer();
        return r.status;
      }),
    );
    return {
      bodies: BURST,
      gzipKb: Math.round(burstBodies[0]!.gz.length / 1024),
      inflatedMb: Math.round((burstBodies[0]!.inflated / (1024 * 1024)) * 10) / 10,
      accepted: answers.filter((s) => s === 200).length,
      shed: answers.filter((s) => s === 503).length,
      otherAnswers: answers.filter((s) => s !== 200 && s !== 503).length,
      serverPeakRssMb: Math.round(peakRssMb(server.child.pid)),
    };
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.on('exit', r));
    rmSync(server.data, { recursive: true, force: true });
  }
}
const burst = await runBurst();
process.stderr.write(
  `burst: ${burst.accepted} of ${BURST} taken, ${burst.shed} told to retry; peak RSS ${burst.serverPeakRssMb} MB\n`,
);

const { url, data, child } = await startServer('bifrost-bench-overload-', SERVE);
const post = (b: Buffer) => postLogs(url, b);

try {
  // capacity: closed loop, 4 clients
  const probeSeconds = Math.max(5, SECONDS / 4);
  // a first look at its capacity (not counted), to make every body the run needs before timing
  prepare(200 * 5);
  const estimate = await capacity(url, body, 5);
  prepare(estimate * 1.5 * (2 * probeSeconds + 2 * SECONDS + 3));
  // warm again after the bodies were made, then the probe, the overload and the probe after, with
  // no gap
  await capacity(url, body, 3);
  const capacityRps = await capacity(url, body, probeSeconds);
  process.stderr.write(
    `capacity: ${capacityRps.toFixed(1)} requests/s (${Math.round(capacityRps * RECORDS).toLocaleString('en-US')} records/s)\n`,
  );

  // twice that, open loop
  const rate = 2 * capacityRps;
  const answers: Promise<{ status: number; ms: number; retryAfter: string | null; at: number }>[] =
    [];
  // the generator's own event-loop delay: a late generator sends in bursts, not at the rate
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const start = performance.now();
  for (let k = 0; ; k++) {
    const due = start + (k * 1000) / rate;
    if (due > start + SECONDS * 1000) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    answers.push(post(body()).then((a) => ({ ...a, at: performance.now() - start })));
  }
  const done = await Promise.all(answers);
  lag.disable();
  const elapsed = (performance.now() - start) / 1000;
  const ok = done.filter((a) => a.status === 200);
  const shed = done.filter((a) => a.status === 503);
  const other = done.filter((a) => a.status !== 200 && a.status !== 503);
  const latencies = ok.map((a) => a.ms).sort((a, b) => a - b);
  const goodputRps = ok.length / elapsed;
  // requests acknowledged in each 10 s of the overload: where goodput dips, and for how long
  const per10s = Array.from({ length: Math.ceil(elapsed / 10) }, () => 0);
  for (const a of ok) per10s[Math.min(per10s.length - 1, Math.floor(a.at / 10_000))]!++;
  // the store is larger now: its capacity again, closed loop as before (writes slow as it grows)
  const capacityAfterRps = await capacity(url, body, probeSeconds);
  const result = {
    serve: SERVE,
    burst,
    seconds: SECONDS,
    recordsPerRequest: RECORDS,
    capacity: {
      requestsPerSecond: Math.round(capacityRps * 10) / 10,
      recordsPerSecond: Math.round(capacityRps * RECORDS),
      afterRequestsPerSecond: Math.round(capacityAfterRps * 10) / 10,
    },
    overload: {
      offeredRequestsPerSecond: Math.round(rate * 10) / 10,
      sent: done.length,
      accepted: ok.length,
      shed: shed.length,
      shedWithRetryAfter: shed.filter((a) => a.retryAfter !== null).length,
      otherAnswers: other.length,
      goodputRecordsPerSecond: Math.round(goodputRps * RECORDS),
      goodputOfCapacity: Math.round((goodputRps / capacityRps) * 1000) / 1000,
      goodputOfCapacityAfter: Math.round((goodputRps / capacityAfterRps) * 1000) / 1000,
      /** Against the mean of the two probes: one probe swings ±15% on this 2-core machine. */
      goodputOfMeanCapacity:
        Math.round((goodputRps / ((capacityRps + capacityAfterRps) / 2)) * 1000) / 1000,
      acceptedPer10s: per10s,
      generatorLagMs: { p99: Math.round(lag.percentile(99) / 1e6), max: Math.round(lag.max / 1e6) },
      ackMs: {
        p50: Math.round(percentile(latencies, 50)),
        p99: Math.round(percentile(latencies, 99)),
        max: Math.round(latencies.at(-1) ?? NaN),
      },
    },
    serverPeakRssMb: Math.round(peakRssMb(child.pid)),
    bodiesRanOut: ranOut,
  };
  mkdirSync(resultsDir(), { recursive: true });
  writeFileSync(join(resultsDir(), 'overload.json'), JSON.stringify(result, null, 2) + '\n');
  const o = result.overload;
  console.log(
    `bifrost serve (DuckDB file${SERVE.length > 0 ? `, ${SERVE.join(' ')}` : ''}), OTLP/HTTP protobuf, ${RECORDS} log records a request, ${SECONDS} s at 2× capacity`,
  );
  console.log(
    `capacity (4 clients, closed loop): ${result.capacity.requestsPerSecond} requests/s, ${result.capacity.recordsPerSecond.toLocaleString('en-US')} records/s before; ${result.capacity.afterRequestsPerSecond} requests/s after the overload (a larger store)`,
  );
  console.log(
    `2× (${o.offeredRequestsPerSecond} requests/s offered, open loop): ${o.sent} sent, ${o.accepted} accepted, ${o.shed} shed with 503 (${o.shedWithRetryAfter} with Retry-After), ${o.otherAnswers} other answers`,
  );
  console.log(
    `goodput ${o.goodputRecordsPerSecond.toLocaleString('en-US')} records/s = ${(100 * o.goodputOfMeanCapacity).toFixed(1)}% of the mean capacity (${(100 * o.goodputOfCapacity).toFixed(1)}% of the one before, ${(100 * o.goodputOfCapacityAfter).toFixed(1)}% of the one after; target ≥ 90%); accepted acknowledged in p50 ${o.ackMs.p50} ms, p99 ${o.ackMs.p99} ms, max ${o.ackMs.max} ms (target p99 ≤ 2 s); server peak RSS ${result.serverPeakRssMb} MB (target ≤ 600)`,
  );
  console.log(
    `burst of ${BURST} gzip bodies (${burst.gzipKb} KB, ${burst.inflatedMb} MB inflated) at once, on a fresh server: ${burst.accepted} taken, ${burst.shed} shed with 503, ${burst.otherAnswers} other answers; server peak RSS ${burst.serverPeakRssMb} MB (target ≤ 600)`,
  );
  console.log(
    `requests acknowledged in each 10 s of the overload: ${o.acceptedPer10s.join(', ')}; the generator's event-loop delay p99 ${o.generatorLagMs.p99} ms, max ${o.generatorLagMs.max} ms`,
  );
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  rmSync(data, { recursive: true, force: true });
}
