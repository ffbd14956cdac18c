/**
 * What the server benchmarks share: OTLP protobuf requests made with the official message types,
 * the server started as a child process (`bifrost serve --data <tmp>`, so the load generator and
 * the server are separate processes), percentiles and the server's peak RSS.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from './paths.js';

interface ProtoType {
  fromObject(o: unknown): unknown;
  encode(m: unknown): { finish(): Uint8Array };
}
const require = createRequire(import.meta.url);
export const collector = (
  require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
    opentelemetry: {
      proto: {
        collector: {
          metrics: { v1: { ExportMetricsServiceRequest: ProtoType } };
          logs: { v1: { ExportLogsServiceRequest: ProtoType } };
          trace: { v1: { ExportTraceServiceRequest: ProtoType } };
        };
      };
    };
  }
).opentelemetry.proto.collector;
export const encode = (T: ProtoType, o: unknown) => Buffer.from(T.encode(T.fromObject(o)).finish());

export const T0 = Date.UTC(2026, 0, 1);
export const ns = (ms: number) => String(BigInt(Math.round(ms)) * 1_000_000n);
export const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** The r-th request of `perRequest` log records (every 50th an ERROR), each request distinct. */
export function logsRequest(r: number, perRequest: number): Buffer {
  const logRecords = Array.from({ length: perRequest }, (_, k) => {
    const i = r * perRequest + k;
    return {
      timeUnixNano: ns(T0 + i * 10),
      severityNumber: i % 50 === 0 ? 17 : 9,
      body: {
        stringValue:
          i % 50 === 0
            ? `payment ${i} failed: upstream returned 503`
            : `GET /orders/${i} 200 in ${i % 300} ms user=${i % 977}`,
      },
    };
  });
  return encode(collector.logs.v1.ExportLogsServiceRequest, {
    resourceLogs: [
      { resource: { attributes: [attr('service.name', 'payments')] }, scopeLogs: [{ logRecords }] },
    ],
  });
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** `bifrost serve --port 0 --data <tmp> --log-level warn --rate-limit 1000000 …extra`, once it listens. */
export async function startServer(
  prefix: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<{ url: string; data: string; child: ChildProcessWithoutNullStreams }> {
  const data = mkdtempSync(join(tmpdir(), prefix));
  const child = spawn(
    process.execPath,
    [
      // BENCH_SERVER_NODE_ARGS: node's own flags for the server (--cpu-prof, --trace-gc)
      ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
      join(projectRoot(), 'bin', 'bifrost.js'),
      'serve',
      '--port',
      '0',
      '--data',
      data,
      '--log-level',
      'warn',
      '--rate-limit',
      '1000000',
      ...extra,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m && err.includes('\nstore:')) resolve(m[1]!);
    });
    child.on('exit', (code) => {
      reject(new Error(`serve exited ${String(code)}: ${err}`));
    });
  });
  // BENCH_SERVER_LOG=<file>: the server's own output (e.g. NODE_OPTIONS=--trace-gc) kept there
  const log = process.env.BENCH_SERVER_LOG;
  if (log !== undefined && log !== '') {
    const out = createWriteStream(log, { flags: 'a' });
    child.stdout.pipe(out);
    child.stderr.pipe(out);
  } else child.stdout.resume();
  return { url, data, child };
}

/** A process's peak resident memory so far (VmHWM), in MB; NaN where /proc is not there. */
export function peakRssMb(pid: number | undefined): number {
  return procStatusMb(pid, 'VmHWM');
}

function procStatusMb(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const s = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

/** `--name <n>`: a positive number, or the fallback; anything else stops the bench with advice. */
export function positiveArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!(v > 0)) {
    process.stderr.write(`${name} takes a positive number, got "${process.argv[i + 1]}"\n`);
    process.exit(2);
  }
  return v;
}

/** POSTs an OTLP protobuf logs request: its status, how long the answer took, its Retry-After. */
export async function postLogs(
  url: string,
  body: Buffer,
): Promise<{ status: number; ms: number; retryAfter: string | null }> {
  const s = performance.now();
  const r = await fetch(`${url}/v1/logs`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-protobuf' },
  });
  await r.arrayBuffer();
  return { status: r.status, ms: performance.now() - s, retryAfter: r.headers.get('retry-after') };
}

/** Requests acknowledged per second by 4 clients, each sending its next when answered, for `seconds`. */
export async function capacity(url: string, body: () => Buffer, seconds: number): Promise<number> {
  let acked = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() < until) if ((await postLogs(url, body())).status === 200) acked++;
    }),
  );
  return acked / ((performance.now() - t0) / 1000);
}

/** A process's resident memory now (VmRSS), in MB; NaN where /proc is not there. */
export function rssMb(pid: number | undefined): number {
  return procStatusMb(pid, 'VmRSS');
}
