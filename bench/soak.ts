/**
 * The server held at 70% of its capacity: `bifrost serve --data <tmp>` in its own process, OTLP
 * protobuf log requests (1,000 distinct records each) from this process. First its capacity (4
 * clients, each sending its next request when the last is answered, 15 s), then 0.7 × that
 * request rate open loop for --seconds (10 min by default), with the server's RSS sampled every
 * 10 s and the acknowledgement latency of each minute: flat RSS and p99 from the first minute to
 * the last is what a soak shows (no leak, no slow build-up).
 * Run: npm run bench:soak [-- --seconds 600] [-- --records 1000]   (writes bench/results/soak.json)
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
  rssMb,
  startServer,
} from './server-load.js';

const SECONDS = positiveArg('--seconds', 600);
const RECORDS = positiveArg('--records', 1000);

let next = 0;
/** Each request distinct (a repeat would be answered from the first one's outcome). */
const body = () => logsRequest(next++, RECORDS);

const { url, data, child } = await startServer('bifrost-bench-soak-');
const post = (b: Buffer) => postLogs(url, b);

try {
  const capacityRps = await capacity(url, body, 15);
  const rate = 0.7 * capacityRps;
  process.stderr.write(
    `capacity ${capacityRps.toFixed(1)} requests/s; soaking at ${rate.toFixed(1)} requests/s for ${SECONDS} s…\n`,
  );

  const minutes: { ms: number[]; other: number }[] = [];
  const rss: { s: number; mb: number }[] = [];
  const start = performance.now();
  const sampler = setInterval(() => {
    rss.push({
      s: Math.round((performance.now() - start) / 1000),
      mb: Math.round(rssMb(child.pid)),
    });
  }, 10_000);
  const answers: Promise<void>[] = [];
  for (let k = 0; ; k++) {
    const due = start + (k * 1000) / rate;
    if (due > start + SECONDS * 1000) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const minute = Math.floor((performance.now() - start) / 60_000);
    minutes[minute] ??= { ms: [], other: 0 };
    answers.push(
      post(body()).then((a) => {
        if (a.status === 200) minutes[minute]!.ms.push(a.ms);
        else minutes[minute]!.other++;
      }),
    );
  }
  await Promise.all(answers);
  clearInterval(sampler);
  const perMinute = minutes.map((m, i) => {
    const sorted = m.ms.sort((a, b) => a - b);
    return {
      minute: i + 1,
      accepted: sorted.length,
      notAccepted: m.other,
      p50: Math.round(percentile(sorted, 50)),
      p99: Math.round(percentile(sorted, 99)),
    };
  });
  const result = {
    seconds: SECONDS,
    recordsPerRequest: RECORDS,
    capacityRequestsPerSecond: Math.round(capacityRps * 10) / 10,
    offeredRequestsPerSecond: Math.round(rate * 10) / 10,
    perMinute,
    rssMb: rss,
    serverPeakRssMb: Math.round(peakRssMb(child.pid)),
  };
  mkdirSync(resultsDir(), { recursive: true });
  writeFileSync(join(resultsDir(), 'soak.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(
    `bifrost serve (DuckDB file), OTLP/HTTP protobuf, ${RECORDS} log records a request, ${result.offeredRequestsPerSecond} requests/s (70% of ${result.capacityRequestsPerSecond}) for ${SECONDS} s`,
  );
  console.log('minute  accepted  not accepted  ack p50 ms  ack p99 ms');
  for (const m of perMinute)
    console.log(
      `${String(m.minute).padStart(6)}  ${String(m.accepted).padStart(8)}  ${String(m.notAccepted).padStart(12)}  ${String(m.p50).padStart(10)}  ${String(m.p99).padStart(10)}`,
    );
  const first = rss[0]?.mb ?? NaN;
  const last = rss.at(-1)?.mb ?? NaN;
  console.log(
    `server RSS: ${first} MB at 10 s, ${last} MB at the end, peak ${result.serverPeakRssMb} MB (samples every 10 s in bench/results/soak.json)`,
  );
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  rmSync(data, { recursive: true, force: true });
}
