/**
 * The server under overload: `bifrost serve --data <tmp>` in its own process, OTLP/HTTP protobuf
 * log requests (1,000 distinct records each) from this process. First its capacity: 4 clients,
 * each sending its next request when the last is answered, for a quarter of the time (again
 * after the overload, on the larger store: goodput is judged against the mean of both). Then twice
 * that request rate, open loop (a request every 1 / (2 × capacity) s whatever the answers, as a
 * fleet of collectors sends), for --seconds: the share shed (503 + Retry-After), goodput
 * (records acknowledged per second, against the capacity), acknowledgement latency of the
 * accepted requests (p50, p99, max) and the server's peak RSS.
 * Run: npm run bench:overload [-- --seconds 60] [-- --records 1000] [-- --serve '--queue-wait-ms 500']
 *   (writes bench/results/overload.json; --serve: more options for bifrost serve)
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
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

// bodies made before any timing (making them costs more than sending them)
const POOL = 4000;
process.stderr.write(`making ${POOL} requests of ${RECORDS} log records…\n`);
const bodies = Array.from({ length: POOL }, (_, r) => logsRequest(r, RECORDS));
let nextBody = 0;
/** Each request distinct (a repeat would be answered from the first one's outcome): new times past the pool. */
const body = () => {
  const i = nextBody++;
  return i < POOL ? bodies[i]! : logsRequest(i, RECORDS);
};

const { url, data, child } = await startServer('bifrost-bench-overload-', SERVE);
const post = (b: Buffer) => postLogs(url, b);

try {
  // capacity: closed loop, 4 clients
  const capacityRps = await capacity(url, body, Math.max(5, SECONDS / 4));
  process.stderr.write(
    `capacity: ${capacityRps.toFixed(1)} requests/s (${Math.round(capacityRps * RECORDS).toLocaleString('en-US')} records/s)\n`,
  );

  // twice that, open loop
  const rate = 2 * capacityRps;
  const answers: Promise<{ status: number; ms: number; retryAfter: string | null }>[] = [];
  const start = performance.now();
  for (let k = 0; ; k++) {
    const due = start + (k * 1000) / rate;
    if (due > start + SECONDS * 1000) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    answers.push(post(body()));
  }
  const done = await Promise.all(answers);
  const elapsed = (performance.now() - start) / 1000;
  const ok = done.filter((a) => a.status === 200);
  const shed = done.filter((a) => a.status === 503);
  const other = done.filter((a) => a.status !== 200 && a.status !== 503);
  const latencies = ok.map((a) => a.ms).sort((a, b) => a - b);
  const goodputRps = ok.length / elapsed;
  // the store is larger now: its capacity again, closed loop as before (writes slow as it grows)
  const capacityAfterRps = await capacity(url, body, Math.max(5, SECONDS / 4));
  const result = {
    serve: SERVE,
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
      ackMs: {
        p50: Math.round(percentile(latencies, 50)),
        p99: Math.round(percentile(latencies, 99)),
        max: Math.round(latencies.at(-1) ?? NaN),
      },
    },
    serverPeakRssMb: Math.round(peakRssMb(child.pid)),
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
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  rmSync(data, { recursive: true, force: true });
}
