import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';

import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import pb from 'protobufjs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/run-cli.js';
import { serve, stopServers } from './helpers/serve.js';
import type { Server } from './helpers/serve.js';

afterEach(stopServers);

const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
const T0 = Date.UTC(2026, 0, 1);

function metricsBody(name: string, values: readonly number[], start = T0) {
  return {
    resourceMetrics: [
      {
        resource: {
          attributes: [attr('service.name', 'checkout'), attr('k8s.pod.name', 'checkout-1')],
        },
        scopeMetrics: [
          {
            metrics: [
              {
                name,
                gauge: {
                  dataPoints: values.map((v, i) => ({
                    timeUnixNano: ns(start + i * 60_000),
                    asDouble: v,
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

function protobuf(body: unknown): Buffer {
  const require = createRequire(import.meta.url);
  const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
    opentelemetry: {
      proto: {
        collector: {
          metrics: {
            v1: {
              ExportMetricsServiceRequest: {
                fromObject(o: unknown): unknown;
                encode(m: unknown): { finish(): Uint8Array };
              };
            };
          };
        };
      };
    };
  };
  const T = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
  return Buffer.from(T.encode(T.fromObject(body)).finish());
}

const post = (s: Server, body: Buffer | string, headers: Record<string, string>) =>
  fetch(`${s.url}/v1/metrics`, { method: 'POST', body, headers });

/**
 * Four clients sending requests of 200 points (metric `req<id>`) until `ms` have passed or the
 * server stops answering; `after20` runs once 20 are acknowledged (to stop the server under load).
 * Resolves with the ids acknowledged and the number sent.
 */
async function underLoad(
  s: Server,
  ms: number,
  after20: () => void,
): Promise<{ acked: number[]; sent: number }> {
  const acked: number[] = [];
  let k = 0;
  let fired = false;
  const stopAt = Date.now() + ms;
  const client = async () => {
    while (Date.now() < stopAt) {
      const id = k++;
      const values = Array.from({ length: 200 }, (_, i) => id * 1000 + i);
      try {
        const r = await post(s, JSON.stringify(metricsBody(`req${id}`, values)), {
          'content-type': 'application/json',
        });
        if (r.status === 200) acked.push(id);
      } catch {
        return; // the server is gone, or closed its listener
      }
      if (acked.length >= 20 && !fired) {
        fired = true;
        after20();
      }
    }
  };
  await Promise.all([client(), client(), client(), client()]);
  return { acked, sent: k };
}

/**
 * A POST that declares `length` bytes and sends only the first KiB, then waits for the answer: a
 * server that refuses the body by its Content-Length answers at once. (Sending the whole body
 * races the server closing the connection after its early answer: the client may get EPIPE
 * before it reads the status, as fetch does.)
 */
function postDeclared(
  s: Server,
  length: number,
  headers: Record<string, string>,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  bytes: Buffer;
}> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${s.url}/v1/metrics`,
      { method: 'POST', headers: { ...headers, 'content-length': String(length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          req.destroy();
          const bytes = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: bytes.toString('utf8'),
            bytes,
          });
        });
      },
    );
    req.on('error', reject);
    req.write(Buffer.alloc(Math.min(1024, length), 0x20));
  });
}

/** google.rpc.Status as OTLP/HTTP answers a protobuf request's error: its code and message (fields 1 and 2). */
function decodeStatus(buf: Uint8Array): { code?: number; message: string } {
  const r = pb.Reader.create(buf);
  const out: { code?: number; message: string } = { message: '' };
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) out.code = r.int32();
    else if (tag >>> 3 === 2) out.message = r.string();
    else r.skipType(tag & 7);
  }
  return out;
}

describe('bifrost serve (spawned server)', () => {
  it('scores OTLP metrics as they arrive (JSON, gzip, protobuf) and serves the anomalies with reasons', async () => {
    const s = await serve(['--memory']);
    const values = Array.from({ length: 900 }, (_, i) =>
      i === 800 ? 95 : 50 + 3 * Math.sin(i * 1.3),
    );
    const first = await post(s, JSON.stringify(metricsBody('cpu', values.slice(0, 400))), {
      'content-type': 'application/json',
    });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({});
    const gz = await post(
      s,
      gzipSync(JSON.stringify(metricsBody('cpu', values.slice(400, 600), T0 + 400 * 60_000))),
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    );
    expect(gz.status).toBe(200);
    const pb = await post(s, protobuf(metricsBody('cpu', values.slice(600), T0 + 600 * 60_000)), {
      'content-type': 'application/x-protobuf',
    });
    expect(pb.status).toBe(200);
    expect(pb.headers.get('content-type')).toBe('application/x-protobuf');
    const findings = (await (await fetch(`${s.url}/api/v1/findings`)).json()) as {
      items: { kind: string; time: string; reason: string; detail: string }[];
      next: string | null;
    };
    expect(findings.items).toHaveLength(1);
    expect(findings.items[0]).toMatchObject({
      kind: 'metric-anomaly',
      time: new Date(T0 + 800 * 60_000).toISOString(),
      detail: 'spike',
    });
    expect(findings.items[0]!.reason).toMatch(
      /^cpu · checkout\/checkout-1: value 95 is 4\d(\.\d)? above its recent baseline/,
    );
    const points = (await (
      await fetch(`${s.url}/api/v1/metrics/points?name=cpu&limit=5000`)
    ).json()) as { items: unknown[] };
    expect(points.items).toHaveLength(900);
    const hourly = (await (
      await fetch(`${s.url}/api/v1/metrics/series?name=cpu&step=3600&agg=max&service=checkout`)
    ).json()) as { series: { points: { value: number; count: number; time: string }[] }[] };
    expect(hourly.series).toHaveLength(1);
    expect(hourly.series[0]!.points).toHaveLength(15);
    expect(hourly.series[0]!.points[13]).toMatchObject({
      value: 95,
      count: 60,
      time: new Date(T0 + 13 * 3_600_000).toISOString(),
    });
    expect(
      await (await fetch(`${s.url}/api/v1/metrics/series?name=cpu&labels=oops`)).json(),
    ).toMatchObject({ code: 400, field: 'labels' });
    expect(await (await fetch(`${s.url}/api/v1/metrics?service=checkout`)).json()).toEqual({
      items: [
        {
          name: 'cpu',
          series: 1,
          points: 900,
          firstMs: T0,
          lastMs: T0 + 899 * 60_000,
          first: new Date(T0).toISOString(),
          last: new Date(T0 + 899 * 60_000).toISOString(),
        },
      ],
    });
    expect(await (await fetch(`${s.url}/api/v1/metrics?service=nobody`)).json()).toEqual({
      items: [],
    });
    expect((await fetch(`${s.url}/api/v1/metrics?limit=0`)).status).toBe(400);
    const prom = await (await fetch(`${s.url}/metrics`)).text();
    expect(prom).toContain('bifrost_received_records_total{signal="metrics"} 900');
    expect(prom).toContain('bifrost_findings_total{kind="metric-anomaly"} 1');
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    expect(s.stderr()).toContain('open access on loopback');
  });

  it('receives OTLP logs, templates them on arrival, and serves logs and template counts', async () => {
    const s = await serve(['--memory']);
    const records = Array.from({ length: 60 }, (_, i) => ({
      timeUnixNano: ns(T0 + i * 1000),
      severityNumber: i % 20 === 19 ? 17 : 9,
      body: {
        stringValue:
          i % 20 === 19
            ? `charge ch_${i} failed: upstream returned 503`
            : `GET /orders/${1000 + i} 200 in ${i} ms`,
      },
      traceId: i === 19 ? '5b8efff798038103d269b633813fc60c' : undefined,
    }));
    const body = {
      resourceLogs: [
        {
          resource: { attributes: [attr('service.name', 'payments')] },
          scopeLogs: [{ logRecords: [...records, { body: { stringValue: 'no time' } }] }],
        },
      ],
    };
    const r = await fetch(`${s.url}/v1/logs`, {
      method: 'POST',
      body: gzipSync(JSON.stringify(body)),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      partialSuccess: {
        rejectedLogRecords: '1',
        errorMessage: 'log record without timeUnixNano or observedTimeUnixNano',
      },
    });
    // the same request again (an exporter's retry after a lost answer): the same answer, nothing stored twice
    const again = await fetch(`${s.url}/v1/logs`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    expect(await again.json()).toEqual({
      partialSuccess: {
        rejectedLogRecords: '1',
        errorMessage: 'log record without timeUnixNano or observedTimeUnixNano',
      },
    });
    expect(await (await fetch(`${s.url}/metrics`)).text()).toMatch(
      /\nbifrost_repeated_requests_total\{signal="logs"\} 1\n/,
    );
    const errors = (await (await fetch(`${s.url}/api/v1/logs?severity=error`)).json()) as {
      items: {
        body: string;
        template: string;
        templateId: string;
        params: string[];
        traceId: string;
        time: string;
      }[];
      next: string | null;
    };
    expect(errors.items.map((l) => l.body)).toEqual([
      'charge ch_59 failed: upstream returned 503',
      'charge ch_39 failed: upstream returned 503',
      'charge ch_19 failed: upstream returned 503',
    ]);
    // streaming: a record gets the template known when it arrives (the first of a kind is still literal)
    expect(errors.items[2]).toMatchObject({
      template: 'charge ch_19 failed: upstream returned <*>',
      params: ['503'],
      traceId: '5b8efff798038103d269b633813fc60c',
      time: new Date(T0 + 19_000).toISOString(),
    });
    expect(errors.items[0]).toMatchObject({
      template: 'charge <*> failed: upstream returned <*>',
      params: ['ch_59', '503'],
    });
    const byTemplate = (await (
      await fetch(`${s.url}/api/v1/logs?template=${errors.items[0]!.templateId}&limit=1`)
    ).json()) as { items: unknown[]; next: string | null };
    expect(byTemplate.items).toHaveLength(1);
    const rest = (await (
      await fetch(
        `${s.url}/api/v1/logs?template=${errors.items[0]!.templateId}&limit=1&cursor=${byTemplate.next!}`,
      )
    ).json()) as { items: unknown[]; next: string | null };
    expect(rest.items).toHaveLength(1);
    expect(rest.next).toBeNull();
    const text = (await (await fetch(`${s.url}/api/v1/logs?q=ORDERS/1005`)).json()) as {
      items: { body: string }[];
    };
    expect(text.items.map((l) => l.body)).toEqual(['GET /orders/1005 200 in 5 ms']);
    const counts = (await (await fetch(`${s.url}/api/v1/templates?bucket=3600`)).json()) as {
      items: { template: string; count: number }[];
    };
    expect(counts.items.map((c) => [c.template, c.count])).toEqual([
      ['GET <*> <*> in <*> ms', 57],
      ['charge <*> failed: upstream returned <*>', 2],
      ['charge ch_19 failed: upstream returned <*>', 1],
    ]);
    expect((await fetch(`${s.url}/api/v1/logs?severity=loud`)).status).toBe(400);
    const prom = await (await fetch(`${s.url}/metrics`)).text();
    expect(prom).toContain('bifrost_received_records_total{signal="logs"} 60');
    expect(prom).toContain('bifrost_rejected_total{signal="logs",reason="bad_record"} 1');
  });

  it("a service that goes down is the root cause: its callers' CLIENT spans go unanswered and fail (OTLP in, rca and incidents out)", async () => {
    const s = await serve(['--memory']);
    const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
    const frontend: unknown[] = [];
    const payments: unknown[] = [];
    // a checkout every 6 s for 40 min; payments is gone from minute 30: the call fails at once
    for (let i = 0; i < 400; i++) {
      const t = T0 + i * 6_000;
      const down = i >= 300;
      const traceId = hex(i + 1, 32);
      const [root, call, answer] = [1, 2, 3].map((k) => hex(i * 4 + k, 16)) as [
        string,
        string,
        string,
      ];
      const status = down ? { code: 2, message: 'payment failed' } : {};
      frontend.push({
        traceId,
        spanId: root,
        parentSpanId: '',
        name: 'POST /checkout',
        kind: 2,
        startTimeUnixNano: ns(t),
        endTimeUnixNano: ns(t + (down ? 3 : 40)),
        status,
      });
      frontend.push({
        traceId,
        spanId: call,
        parentSpanId: root,
        name: 'POST',
        kind: 3,
        startTimeUnixNano: ns(t + 1),
        endTimeUnixNano: ns(t + (down ? 2 : 35)),
        attributes: [
          attr('server.address', 'payments.shop.svc.cluster.local'),
          attr('url.full', 'http://payments.shop.svc.cluster.local:8080/v1/charge'),
        ],
        status: down ? { code: 2, message: 'connect ECONNREFUSED' } : {},
      });
      if (!down)
        payments.push({
          traceId,
          spanId: answer,
          parentSpanId: call,
          name: 'POST /v1/charge',
          kind: 2,
          startTimeUnixNano: ns(t + 2),
          endTimeUnixNano: ns(t + 34),
        });
    }
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [attr('service.name', 'frontend')] },
          scopeSpans: [{ spans: frontend }],
        },
        {
          resource: { attributes: [attr('service.name', 'payments')] },
          scopeSpans: [{ spans: payments }],
        },
      ],
    };
    expect(
      (
        await fetch(`${s.url}/v1/traces`, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(200);
    const at = new Date(T0 + 30 * 60_000).toISOString();
    const rca = (await (await fetch(`${s.url}/api/v1/rca?at=${at}&window=10m`)).json()) as {
      candidates: {
        service: string;
        explains: string[];
        evidence: {
          signal: string;
          reason: string;
          spans?: { operation: string; statusCode: number }[];
        }[];
      }[];
    };
    expect(rca.candidates[0]).toMatchObject({ service: 'payments', explains: ['frontend'] });
    expect(rca.candidates[0]!.evidence[0]).toMatchObject({
      signal: 'unanswered',
      reason:
        'answered 0 of 100 calls from frontend in 10 min (usually 100%), 100 failed: down or unreachable',
    });
    // the calls that failed (the callers' client spans) are its evidence to look at
    expect(rca.candidates[0]!.evidence[0]!.spans?.map((x) => [x.operation, x.statusCode])).toEqual([
      ['POST', 2],
      ['POST', 2],
      ['POST', 2],
    ]);
    const scan = (await (
      await fetch(`${s.url}/api/v1/incidents/scan`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          from: new Date(T0).toISOString(),
          to: new Date(T0 + 40 * 60_000).toISOString(),
        }),
      })
    ).json()) as { items: { causes: { service: string }[] }[] };
    expect(scan.items.map((x) => x.causes[0]?.service)).toEqual(['payments']);
    const findings = (await (
      await fetch(`${s.url}/api/v1/findings?kind=calls-unanswered`)
    ).json()) as { items: { reason: string }[] };
    expect(findings.items.length).toBeGreaterThan(0);
    expect(findings.items[0]!.reason).toMatch(
      /^payments: answered 0 of 10 calls from frontend in 1 min/,
    );
    // the series behind the evidence: the calls to payments, answered, then failed unanswered
    const from = new Date(T0 + 25 * 60_000).toISOString();
    const to = new Date(T0 + 35 * 60_000).toISOString();
    const peer = (await (
      await fetch(`${s.url}/api/v1/peer-calls?service=payments&from=${from}&to=${to}&step=300`)
    ).json()) as {
      callers: {
        caller: string;
        peer: string;
        points: { time: string; calls: number; answered: number; failed: number }[];
      }[];
    };
    expect(peer.callers).toEqual([
      {
        caller: 'frontend',
        peer: 'payments.shop.svc.cluster.local',
        points: [
          { time: from, calls: 50, answered: 50, failed: 0 },
          { time: new Date(T0 + 30 * 60_000).toISOString(), calls: 50, answered: 0, failed: 50 },
        ],
      },
    ]);
    expect(
      (await (
        await fetch(`${s.url}/api/v1/peer-calls?service=frontend&from=${from}&to=${to}`)
      ).json()) as { callers: unknown[] },
    ).toMatchObject({ callers: [] });
    expect((await fetch(`${s.url}/api/v1/peer-calls?from=${from}`)).status).toBe(400);
    // the service graph of the minutes it was down: the call edge is still there, unanswered
    const graph = (await (
      await fetch(
        `${s.url}/api/v1/graph?from=${new Date(T0 + 30 * 60_000).toISOString()}&to=${new Date(T0 + 40 * 60_000).toISOString()}`,
      )
    ).json()) as {
      services: { service: string }[];
      edges: {
        caller: string;
        callee: string;
        calls: number;
        unanswered: number;
        unansweredFailed: number;
      }[];
    };
    expect(graph.services.map((x) => x.service)).toEqual(['frontend']);
    expect(graph.edges).toMatchObject([
      { caller: 'frontend', callee: 'payments', calls: 0, unanswered: 100, unansweredFailed: 100 },
    ]);
  });

  it('a failure passed up a chain of calls: the service where it began is the root cause, not the callers that failed with it (OTLP in, rca out)', async () => {
    const s = await serve(['--memory']);
    const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
    const spans: Record<string, unknown[]> = { frontend: [], checkout: [], payments: [] };
    // frontend → checkout → payments, each call a CLIENT span; from minute 30 every other charge
    // fails in payments, and the error goes up: checkout's call and request fail, then frontend's
    for (let i = 0; i < 400; i++) {
      const t = T0 + i * 6_000;
      const fails = i >= 300 && i % 2 === 0;
      const traceId = hex(i + 1, 32);
      const [a, b, c, d, e] = [1, 2, 3, 4, 5].map((k) => hex(i * 8 + k, 16)) as [
        string,
        string,
        string,
        string,
        string,
      ];
      const status = fails ? { code: 2, message: 'HTTP 500' } : {};
      spans.frontend!.push({
        traceId,
        spanId: a,
        parentSpanId: '',
        name: 'POST /buy',
        kind: 2,
        startTimeUnixNano: ns(t),
        endTimeUnixNano: ns(t + 50),
        status,
      });
      spans.frontend!.push({
        traceId,
        spanId: b,
        parentSpanId: a,
        name: 'POST',
        kind: 3,
        startTimeUnixNano: ns(t + 1),
        endTimeUnixNano: ns(t + 45),
        attributes: [attr('server.address', 'checkout')],
        status,
      });
      spans.checkout!.push({
        traceId,
        spanId: c,
        parentSpanId: b,
        name: 'POST /checkout',
        kind: 2,
        startTimeUnixNano: ns(t + 2),
        endTimeUnixNano: ns(t + 44),
        status,
      });
      spans.checkout!.push({
        traceId,
        spanId: d,
        parentSpanId: c,
        name: 'POST',
        kind: 3,
        startTimeUnixNano: ns(t + 3),
        endTimeUnixNano: ns(t + 40),
        attributes: [attr('server.address', 'payments')],
        status,
      });
      spans.payments!.push({
        traceId,
        spanId: e,
        parentSpanId: d,
        name: 'POST /charge',
        kind: 2,
        startTimeUnixNano: ns(t + 4),
        endTimeUnixNano: ns(t + 39),
        status: fails ? { code: 2, message: 'card processor: invalid state' } : {},
      });
    }
    const body = {
      resourceSpans: Object.entries(spans).map(([service, list]) => ({
        resource: { attributes: [attr('service.name', service)] },
        scopeSpans: [{ spans: list }],
      })),
    };
    expect(
      (
        await fetch(`${s.url}/v1/traces`, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(200);
    const at = new Date(T0 + 30 * 60_000).toISOString();
    const rca = (await (await fetch(`${s.url}/api/v1/rca?at=${at}&window=10m`)).json()) as {
      candidates: {
        service: string;
        explains: string[];
        evidence: { signal: string; reason: string }[];
      }[];
    };
    expect(rca.candidates.map((c) => c.service)).toEqual(['payments', 'checkout', 'frontend']);
    // (the window begins a minute before the alert)
    expect(rca.candidates[0]).toMatchObject({
      explains: ['checkout', 'frontend'],
      evidence: [{ signal: 'errors', reason: '50 of 110 requests failed (45.5%), usually 0%' }],
    });
    expect(rca.candidates[1]!.evidence[0]!.reason).toBe(
      '50 of 110 requests failed (45.5%), usually 0%; all of them passed up the failure of a call they made',
    );
    // the series behind it: checkout's requests failed, none in checkout itself; payments' did
    const from = new Date(T0 + 30 * 60_000).toISOString();
    const to = new Date(T0 + 35 * 60_000).toISOString();
    const red = async (service: string) =>
      (
        (await (
          await fetch(
            `${s.url}/api/v1/red?service=${service}&from=${from}&to=${to}&step=300&per=service`,
          )
        ).json()) as { operations: { points: unknown[] }[] }
      ).operations[0]!.points;
    expect(await red('checkout')).toMatchObject([
      { spans: 100, errors: 50, requests: 50, failedRequests: 25, ownFailedRequests: 0 },
    ]);
    expect(await red('payments')).toMatchObject([
      { spans: 50, errors: 25, requests: 50, failedRequests: 25, ownFailedRequests: 25 },
    ]);
  });

  it('a database without spans of its own is the root cause when the calls to it slow down (OTLP in, rca and the graph out)', async () => {
    const s = await serve(['--memory']);
    const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
    const api: unknown[] = [];
    // api runs a statement on orders-db for each request (a CLIENT span naming it, as JDBC
    // instrumentation records one); from minute 30 each statement takes 200 ms instead of 3
    for (let i = 0; i < 400; i++) {
      const t = T0 + i * 6_000;
      const db = i >= 300 ? 200 : 3;
      const traceId = hex(i + 1, 32);
      const [root, call] = [1, 2].map((k) => hex(i * 4 + k, 16)) as [string, string];
      api.push({
        traceId,
        spanId: root,
        parentSpanId: '',
        name: 'GET /orders',
        kind: 2,
        startTimeUnixNano: ns(t),
        endTimeUnixNano: ns(t + db + 8),
      });
      api.push({
        traceId,
        spanId: call,
        parentSpanId: root,
        name: 'SELECT shop.orders',
        kind: 3,
        startTimeUnixNano: ns(t + 4),
        endTimeUnixNano: ns(t + 4 + db),
        attributes: [attr('db.system', 'postgresql'), attr('server.address', 'orders-db')],
      });
    }
    const body = {
      resourceSpans: [
        { resource: { attributes: [attr('service.name', 'api')] }, scopeSpans: [{ spans: api }] },
      ],
    };
    expect(
      (
        await fetch(`${s.url}/v1/traces`, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(200);
    const at = new Date(T0 + 30 * 60_000).toISOString();
    const rca = (await (await fetch(`${s.url}/api/v1/rca?at=${at}&window=10m`)).json()) as {
      candidates: {
        service: string;
        explains: string[];
        explainedBy: string[];
        evidence: {
          signal: string;
          reason: string;
          spans?: { operation: string; durationMs: number }[];
        }[];
      }[];
    };
    expect(rca.candidates.map((c) => c.service)).toEqual(['orders-db', 'api']);
    // its evidence to open: the slowest of its callers' calls to it
    expect(rca.candidates[0]!.evidence[0]!.spans?.map((x) => [x.operation, x.durationMs])).toEqual([
      ['SELECT shop.orders', 200],
      ['SELECT shop.orders', 200],
      ['SELECT shop.orders', 200],
    ]);
    expect(rca.candidates[0]).toMatchObject({ explains: ['api'] });
    // api's requests spent their added time in the calls to it, at the same time: the calls' slowness is borne out
    expect(rca.candidates[0]!.evidence[0]!.reason).toMatch(
      /^calls to it from api \(no spans of its own\): p90 up to 200 ms per 1 min, 66\.7× its usual 3 ms at most \(\d+ calls\); api, which calls it, was slower at the same time, up to 197 ms more per request spent in calls to it$/,
    );
    expect(rca.candidates[1]!.explainedBy).toEqual(['orders-db']);
    // the graph has it as an edge of its caller's, marked external
    const graph = (await (
      await fetch(`${s.url}/api/v1/graph?from=${at}&to=${new Date(T0 + 40 * 60_000).toISOString()}`)
    ).json()) as {
      edges: {
        caller: string;
        callee: string;
        calls: number;
        p90Ms: number;
        external?: boolean;
        shift: { p90Ratio: number } | null;
      }[];
    };
    expect(graph.edges).toMatchObject([
      {
        caller: 'api',
        callee: 'orders-db',
        calls: 100,
        p90Ms: 200,
        external: true,
        shift: { p90Ratio: 66.67 },
      },
    ]);
  });

  it('receives OTLP traces and serves a trace, spans by service and operation, and the services', async () => {
    const s = await serve(['--memory']);
    const tid = '5b8efff798038103d269b633813fc60c';
    const span = (
      id: string,
      parent: string,
      name: string,
      startMs: number,
      durMs: number,
      error = false,
    ) => ({
      traceId: tid,
      spanId: id,
      parentSpanId: parent,
      name,
      kind: 2,
      startTimeUnixNano: ns(startMs),
      endTimeUnixNano: ns(startMs + durMs),
      status: error ? { code: 2, message: 'boom' } : {},
    });
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [attr('service.name', 'frontend')] },
          scopeSpans: [{ spans: [span('a1a1a1a1a1a1a1a1', '', 'GET /checkout', T0, 300)] }],
        },
        {
          resource: { attributes: [attr('service.name', 'payments')] },
          scopeSpans: [
            {
              spans: [
                span('b2b2b2b2b2b2b2b2', 'a1a1a1a1a1a1a1a1', 'charge', T0 + 10, 250, true),
                { name: 'no ids' },
              ],
            },
          ],
        },
      ],
    };
    const r = await fetch(`${s.url}/v1/traces`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    expect(await r.json()).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage: 'span without a valid traceId (16 bytes) and spanId (8 bytes)',
      },
    });
    // the same request again (an exporter's retry after a lost answer) is answered as the first, and stored once
    const again = await fetch(`${s.url}/v1/traces`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    expect(await again.json()).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage: 'span without a valid traceId (16 bytes) and spanId (8 bytes)',
      },
    });
    // another request holding a span already stored (overlapping exports): that span is left out
    const overlap = await fetch(`${s.url}/v1/traces`, {
      method: 'POST',
      body: JSON.stringify({ resourceSpans: [body.resourceSpans[0]] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(overlap.status).toBe(200);
    const prom = await (await fetch(`${s.url}/metrics`)).text();
    expect(prom).toMatch(/\nbifrost_repeated_requests_total\{signal="traces"\} 1\n/);
    expect(prom).toMatch(/\nbifrost_repeated_spans_total 1\n/);
    const t = (await (await fetch(`${s.url}/api/v1/traces/${tid.toUpperCase()}`)).json()) as {
      spans: {
        name: string;
        durationMs: number;
        parentSpanId: string;
        statusCode: number;
        resource: { service: string };
      }[];
    };
    expect(t.spans.map((x) => [x.resource.service, x.name, x.durationMs, x.statusCode])).toEqual([
      ['frontend', 'GET /checkout', 300, 0],
      ['payments', 'charge', 250, 2],
    ]);
    expect((await fetch(`${s.url}/api/v1/traces/${'0'.repeat(31)}1`)).status).toBe(404);
    expect((await fetch(`${s.url}/api/v1/traces/not-a-trace-id`)).status).toBe(400);
    const spans = (await (
      await fetch(`${s.url}/api/v1/spans?service=payments&operation=charge`)
    ).json()) as { items: unknown[] };
    expect(spans.items).toHaveLength(1);
    const slowest = (await (
      await fetch(`${s.url}/api/v1/spans?order=duration&limit=1`)
    ).json()) as { items: { name: string; durationMs: number }[] };
    expect(slowest.items.map((x) => [x.name, x.durationMs])).toEqual([['GET /checkout', 300]]);
    const failed = (await (
      await fetch(`${s.url}/api/v1/spans?status=error&minDuration=200`)
    ).json()) as { items: { name: string }[] };
    expect(failed.items.map((x) => x.name)).toEqual(['charge']);
    expect(
      (
        (await (await fetch(`${s.url}/api/v1/spans?minDuration=260`)).json()) as {
          items: unknown[];
        }
      ).items,
    ).toHaveLength(1);
    expect((await fetch(`${s.url}/api/v1/spans?minDuration=-1`)).status).toBe(400);
    expect(await (await fetch(`${s.url}/api/v1/spans?order=random`)).json()).toMatchObject({
      code: 400,
      field: 'order',
      message: 'order must be one of: start, duration',
    });
    // a misspelt parameter is not silently dropped (it would answer every span)
    const misspelt = (await (await fetch(`${s.url}/api/v1/spans?servce=payments`)).json()) as {
      code: number;
      field: string;
      message: string;
    };
    expect(misspelt).toMatchObject({ code: 400, field: 'servce' });
    expect(misspelt.message).toMatch(
      /^unknown query parameter "servce" of \/api\/v1\/spans; it takes: .*\bservice\b.*\border\b/,
    );
    expect(await (await fetch(`${s.url}/api/v1/services`)).json()).toEqual({
      items: [
        { service: 'frontend', logs: 0, spans: 1, metricPoints: 0 },
        { service: 'payments', logs: 0, spans: 1, metricPoints: 0 },
      ],
    });
  });

  it('answers bad input with the status and a reason: partial success, 400, 413 (also decompressed), 415', async () => {
    const s = await serve(['--memory', '--max-body-mb', '1']);
    const partial = await post(
      s,
      JSON.stringify({
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'x',
                    gauge: { dataPoints: [{ timeUnixNano: ns(T0), asDouble: 1 }, { asDouble: 2 }] },
                  },
                ],
              },
            ],
          },
        ],
      }),
      { 'content-type': 'application/json' },
    );
    expect(partial.status).toBe(200);
    expect(await partial.json()).toEqual({
      partialSuccess: {
        rejectedDataPoints: '1',
        errorMessage: 'x: data point without a valid timeUnixNano',
      },
    });
    const bad = await post(s, '{"resourceMetrics": [', { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(
      /^the body is not valid JSON/,
    );
    const truncated = await post(s, protobuf(metricsBody('cpu', [1, 2, 3])).subarray(0, 20), {
      'content-type': 'application/x-protobuf',
    });
    expect(truncated.status).toBe(400);
    // OTLP/HTTP: a protobuf request's error is a protobuf google.rpc.Status with the message
    expect(truncated.headers.get('content-type')).toBe('application/x-protobuf');
    const status = decodeStatus(new Uint8Array(await truncated.arrayBuffer()));
    expect(status.message).toMatch(/^the body is not an OTLP ExportMetricsServiceRequest/);
    // its gRPC code: INVALID_ARGUMENT (an absent code reads as 0, OK)
    expect(status.code).toBe(3);
    const bigPb = await postDeclared(s, 2 * 1024 * 1024, {
      'content-type': 'application/x-protobuf',
    });
    expect(bigPb.status).toBe(413);
    expect(bigPb.headers['content-type']).toBe('application/x-protobuf');
    expect(decodeStatus(bigPb.bytes)).toEqual({
      code: 8,
      message: 'the body is larger than 1048576 bytes (--max-body-mb)',
    });
    const big = await postDeclared(s, 2 * 1024 * 1024, { 'content-type': 'application/json' });
    expect(big.status).toBe(413);
    expect((JSON.parse(big.body) as { message: string }).message).toBe(
      'the body is larger than 1048576 bytes (--max-body-mb)',
    );
    const bomb = await post(s, gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(bomb.status).toBe(413);
    expect(((await bomb.json()) as { message: string }).message).toMatch(
      /larger than \d+ bytes once decompressed/,
    );
    const notGzip = await post(s, 'plain', {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(notGzip.status).toBe(400);
    const none = await fetch(`${s.url}/v1/metrics`, { method: 'POST' });
    expect(none.status).toBe(415);
    expect(((await none.json()) as { message: string }).message).toBe(
      'send the request with Content-Type application/x-protobuf or application/json',
    );
    const type = await post(s, 'x', { 'content-type': 'text/plain' });
    expect(type.status).toBe(415);
    expect(((await type.json()) as { message: string }).message).toContain(
      'send application/x-protobuf or application/json',
    );
    const q = await fetch(`${s.url}/api/v1/findings?limit=0`);
    expect(q.status).toBe(400);
    expect(((await q.json()) as { message: string }).message).toContain('limit');
    const from = await fetch(`${s.url}/api/v1/findings?from=yesterday`);
    expect(await from.json()).toMatchObject({ code: 400, field: 'from' });
    const cursor = await fetch(`${s.url}/api/v1/findings?cursor=nonsense`);
    expect(await cursor.json()).toMatchObject({ code: 400, field: 'cursor' });
  });

  it('stops gracefully on SIGTERM; what it acknowledged is there after a restart', async () => {
    const data = tempDir('bifrost-serve-data-');
    const a = await serve(['--data', data]);
    expect(
      (
        await post(a, JSON.stringify(metricsBody('disk', [1, 2, 3])), {
          'content-type': 'application/json',
        })
      ).status,
    ).toBe(200);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(a.stderr()).toContain('stopped.');
    const b = await serve(['--data', data]);
    const points = (await (await fetch(`${b.url}/api/v1/metrics/points?name=disk`)).json()) as {
      items: { value: number }[];
    };
    expect(points.items.map((p) => p.value)).toEqual([1, 2, 3]);
  });

  it('SIGTERM under load: exits within its shutdown timeout, every acknowledged request stored whole', async () => {
    const data = tempDir('bifrost-serve-term-');
    const a = await serve(['--data', data, '--shutdown-timeout', '10']);
    let termAt = 0;
    const { acked } = await underLoad(a, 4000, () => {
      termAt = performance.now();
      a.child.kill('SIGTERM');
    });
    expect(await a.exited).toBe(0);
    const exitMs = performance.now() - termAt;
    expect(exitMs, 'exit after SIGTERM within the 10 s shutdown timeout').toBeLessThan(10_000);
    expect(a.stderr()).toContain('stopped.');
    expect(acked.length).toBeGreaterThanOrEqual(20);
    const b = await serve(['--data', data]);
    for (const id of acked) {
      const got = (await (await fetch(`${b.url}/api/v1/metrics/points?name=req${id}`)).json()) as {
        items: unknown[];
      };
      expect(got.items, `acknowledged request ${id}`).toHaveLength(200);
    }
  });

  it('after SIGKILL during ingest, every acknowledged request is stored whole and no request partly', async () => {
    const data = tempDir('bifrost-serve-kill-');
    const a = await serve(['--data', data]);
    const { acked, sent: k } = await underLoad(a, 1500, () => {
      a.child.kill('SIGKILL');
    });
    if (a.child.exitCode === null) a.child.kill('SIGKILL');
    await a.exited;
    expect(acked.length).toBeGreaterThanOrEqual(20);
    expect(k, 'requests were in flight when it was killed').toBeGreaterThan(acked.length);
    const b = await serve(['--data', data]);
    for (let id = 0; id < k; id++) {
      const got = (await (await fetch(`${b.url}/api/v1/metrics/points?name=req${id}`)).json()) as {
        items: unknown[];
      };
      if (acked.includes(id)) expect(got.items, `acknowledged request ${id}`).toHaveLength(200);
      else expect([0, 200], `request ${id} is all or nothing`).toContain(got.items.length);
    }
  });

  it('--retention deletes records older than the period on a schedule', async () => {
    const s = await serve(['--memory', '--retention', '1m']);
    expect(s.stderr()).toContain('retention 1 min');
    const now = Date.now();
    await post(s, JSON.stringify(metricsBody('old', [1, 2, 3], now - 3_600_000)), {
      'content-type': 'application/json',
    });
    await post(s, JSON.stringify(metricsBody('new', [4, 5], now)), {
      'content-type': 'application/json',
    });
    const count = async (name: string) =>
      (
        (await (await fetch(`${s.url}/api/v1/metrics/points?name=${name}`)).json()) as {
          items: unknown[];
        }
      ).items.length;
    expect(await count('new')).toBe(2);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await count('old')).toBe(0);
    expect(await count('new')).toBe(2);
    const bad = await runCli(['serve', '--memory', '--retention', 'forever']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--retention takes a duration like 90m, 12h, 7d or 2w, got "forever"',
    );
  });

  it('a store another server holds is refused with advice', async () => {
    const data = tempDir('bifrost-serve-lock-');
    await serve(['--data', data]);
    const second = await runCli(['serve', '--port', '0', '--data', data]);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(
      /bifrost\.duckdb is open in another process \(another bifrost serve\?\); stop it or choose another --data directory/,
    );
    const keys = await runCli(['keys', 'list', '--data', data]);
    expect(keys.code).toBe(2);
    expect(keys.stderr).toContain(
      'is held by a running bifrost serve: stop it, or manage keys through its API',
    );
  });
});

describe('POST /api/v1/analyses', () => {
  it('gives the same report as bifrost analyze, for text, JSON and multipart (gzip) bodies; unreadable bodies are 400', async () => {
    const { readFileSync } = await import('node:fs');
    const { EXAMPLE } = await import('./helpers/run-cli.js');
    const s = await serve(['--memory']);
    const file = join(EXAMPLE, 'checkout-api.containerd.log');
    const viaApi = (await (
      await fetch(`${s.url}/api/v1/analyses?name=checkout-api.containerd.log`, {
        method: 'POST',
        body: readFileSync(file),
        headers: { 'content-type': 'text/plain' },
      })
    ).json()) as { findings: { reason: string }[]; summary: { lines: number } };
    const viaCli = JSON.parse(
      (await runCli(['analyze', file, '--output', 'json', '--no-cache'])).stdout,
    ) as { findings: { reason: string }[]; summary: { lines: number } };
    expect(viaApi.summary.lines).toBe(viaCli.summary.lines);
    expect(viaApi.findings.map((f) => f.reason)).toEqual(
      viaCli.findings.map((f) =>
        f.reason.replaceAll(file.replace(/^.*examples/, 'examples'), 'checkout-api.containerd.log'),
      ),
    );
    const form = new FormData();
    form.append(
      'file',
      new Blob([readFileSync(join(EXAMPLE, 'ingress-nginx.access.log.gz'))]),
      'ingress.log.gz',
    );
    const multipartReport = (await (
      await fetch(`${s.url}/api/v1/analyses`, { method: 'POST', body: form })
    ).json()) as { summary: { lines: number; sources: { name: string; format: string }[] } };
    expect(multipartReport.summary.lines).toBe(2757);
    expect(multipartReport.summary.sources[0]).toMatchObject({
      name: 'ingress.log.gz',
      format: 'access',
    });
    // several files in one upload: the incidents across them, as bifrost analyze finds them
    const two = new FormData();
    for (const name of ['payments.docker.log', 'checkout-api.containerd.log'])
      two.append('file', new Blob([readFileSync(join(EXAMPLE, name))]), name);
    const both = (await (
      await fetch(`${s.url}/api/v1/analyses`, { method: 'POST', body: two })
    ).json()) as {
      incidents: {
        services: { service: string }[];
        causes: { service: string; reasons: string[] }[];
      }[];
    };
    expect(
      both.incidents.map((i) => [i.services.map((x) => x.service), i.causes[0]!.service]),
    ).toEqual([[['payments', 'checkout-api'], 'payments']]);
    expect(both.incidents[0]!.causes[0]!.reasons[0]).toBe(
      'explains the symptoms of checkout-api, whose records name it',
    );
    const post = () =>
      fetch(`${s.url}/api/v1/analyses`, {
        method: 'POST',
        body: JSON.stringify({
          text: '2026-01-01 10:00:00 ERROR db: connection refused\n',
          name: 'db.log',
        }),
        headers: { 'content-type': 'application/json' },
      });
    const first = await post();
    expect(first.headers.get('x-cache')).toBe('miss');
    const json = (await first.json()) as { findings: { reason: string }[] };
    expect(json.findings[0]!.reason).toContain('connection refused');
    const again = await post();
    expect(again.headers.get('x-cache')).toBe('hit');
    expect(await again.json()).toEqual(json);
    const binary = await fetch(`${s.url}/api/v1/analyses`, {
      method: 'POST',
      body: Buffer.alloc(4000, 0),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(binary.status).toBe(400);
    expect(await binary.json()).toMatchObject({ error: 'INPUT.BINARY', field: 'body' });
    const noText = await fetch(`${s.url}/api/v1/analyses`, {
      method: 'POST',
      body: '{"nottext":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(await noText.json()).toMatchObject({ code: 400, field: 'text' });
    const nullBody = await fetch(`${s.url}/api/v1/analyses`, {
      method: 'POST',
      body: 'null',
      headers: { 'content-type': 'application/json' },
    });
    expect(nullBody.status).toBe(400);
  });
});

describe('POST /api/v1/analyses with hostile multipart bodies', () => {
  it('a file part over the limit is 413, an empty multipart body 400; nothing is kept', async () => {
    const s = await serve(['--memory', '--max-body-mb', '1']);
    const big = new FormData();
    big.append('file', new Blob([Buffer.alloc(2 * 1024 * 1024, 0x41)]), 'big.log');
    const tooBig = await fetch(`${s.url}/api/v1/analyses`, { method: 'POST', body: big });
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { message: string }).message).toMatch(
      /larger than 1048576 bytes \(--max-body-mb\)/,
    );
    const none = new FormData();
    none.append('note', 'no file here');
    const empty = await fetch(`${s.url}/api/v1/analyses`, { method: 'POST', body: none });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ field: 'file' });
    expect(
      ((await (await fetch(`${s.url}/api/v1/analyses`)).json()) as { items: unknown[] }).items,
    ).toEqual([]);
  });
});

describe('analyses history, batch jobs and export', () => {
  it('keeps each analysis; a batch runs in the background with progress over SSE; exports CSV and JSON', async () => {
    const { readFileSync } = await import('node:fs');
    const { EXAMPLE } = await import('./helpers/run-cli.js');
    const s = await serve(['--memory']);
    const one = await fetch(`${s.url}/api/v1/analyses?name=db.log`, {
      method: 'POST',
      body: '2026-01-01 10:00:00 ERROR db: connection refused\n',
      headers: { 'content-type': 'text/plain' },
    });
    const location = one.headers.get('location')!;
    expect(location).toMatch(/^\/api\/v1\/analyses\/[\w-]+$/);
    const form = new FormData();
    for (const f of ['checkout-api.containerd.log', 'payments.docker.log', 'inventory.log'])
      form.append('files', new Blob([readFileSync(join(EXAMPLE, f))]), f);
    const accepted = await fetch(`${s.url}/api/v1/analyses/batch`, { method: 'POST', body: form });
    expect(accepted.status).toBe(202);
    const job = (await accepted.json()) as { id: string; total: number; events: string };
    expect(job.total).toBe(3);
    const events = await fetch(`${s.url}${job.events}`);
    expect(events.headers.get('content-type')).toBe('text/event-stream');
    const stream = await events.text();
    const kinds = [...stream.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(kinds.at(-1)).toBe('done');
    const last = JSON.parse([...stream.matchAll(/^data: (.*)$/gm)].at(-1)![1]!) as {
      done: number;
      total: number;
      analysis: string;
    };
    expect(last).toMatchObject({ done: 3, total: 3 });
    const status = (await (await fetch(`${s.url}/api/v1/jobs/${job.id}`)).json()) as {
      status: string;
      analysis: string;
    };
    expect(status).toMatchObject({ status: 'done', analysis: last.analysis });
    const batch = (await (await fetch(`${s.url}${last.analysis}`)).json()) as {
      name: string;
      report: { summary: { sources: unknown[] }; findings: { reason: string }[] };
    };
    expect(batch.name).toBe('3 files');
    expect(batch.report.summary.sources).toHaveLength(3);
    const list = (await (await fetch(`${s.url}/api/v1/analyses?limit=1`)).json()) as {
      items: { name: string }[];
      next: string;
    };
    expect(list.items.map((a) => a.name)).toEqual(['3 files']);
    const older = (await (
      await fetch(`${s.url}/api/v1/analyses?limit=1&cursor=${list.next}`)
    ).json()) as { items: { name: string }[]; next: string | null };
    expect(older.items.map((a) => a.name)).toEqual(['db.log']);
    const csv = await fetch(`${s.url}${last.analysis}/export?format=csv`);
    expect(csv.headers.get('content-disposition')).toMatch(
      /attachment; filename="bifrost-analysis-.*\.csv"/,
    );
    const rows = (await csv.text()).trim().split('\n');
    expect(rows[0]).toBe(
      'rank,severity,kind,score,count,reason,template_id,template,first_seen,last_seen,sources,evidence',
    );
    expect(rows.length - 1).toBe(batch.report.findings.length);
    const json = (await (await fetch(`${s.url}${location}/export?format=json`)).json()) as {
      findings: { reason: string }[];
    };
    expect(json.findings[0]!.reason).toContain('connection refused');
    expect((await fetch(`${s.url}${location}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${s.url}${location}`)).status).toBe(404);
    expect((await fetch(`${s.url}/api/v1/jobs/nope`)).status).toBe(404);
    const empty = await fetch(`${s.url}/api/v1/analyses/batch`, {
      method: 'POST',
      body: '{"items": []}',
      headers: { 'content-type': 'application/json' },
    });
    expect(await empty.json()).toMatchObject({ code: 400, field: 'items' });
    const badItem = await fetch(`${s.url}/api/v1/analyses/batch`, {
      method: 'POST',
      body: '{"items": [{"text": 5}]}',
      headers: { 'content-type': 'application/json' },
    });
    expect(await badItem.json()).toMatchObject({
      code: 400,
      message: 'items[0].text must be a string',
    });
  });
});

describe('bifrost import --format otlp-json', () => {
  it('loads JSON-lines and single-document exports through the ingest path; the server then serves them', async () => {
    const dir = tempDir('bifrost-import-');
    const data = tempDir('bifrost-import-data-');
    const values = Array.from({ length: 900 }, (_, i) =>
      i === 800 ? 95 : 50 + 3 * Math.sin(i * 1.3),
    );
    const logsReq = {
      resourceLogs: [
        {
          resource: { attributes: [attr('service.name', 'payments')] },
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: ns(T0),
                  severityNumber: 17,
                  body: { stringValue: 'charge failed' },
                },
              ],
            },
          ],
        },
      ],
    };
    const spansReq = {
      resourceSpans: [
        {
          resource: { attributes: [attr('service.name', 'payments')] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: 'ab'.repeat(16),
                  spanId: 'cd'.repeat(8),
                  name: 'charge',
                  startTimeUnixNano: ns(T0),
                  endTimeUnixNano: ns(T0 + 5),
                },
              ],
            },
          ],
        },
      ],
    };
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      join(dir, 'export.jsonl'),
      [
        JSON.stringify(metricsBody('cpu', values.slice(0, 500))),
        JSON.stringify(metricsBody('cpu', values.slice(500), T0 + 500 * 60_000)),
        JSON.stringify(logsReq),
      ].join('\n') + '\n',
    );
    writeFileSync(join(dir, 'trace.json'), JSON.stringify(spansReq, null, 2));
    writeFileSync(join(dir, 'broken.jsonl'), `${JSON.stringify(logsReq)}\n{"resourceLogs": [\n`);
    const r = await runCli(['import', '--format', 'otlp-json', dir, '--data', data]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      'export.jsonl: 3 requests · 900 metric points (1 anomaly) · 1 logs · 0 spans',
    );
    expect(r.stdout).toContain(
      'trace.json: 1 request · 0 metric points (0 anomalies) · 0 logs · 1 spans',
    );
    expect(r.stderr).toMatch(/broken\.jsonl:2: not valid JSON .*; the other lines were loaded/);
    const s = await serve(['--data', data]);
    const findings = (await (await fetch(`${s.url}/api/v1/findings`)).json()) as {
      items: { reason: string }[];
    };
    expect(findings.items[0]!.reason).toMatch(/^cpu · checkout\/checkout-1: value 95/);
    expect(await (await fetch(`${s.url}/api/v1/services`)).json()).toEqual({
      items: [
        { service: 'checkout', logs: 0, spans: 0, metricPoints: 900 },
        { service: 'payments', logs: 2, spans: 1, metricPoints: 0 },
      ],
    });
  });
});

describe('bifrost serve with API keys', () => {
  async function key(data: string, scope: string, tenant: string): Promise<string> {
    const r = await runCli([
      'keys',
      'create',
      '--data',
      data,
      '--scope',
      scope,
      '--tenant',
      tenant,
      '--name',
      `${scope}-${tenant}`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('It is shown only now');
    return r.stdout.trim();
  }
  const auth = (k: string) => ({ authorization: `Bearer ${k}` });

  it('requires a key, checks its scope, and keeps every tenant to its own data', async () => {
    const data = tempDir('bifrost-serve-auth-');
    const [ingestA, readA, ingestB, readB, adminA] = [
      await key(data, 'ingest', 'a'),
      await key(data, 'read', 'a'),
      await key(data, 'ingest', 'b'),
      await key(data, 'read', 'b'),
      await key(data, 'admin', 'a'),
    ];
    const list = await runCli(['keys', 'list', '--data', data, '-o', 'json']);
    expect(list.stdout).not.toContain(ingestA.slice(13));
    expect((JSON.parse(list.stdout) as unknown[]).length).toBe(5);
    const s = await serve(['--data', data, '--auth']);
    expect(s.stderr()).toContain('API keys required');
    const body = (svc: string) =>
      JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [attr('service.name', svc)] },
            scopeLogs: [
              { logRecords: [{ timeUnixNano: ns(T0), body: { stringValue: `secret of ${svc}` } }] },
            ],
          },
        ],
      });
    expect(
      (
        await fetch(`${s.url}/v1/logs`, {
          method: 'POST',
          body: body('alpha'),
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await fetch(`${s.url}/v1/logs`, {
          method: 'POST',
          body: body('alpha'),
          headers: { 'content-type': 'application/json', 'x-api-key': 'bfk_nonsense' },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await fetch(`${s.url}/v1/logs`, {
          method: 'POST',
          body: body('alpha'),
          headers: { 'content-type': 'application/json', ...auth(ingestA) },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await fetch(`${s.url}/v1/logs`, {
          method: 'POST',
          body: body('beta'),
          headers: { 'content-type': 'application/json', 'x-api-key': ingestB },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await fetch(`${s.url}/v1/logs`, {
          method: 'POST',
          body: body('alpha'),
          headers: { 'content-type': 'application/json', ...auth(readA) },
        })
      ).status,
    ).toBe(403);
    const forbidden = await fetch(`${s.url}/api/v1/logs`, { headers: auth(ingestA) });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({
      message: "this key's scope is ingest; this needs read",
    });
    expect((await fetch(`${s.url}/api/v1/notifiers`, { headers: auth(readA) })).status).toBe(403);
    // the server's own counters are everyone's traffic: an admin's to read
    expect((await fetch(`${s.url}/metrics`, { headers: auth(readA) })).status).toBe(403);
    expect((await fetch(`${s.url}/metrics`, { headers: auth(adminA) })).status).toBe(200);
    expect(
      (await fetch(`${s.url}/api/v1/notifiers/test`, { method: 'POST', headers: auth(readA) }))
        .status,
    ).toBe(403);
    const logsA = (await (
      await fetch(`${s.url}/api/v1/logs`, { headers: auth(readA) })
    ).json()) as { items: { body: string }[] };
    expect(logsA.items.map((l) => l.body)).toEqual(['secret of alpha']);
    const logsB = (await (
      await fetch(`${s.url}/api/v1/logs?q=secret`, { headers: auth(readB) })
    ).json()) as { items: { body: string }[] };
    expect(logsB.items.map((l) => l.body)).toEqual(['secret of beta']);
    expect(
      await (await fetch(`${s.url}/api/v1/services`, { headers: auth(readB) })).json(),
    ).toEqual({ items: [{ service: 'beta', logs: 1, spans: 0, metricPoints: 0 }] });
    const counts = (await (
      await fetch(`${s.url}/api/v1/templates`, { headers: auth(readB) })
    ).json()) as { items: { template: string }[] };
    expect(counts.items.map((c) => c.template)).toEqual(['secret of beta']);
    // a's trace and a's metric anomaly: invisible to b, even by id
    const tid = 'ab'.repeat(16);
    const spanBody = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [attr('service.name', 'alpha')] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: tid,
                  spanId: 'cd'.repeat(8),
                  name: 'op',
                  startTimeUnixNano: ns(T0),
                  endTimeUnixNano: ns(T0 + 1),
                },
              ],
            },
          ],
        },
      ],
    });
    expect(
      (
        await fetch(`${s.url}/v1/traces`, {
          method: 'POST',
          body: spanBody,
          headers: { 'content-type': 'application/json', ...auth(ingestA) },
        })
      ).status,
    ).toBe(200);
    const values = Array.from({ length: 900 }, (_, i) =>
      i === 800 ? 95 : 50 + 3 * Math.sin(i * 1.3),
    );
    expect(
      (
        await fetch(`${s.url}/v1/metrics`, {
          method: 'POST',
          body: JSON.stringify(metricsBody('cpu', values)),
          headers: { 'content-type': 'application/json', ...auth(ingestA) },
        })
      ).status,
    ).toBe(200);
    expect((await fetch(`${s.url}/api/v1/traces/${tid}`, { headers: auth(readA) })).status).toBe(
      200,
    );
    expect((await fetch(`${s.url}/api/v1/traces/${tid}`, { headers: auth(readB) })).status).toBe(
      404,
    );
    expect(
      (
        (await (await fetch(`${s.url}/api/v1/findings`, { headers: auth(readA) })).json()) as {
          items: unknown[];
        }
      ).items,
    ).toHaveLength(1);
    expect(
      (
        (await (await fetch(`${s.url}/api/v1/findings`, { headers: auth(readB) })).json()) as {
          items: unknown[];
        }
      ).items,
    ).toHaveLength(0);
    expect(
      (
        (await (
          await fetch(`${s.url}/api/v1/metrics/series?name=cpu`, { headers: auth(readB) })
        ).json()) as { series: unknown[] }
      ).series,
    ).toHaveLength(0);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    // an admin of tenant a manages a's keys only, and a revoked key stops at once
    const keysA = (await (
      await fetch(`${s.url}/api/v1/keys`, { headers: auth(adminA) })
    ).json()) as { items: { id: string; tenant: string }[] };
    expect(keysA.items.map((k) => k.tenant)).toEqual(['a', 'a', 'a']);
    const idB = ingestB.slice(4, 12);
    expect(
      (await fetch(`${s.url}/api/v1/keys/${idB}`, { method: 'DELETE', headers: auth(adminA) }))
        .status,
    ).toBe(404);
    const created = (await (
      await fetch(`${s.url}/api/v1/keys`, {
        method: 'POST',
        body: JSON.stringify({ scope: 'read', name: 'dashboard' }),
        headers: { 'content-type': 'application/json', ...auth(adminA) },
      })
    ).json()) as { key: string; tenant: string };
    expect(created.tenant).toBe('a');
    expect((await fetch(`${s.url}/api/v1/logs`, { headers: auth(created.key) })).status).toBe(200);
    expect(
      (
        await fetch(`${s.url}/api/v1/keys/${readA.slice(4, 12)}`, {
          method: 'DELETE',
          headers: auth(adminA),
        })
      ).status,
    ).toBe(204);
    expect((await fetch(`${s.url}/api/v1/logs`, { headers: auth(readA) })).status).toBe(401);
  });

  it('limits requests per key: 429 with Retry-After', async () => {
    const data = tempDir('bifrost-serve-rate-');
    const k = await key(data, 'read', 'a');
    const s = await serve(['--data', data, '--auth', '--rate-limit', '5']);
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 7; i++) {
      last = await fetch(`${s.url}/api/v1/services`, { headers: auth(k) });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await last!.json()) as { message: string }).message).toMatch(
      /more than 5 requests per minute from this key/,
    );
  });

  it('beyond loopback it requires keys whatever the flags say; the API description stays public', async () => {
    const s = await serve(['--memory', '--host', '0.0.0.0']);
    expect(s.stderr()).toContain('API keys required');
    const base = `http://127.0.0.1:${new URL(s.url).port}`;
    expect((await fetch(`${base}/api/v1/findings`)).status).toBe(401);
    const spec = (await (await fetch(`${base}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/v1/metrics',
        '/v1/logs',
        '/v1/traces',
        '/api/v1/findings',
        '/api/v1/logs',
        '/api/v1/templates',
        '/api/v1/traces/{traceId}',
        '/api/v1/spans',
        '/api/v1/services',
        '/api/v1/keys',
      ]),
    );
    expect(Object.keys(spec.components.securitySchemes)).toEqual(['bearer', 'apiKey']);
    const docs = await fetch(`${base}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });
});
