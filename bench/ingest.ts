/**
 * OTLP ingest through the real server: `bifrost serve --data <tmp>` (DuckDB file), OTLP/HTTP
 * protobuf requests sent with 4 in flight; records/s and acknowledged-write latency (a 200 only
 * comes after COMMIT), for metrics (scored as they arrive), logs (templated as they arrive) and
 * spans (traces of 10 spans over 3 services; every tenth request sent twice, as an exporter's
 * retry: the store leaves the copies out); then query latency on what was stored.
 * Run: npm run bench:ingest [-- --requests 200] [-- --store postgres://…]   (writes bench/results/ingest.json,
 *      or ingest-postgres.json with --store: the shared store, in a schema of its own for the run)
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsDir } from './paths.js';
import {
  T0,
  attr,
  collector,
  encode,
  logsRequest,
  ns,
  percentile,
  startServer,
} from './server-load.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const REQUESTS = arg('--requests', 200);
const storeAt = process.argv.indexOf('--store');
const STORE = storeAt >= 0 ? process.argv[storeAt + 1] : undefined;
const PER_REQUEST = 1000;
const SERIES = 100;

function metricsRequest(r: number): Buffer {
  // 100 series × 10 consecutive minutes per request
  const metrics = Array.from({ length: SERIES }, (_, s) => ({
    name: 'http.server.duration',
    gauge: {
      dataPoints: Array.from({ length: PER_REQUEST / SERIES }, (_, k) => {
        const i = r * (PER_REQUEST / SERIES) + k;
        return {
          timeUnixNano: ns(T0 + i * 60_000),
          asDouble: 100 + 10 * Math.sin(i / 7 + s) + (i % 997 === 0 ? 400 : 0),
          attributes: [attr('route', `/r${s}`)],
        };
      }),
    },
  }));
  return encode(collector.metrics.v1.ExportMetricsServiceRequest, {
    resourceMetrics: [
      { resource: { attributes: [attr('service.name', 'checkout')] }, scopeMetrics: [{ metrics }] },
    ],
  });
}

const SERVICES = ['frontend', 'checkout', 'payments'];
const hex = (n: number, width: number) =>
  Buffer.from(n.toString(16).padStart(width * 2, '0'), 'hex').toString('base64');

function tracesRequest(r: number, reordered = false): Buffer {
  // PER_REQUEST / 10 traces of 10 spans: a frontend root, 3 checkout calls, each with 2 payments calls
  const bySvc = new Map<string, unknown[]>(SERVICES.map((s) => [s, []]));
  for (let t = 0; t < PER_REQUEST / 10; t++) {
    const trace = r * (PER_REQUEST / 10) + t;
    const start = T0 + trace * 20;
    const id = (k: number) => hex(trace * 10 + k + 1, 8);
    const span = (
      k: number,
      parent: number | undefined,
      name: string,
      from: number,
      ms: number,
    ) => ({
      traceId: hex(trace + 1, 16),
      spanId: id(k),
      ...(parent === undefined ? {} : { parentSpanId: id(parent) }),
      name,
      kind: 2,
      startTimeUnixNano: ns(from),
      endTimeUnixNano: ns(from + ms),
      status: trace % 100 === 0 && k === 9 ? { code: 2 } : {},
    });
    bySvc.get('frontend')!.push(span(0, undefined, 'GET /checkout', start, 60 + (trace % 7)));
    for (let c = 0; c < 3; c++) {
      bySvc.get('checkout')!.push(span(1 + c * 3, 0, 'POST /orders', start + 1 + c * 18, 16));
      for (let p = 0; p < 2; p++)
        bySvc
          .get('payments')!
          .push(
            span(2 + c * 3 + p, 1 + c * 3, 'charge', start + 2 + c * 18 + p * 7, 6 + (trace % 3)),
          );
    }
  }
  const services = reordered ? [...SERVICES].reverse() : SERVICES;
  return encode(collector.trace.v1.ExportTraceServiceRequest, {
    resourceSpans: services.map((s) => ({
      resource: { attributes: [attr('service.name', s)] },
      scopeSpans: [{ spans: bySvc.get(s) }],
    })),
  });
}

async function send(
  url: string,
  bodies: Buffer[],
  inFlight: number,
): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const s = performance.now();
      const r = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-protobuf' },
      });
      if (r.status !== 200) throw new Error(`${url}: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
      latencies.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { seconds: (performance.now() - t0) / 1000, latencies: latencies.sort((a, b) => a - b) };
}

async function timeQuery(url: string, n = 20): Promise<{ p50: number; p95: number }> {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    const r = await fetch(url);
    await r.arrayBuffer();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return {
    p50: Math.round(percentile(t, 50) * 10) / 10,
    p95: Math.round(percentile(t, 95) * 10) / 10,
  };
}

const { url, data, child } = await startServer(
  'bifrost-bench-ingest-',
  STORE === undefined ? [] : ['--store', STORE],
  STORE === undefined ? {} : { BIFROST_STORE_SCHEMA: `bench_${Date.now().toString(36)}` },
);
try {
  const metricBodies = Array.from({ length: REQUESTS }, (_, r) => metricsRequest(r));
  const logBodies = Array.from({ length: REQUESTS }, (_, r) => logsRequest(r, PER_REQUEST));
  const m = await send(`${url}/v1/metrics`, metricBodies, 4);
  const l = await send(`${url}/v1/logs`, logBodies, 4);
  // every tenth request sent again right after itself (a retry after a lost answer: the same
  // bytes), and every tenth another time with its spans in another order (overlapping exports)
  const traceBodies = Array.from({ length: REQUESTS }, (_, r) => tracesRequest(r)).flatMap(
    (b, r) => (r % 10 === 9 ? [b, b] : r % 10 === 4 ? [b, tracesRequest(r, true)] : [b]),
  );
  const tr = await send(`${url}/v1/traces`, traceBodies, 4);
  const prom = await (await fetch(`${url}/metrics`)).text();
  const repeated = Number(/\nbifrost_repeated_spans_total (\d+)/.exec(prom)?.[1] ?? NaN);
  const retried = Number(
    /\nbifrost_repeated_requests_total\{signal="traces"\} (\d+)/.exec(prom)?.[1] ?? NaN,
  );
  const result = {
    requests: REQUESTS,
    recordsPerRequest: PER_REQUEST,
    metrics: {
      pointsPerSecond: Math.round((REQUESTS * PER_REQUEST) / m.seconds),
      ackLatencyMs: {
        p50: percentile(m.latencies, 50),
        p95: percentile(m.latencies, 95),
        p99: percentile(m.latencies, 99),
      },
    },
    logs: {
      recordsPerSecond: Math.round((REQUESTS * PER_REQUEST) / l.seconds),
      ackLatencyMs: {
        p50: percentile(l.latencies, 50),
        p95: percentile(l.latencies, 95),
        p99: percentile(l.latencies, 99),
      },
    },
    spans: {
      requests: traceBodies.length,
      spansPerSecond: Math.round((traceBodies.length * PER_REQUEST) / tr.seconds),
      repeatedLeftOut: repeated,
      retriedRequests: retried,
      ackLatencyMs: {
        p50: percentile(tr.latencies, 50),
        p95: percentile(tr.latencies, 95),
        p99: percentile(tr.latencies, 99),
      },
    },
    queryLatencyMs: {
      findings: await timeQuery(`${url}/api/v1/findings?limit=100`),
      logsErrors: await timeQuery(`${url}/api/v1/logs?severity=error&limit=100`),
      logsText: await timeQuery(`${url}/api/v1/logs?q=upstream&limit=100`),
      templatesPerMinute: await timeQuery(`${url}/api/v1/templates?bucket=60`),
      seriesHourly: await timeQuery(
        `${url}/api/v1/metrics/series?name=http.server.duration&step=3600&agg=max`,
      ),
      slowestSpans: await timeQuery(
        `${url}/api/v1/spans?service=payments&order=duration&limit=100`,
      ),
    },
    findings: (
      (await (await fetch(`${url}/api/v1/findings?limit=1000`)).json()) as { items: unknown[] }
    ).items.length,
  };
  const round = (o: Record<string, number>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v * 10) / 10]));
  result.metrics.ackLatencyMs = round(
    result.metrics.ackLatencyMs,
  ) as typeof result.metrics.ackLatencyMs;
  result.logs.ackLatencyMs = round(result.logs.ackLatencyMs) as typeof result.logs.ackLatencyMs;
  result.spans.ackLatencyMs = round(result.spans.ackLatencyMs) as typeof result.spans.ackLatencyMs;
  mkdirSync(resultsDir(), { recursive: true });
  writeFileSync(
    join(resultsDir(), STORE === undefined ? 'ingest.json' : 'ingest-postgres.json'),
    JSON.stringify(result, null, 2) + '\n',
  );
  console.log(
    `bifrost serve (${STORE === undefined ? 'DuckDB file' : 'shared PostgreSQL store'}), ${REQUESTS} protobuf requests × ${PER_REQUEST} records per signal, 4 in flight`,
  );
  console.log(
    `metrics: ${result.metrics.pointsPerSecond.toLocaleString('en-US')} points/s scored and stored; ack latency p50 ${result.metrics.ackLatencyMs.p50} ms, p95 ${result.metrics.ackLatencyMs.p95} ms, p99 ${result.metrics.ackLatencyMs.p99} ms; ${result.findings} findings`,
  );
  console.log(
    `logs:    ${result.logs.recordsPerSecond.toLocaleString('en-US')} records/s templated and stored; ack latency p50 ${result.logs.ackLatencyMs.p50} ms, p95 ${result.logs.ackLatencyMs.p95} ms, p99 ${result.logs.ackLatencyMs.p99} ms`,
  );
  console.log(
    `spans:   ${result.spans.spansPerSecond.toLocaleString('en-US')} spans/s stored (${result.spans.requests} requests: ${REQUESTS / 10} sent again byte for byte, ${Number.isNaN(retried) ? 'not recognised by this server' : `${retried} answered as the first`}; ${REQUESTS / 10} sent again reordered, ${Number.isNaN(repeated) ? 'copies not counted by this server' : `${repeated.toLocaleString('en-US')} spans left out as copies`}); ack latency p50 ${result.spans.ackLatencyMs.p50} ms, p95 ${result.spans.ackLatencyMs.p95} ms, p99 ${result.spans.ackLatencyMs.p99} ms`,
  );
  console.log(
    `queries (p50 / p95 ms): ${Object.entries(result.queryLatencyMs)
      .map(([k, v]) => `${k} ${v.p50}/${v.p95}`)
      .join(', ')}`,
  );
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  rmSync(data, { recursive: true, force: true });
}
