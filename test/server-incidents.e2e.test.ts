import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postLiveBurst } from './helpers/live-burst.js';
import { startLlmStandIn } from './helpers/llm-stand-in.js';
import { nezhaSlice } from './helpers/nezha.js';
import { runCli, tempDir } from './helpers/run-cli.js';
import { serve, stopServers } from './helpers/serve.js';

afterEach(stopServers);

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

/** Reads a Server-Sent Events response, collecting events as they come. */
async function openStream(url: string, headers: Record<string, string> = {}) {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers, signal: ctrl.signal });
  const events: SseEvent[] = [];
  let text = '';
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const done = (async () => {
    try {
      for (;;) {
        const chunk = (await reader.read()) as { done: boolean; value: Uint8Array };
        if (chunk.done) return;
        text += Buffer.from(chunk.value).toString('utf8');
        let cut;
        while ((cut = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, cut);
          text = text.slice(cut + 2);
          const e: SseEvent = {};
          for (const line of block.split('\n')) {
            const m = /^(id|event|data): (.*)$/.exec(line);
            if (m) e[m[1] as 'id' | 'event' | 'data'] = m[2]!;
          }
          if (e.event !== undefined) events.push(e);
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    res,
    events,
    close: async () => {
      ctrl.abort();
      await done;
    },
  };
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('bifrost serve: incidents, root causes, the event stream and notifications', () => {
  const data = tempDir('bifrost-serve-nezha-');
  const hooks: { headers: IncomingHttpHeaders; body: string }[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hooks.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(hooks.length === 1 ? 503 : 200).end();
    });
  });
  beforeAll(async () => {
    const r = await runCli(['import', '--format', 'nezha', nezhaSlice(), '--data', data]);
    expect(r.code).toBe(0);
    await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  }, 60_000);
  afterAll(() => new Promise((ok) => receiver.close(ok)));

  it('scans stored data for incidents, streams and notifies each change once, acknowledges, ranks causes, resumes a stream', async () => {
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const s = await serve(
      [
        '--data',
        data,
        '--webhook-url',
        hook,
        '--public-url',
        'https://bifrost.example',
        '--detect-every',
        '1s',
      ],
      { BIFROST_WEBHOOK_SECRET: 'whsec' },
    );
    expect(s.stderr()).toMatch(
      /incidents: looked for every 1 s · notifications to webhook \(signed\)/,
    );
    const api = (path: string, init?: RequestInit) => fetch(`${s.url}/api/v1${path}`, init);
    const post = (path: string, body?: unknown) =>
      api(path, {
        method: 'POST',
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });

    const stream = await openStream(`${s.url}/api/v1/stream?types=incident`);
    expect(stream.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');

    const scan = await post('/incidents/scan', {
      from: '2023-01-29T08:40:00Z',
      to: '2023-01-29T09:20:00Z',
    });
    expect(scan.status).toBe(200);
    const found = (await scan.json()) as {
      items: { id: string; causes: { service: string }[]; status: string }[];
      changes: { type: string }[];
    };
    expect(found.items.map((i) => i.causes[0]?.service)).toEqual([
      'ts-contacts-service',
      'ts-basic-service',
    ]);
    expect(found.changes.map((c) => c.type)).toEqual(['opened', 'opened']);
    // the same scan again changes nothing: no new events, no new messages
    expect(
      (
        (await (
          await post('/incidents/scan', {
            from: '2023-01-29T08:40:00Z',
            to: '2023-01-29T09:20:00Z',
          })
        ).json()) as { changes: unknown[] }
      ).changes,
    ).toEqual([]);

    await until(() => stream.events.length >= 2, 'two incident events');
    expect(stream.events.map((e) => e.event)).toEqual(['incident.opened', 'incident.opened']);
    const [a, b] = found.items;
    // retrospective incidents are resolved already: acknowledging one changes nothing and says nothing
    const noop = await post(`/incidents/${b!.id}/acknowledge`);
    expect(noop.status).toBe(200);
    expect(await noop.json()).toMatchObject({ id: b!.id, status: 'resolved' });

    // live detection: 38 quiet minutes of a service, then a burst of a new error in the last minute
    expect(await postLiveBurst(s.url)).toBe(200);
    await until(() => stream.events.length >= 3, 'the live incident', 20_000);
    const live = JSON.parse(stream.events[2]!.data!) as {
      id: string;
      status: string;
      services: string[];
      causes: { service: string; reasons: string[] }[];
    };
    expect(stream.events[2]!.event).toBe('incident.opened');
    expect(live).toMatchObject({ status: 'open', services: ['checkout'] });
    expect(live.causes[0]!.reasons[0]).toMatch(
      /^30 ERROR records "payment provider timeout after <\*> ms"/,
    );
    const ack = await post(`/incidents/${live.id}/acknowledge`);
    expect(await ack.json()).toMatchObject({
      id: live.id,
      status: 'acknowledged',
      timeline: expect.arrayContaining([
        expect.objectContaining({
          kind: 'acknowledged',
          text: 'acknowledged by an operator (open mode)',
        }),
      ]) as unknown,
    });
    const res = await post(`/incidents/${live.id}/resolve`);
    expect(await res.json()).toMatchObject({ status: 'resolved', resolvedBy: 'person' });
    await until(() => stream.events.length >= 5, 'acknowledge and resolve events');
    expect(stream.events.map((e) => e.event).slice(3, 5)).toEqual([
      'incident.acknowledged',
      'incident.resolved',
    ]);
    const ids = stream.events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    await stream.close();

    // resume: everything after the first event again, in order
    const resumed = await openStream(`${s.url}/api/v1/stream?types=incident`, {
      'last-event-id': String(ids[0]),
    });
    await until(() => resumed.events.length >= ids.length - 1, 'the replay');
    expect(resumed.events.map((e) => e.id)).toEqual(ids.slice(1).map(String));
    await resumed.close();

    // the webhook: first delivery refused (503) and retried; each message signed
    await until(() => hooks.length >= 6, 'webhook deliveries', 15_000);
    const opened = hooks.filter((h) => h.headers['x-bifrost-event'] === 'incident.opened');
    expect(new Set(opened.map((h) => h.headers['x-bifrost-delivery'])).size).toBe(3);
    expect(
      hooks
        .map((h) => String(h.headers['x-bifrost-event']))
        .filter((e) => e !== 'incident.opened')
        .sort(),
    ).toEqual(['incident.acknowledged', 'incident.resolved']);
    for (const h of hooks)
      expect(h.headers['x-bifrost-signature']).toBe(
        `sha256=${createHmac('sha256', 'whsec')
          .update(`${String(h.headers['x-bifrost-timestamp'])}.${h.body}`)
          .digest('hex')}`,
      );
    expect(JSON.parse(hooks.at(-1)!.body)).toMatchObject({
      link: expect.stringMatching(
        /^https:\/\/bifrost\.example\/api\/v1\/incidents\/inc_/,
      ) as unknown,
    });

    // the destinations in the settings: figures since start, the URL's path hidden; a test notice on request
    const dest = (await (await api('/notifiers')).json()) as {
      items: {
        kind: string;
        name: string;
        sent: number;
        failed: number;
        lastSent: string | null;
      }[];
      configure: string;
    };
    expect(dest.items).toEqual([
      expect.objectContaining({ kind: 'webhook', failed: 0, sent: hooks.length - 1 }),
    ]);
    expect(dest.items[0]!.name).not.toContain('/hook');
    expect(dest.configure).toMatch(/--webhook-url/);
    const before = hooks.length;
    const tested = (await (await post('/notifiers/test')).json()) as { items: { ok: boolean }[] };
    expect(tested.items.map((t) => t.ok)).toEqual([true]);
    expect(hooks).toHaveLength(before + 1);
    expect(hooks.at(-1)!.headers['x-bifrost-event']).toBe('incident.test');

    const list = (await (await api('/incidents?status=resolved')).json()) as {
      items: { id: string }[];
    };
    expect(list.items.map((i) => i.id)).toEqual([live.id, b!.id, a!.id]);
    const one = (await (await api(`/incidents/${b!.id}`)).json()) as {
      mttdMs: number;
      timeline: { kind: string }[];
    };
    expect(one.mttdMs).toBe(60_000);
    const timeline = (await (await api(`/incidents/${b!.id}/timeline`)).json()) as {
      timeline: { kind: string; time: string }[];
    };
    expect(timeline.timeline[0]).toMatchObject({
      kind: 'first-symptom',
      time: expect.stringMatching(/^2023-01-29T09:0/) as unknown,
    });
    const graph = (await (await api(`/incidents/${b!.id}/graph`)).json()) as {
      nodes: { service: string; abnormal: boolean }[];
      edges: { caller: string; callee: string }[];
    };
    expect(graph.nodes.find((n) => n.service === 'ts-basic-service')).toMatchObject({
      abnormal: true,
    });
    expect(graph.edges.some((e) => e.callee === 'ts-basic-service')).toBe(true);

    // the imported day and the live burst since
    expect(await (await api('/extent')).json()).toEqual({
      from: expect.stringMatching(/^2023-01-29T0/) as unknown,
      to: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
    });
    // the answers are documented (and the server checks each answer against its schema: BIFROST_CHECK_RESPONSES)
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          {
            responses: Record<
              string,
              { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }
            >;
          }
        >
      >;
    };
    expect(
      Object.keys(
        doc.paths['/api/v1/rca']!.get!.responses['200']!.content!['application/json']!.schema
          .properties!,
      ),
    ).toEqual(['at', 'window', 'reference', 'candidates', 'notes']);
    expect(doc.paths['/api/v1/incidents/{id}']!.get!.responses['404']).toBeDefined();
    const rca = (await (await api('/rca?at=2023-01-29T09:03:53Z&window=10m')).json()) as {
      candidates: { service: string }[];
    };
    expect(rca.candidates[0]!.service).toBe('ts-basic-service');
    const mttr = (await (
      await api('/mttr?from=2023-01-29T00:00:00Z&to=2023-01-30T00:00:00Z')
    ).json()) as { services: { service: string; incidents: number; mttdMs: number }[] };
    expect(mttr.services.map((x) => [x.service, x.incidents, x.mttdMs])).toEqual([
      ['ts-basic-service', 1, 60_000],
      ['ts-contacts-service', 1, 60_000],
    ]);
    expect(
      ((await (await api('/mttr')).json()) as { services: { service: string; resolved: number }[] })
        .services,
    ).toEqual([expect.objectContaining({ service: 'checkout', incidents: 1, resolved: 1 })]);
    const g = (await (
      await api('/graph?from=2023-01-29T09:02:00Z&to=2023-01-29T09:07:00Z')
    ).json()) as {
      services: { service: string; spans: number; shift: { p90Ratio: number } | null }[];
      edges: {
        caller: string;
        callee: string;
        calls: number;
        p90Ms: number;
        shift: { errorRatioChange: number } | null;
      }[];
    };
    expect(g.services.length).toBeGreaterThan(20);
    expect(new Set(g.services.map((x) => x.service)).size).toBe(g.services.length);
    expect(g.edges.length).toBeGreaterThan(20);
    // the five minutes before (08:57–09:02) hold the contacts fault: shifts are measured against them
    expect(
      g.edges.find((e) => e.caller === 'ts-travel-service' && e.callee === 'ts-basic-service'),
    ).toMatchObject({
      calls: expect.any(Number) as unknown,
      shift: expect.objectContaining({ p90Ratio: expect.any(Number) as unknown }) as unknown,
    });
    expect(g.services.find((x) => x.service === 'ts-basic-service')!.shift).not.toBeNull();
    expect((await api('/graph?from=2023-01-29T09:07:00Z&to=2023-01-29T09:02:00Z')).status).toBe(
      400,
    );
    const red = (await (
      await api('/red?service=ts-basic-service&from=2023-01-29T09:00:00Z&to=2023-01-29T09:10:00Z')
    ).json()) as {
      operations: {
        service: string;
        operation: string;
        points: { time: string; spans: number; p90Ms: number }[];
      }[];
    };
    expect(red.operations.length).toBeGreaterThan(3);
    expect(
      red.operations.every(
        (o) =>
          o.service === 'ts-basic-service' &&
          o.points.every((p) => p.spans > 0 && p.time.startsWith('2023-01-29T09:0')),
      ),
    ).toBe(true);
    expect(
      (await api('/red?from=2023-01-29T09:00:00Z&to=2023-01-30T09:00:00Z&step=1')).status,
    ).toBe(400);
    // per service: one series over all its operations, as many spans as the operations together
    const perService = (await (
      await api(
        '/red?service=ts-basic-service&per=service&from=2023-01-29T09:00:00Z&to=2023-01-29T09:10:00Z',
      )
    ).json()) as typeof red;
    expect(perService.operations.map((o) => [o.service, o.operation])).toEqual([
      ['ts-basic-service', '*'],
    ]);
    const total = (x: typeof red) =>
      x.operations.reduce((a, o) => a + o.points.reduce((b, p) => b + p.spans, 0), 0);
    expect(total(perService)).toBe(total(red));
    expect((await api('/red?per=pod')).status).toBe(400);
    // the call paths of a service, with the time spent outside the callee
    const calls = (await (
      await api('/calls?service=ts-basic-service&from=2023-01-29T09:00:00Z&to=2023-01-29T09:10:00Z')
    ).json()) as {
      paths: {
        caller: string;
        callee: string;
        points: { time: string; calls: number; gapMs: number }[];
      }[];
    };
    expect(
      calls.paths.some((p) => p.caller === 'ts-travel-service' && p.callee === 'ts-basic-service'),
    ).toBe(true);
    expect(
      calls.paths.some((p) => p.caller === 'ts-basic-service' && p.callee === 'ts-station-service'),
    ).toBe(true);
    expect(
      calls.paths.every(
        (p) =>
          (p.caller === 'ts-basic-service' || p.callee === 'ts-basic-service') &&
          p.points.every(
            (x) => x.calls > 0 && Number.isFinite(x.gapMs) && x.time.startsWith('2023-01-29T09:0'),
          ),
      ),
    ).toBe(true);
    expect((await api('/calls')).status).toBe(400);
    expect(
      (await api('/calls?service=x&from=2023-01-29T09:00:00Z&to=2023-01-30T09:00:00Z&step=1'))
        .status,
    ).toBe(400);

    // bad input: named, not a crash
    expect((await api('/incidents/inc_nope')).status).toBe(404);
    expect((await post('/incidents/inc_nope/acknowledge')).status).toBe(404);
    const backwards = await post('/incidents/scan', {
      from: '2023-01-29T09:00:00Z',
      to: '2023-01-29T08:00:00Z',
    });
    expect(backwards.status).toBe(400);
    expect(await backwards.json()).toMatchObject({ field: 'to', message: 'to must be after from' });
    const badAt = await api('/rca?at=noon');
    expect(badAt.status).toBe(400);
    expect(await badAt.json()).toMatchObject({ field: 'at' });
    expect((await api('/rca?at=2023-01-29T09:03:53Z&window=forever')).status).toBe(400);
    expect((await api('/stream?lastEventId=abc')).status).toBe(400);
  }, 60_000);

  it('--kubernetes: cluster changes from a stand-in API server (watch protocol, KUBECONFIG) become change findings and stream events', async () => {
    const watchers: string[] = [];
    const api = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      watchers.push(`${url.pathname} ${req.headers.authorization ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      if (url.pathname === '/api/v1/namespaces/shop/events')
        res.write(
          `${JSON.stringify({ type: 'ADDED', object: { metadata: { uid: 'e1', resourceVersion: '7' }, involvedObject: { kind: 'Pod', name: 'checkout-7f9c4d8b5-x2k9p', namespace: 'shop' }, reason: 'OOMKilling', type: 'Warning', message: 'Memory cgroup out of memory', lastTimestamp: new Date().toISOString() } })}\n`,
        );
      // kept open like a real watch
    });
    await new Promise<void>((ok) => api.listen(0, '127.0.0.1', ok));
    const dir = tempDir('bifrost-kube-');
    const kubeconfig = join(dir, 'config');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: stand-in\n  cluster:\n    server: http://127.0.0.1:${(api.address() as AddressInfo).port}\n    insecure-skip-tls-verify: true\ncontexts:\n- name: ctx\n  context:\n    cluster: stand-in\n    user: u\ncurrent-context: ctx\nusers:\n- name: u\n  user:\n    token: kube-token\n`,
    );
    try {
      const s = await serve(
        ['--memory', '--kubernetes', '--kube-namespace', 'shop', '--detect-every', 'off'],
        { KUBECONFIG: kubeconfig },
      );
      expect(s.stderr()).toMatch(/kubernetes: watching shop for changes \(tenant default\)/);
      const stream = await openStream(`${s.url}/api/v1/stream?types=finding`, {
        'last-event-id': '0',
      });
      await until(() => stream.events.length >= 1, 'the change on the stream');
      expect(JSON.parse(stream.events[0]!.data!)).toMatchObject({
        kind: 'change',
        detail: 'oom-killed',
        subject: { resource: { service: 'checkout', namespace: 'shop' } },
      });
      const findings = (await (await fetch(`${s.url}/api/v1/findings?kind=change`)).json()) as {
        items: { reason: string }[];
      };
      expect(findings.items.map((f) => f.reason)).toEqual([
        'oom-killed of pod/checkout-7f9c4d8b5-x2k9p in shop: Memory cgroup out of memory',
      ]);
      expect(watchers).toEqual(
        expect.arrayContaining([
          '/api/v1/namespaces/shop/events Bearer kube-token',
          '/apis/apps/v1/namespaces/shop/deployments Bearer kube-token',
          '/api/v1/namespaces/shop/pods Bearer kube-token',
        ]),
      );
      await stream.close();
    } finally {
      api.closeAllConnections();
      await new Promise((ok) => api.close(ok));
    }
  }, 30_000);

  it('explains an incident with the configured model (JSON, streamed over SSE, A/B recorded) and an analysis with llm; no model: a note', async () => {
    const llm = await startLlmStandIn();
    try {
      const s = await serve(
        ['--data', data, '--detect-every', 'off', '--llm', '--model', 'qwen2.5:7b'],
        { OLLAMA_HOST: llm.url },
      );
      expect(s.stderr()).toMatch(/explanations: ollama qwen2\.5:7b, redacted first/);
      expect(await (await fetch(`${s.url}/api/v1/llm`)).json()).toEqual({
        provider: 'ollama',
        model: 'qwen2.5:7b',
        reachable: true,
        models: ['llama3.1:latest', 'qwen2.5:7b'],
        modelAvailable: true,
      });
      const api = (path: string, init?: RequestInit) => fetch(`${s.url}/api/v1${path}`, init);
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
        api(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
      const { items } = (await (
        await post('/incidents/scan', { from: '2023-01-29T08:40:00Z', to: '2023-01-29T09:20:00Z' })
      ).json()) as { items: { id: string }[] };
      const id = items[1]!.id;

      const r = await post(`/incidents/${id}/explain`, { prompt: 'v1', compare: 'v2' });
      expect(r.status).toBe(200);
      const body = (await r.json()) as {
        incident: string;
        explanation: {
          status: string;
          prompt: string;
          model: string;
          answer: { issues: { citations: string[] }[] };
        };
        compare: { prompt: string };
      };
      expect(body.explanation).toMatchObject({
        status: 'explained',
        prompt: 'incident@v1',
        model: 'qwen2.5:7b',
      });
      expect(body.explanation.answer.issues[0]!.citations).toEqual(['e1']);
      expect(body.compare.prompt).toBe('incident@v2');

      // streamed: text events as the answer is written, then the explanation
      const sse = await (
        await post(`/incidents/${id}/explain`, { fresh: true }, { accept: 'text/event-stream' })
      ).text();
      const events = sse.split('\n\n').filter((b) => b.startsWith('event:'));
      expect(events.filter((e) => e.startsWith('event: text')).length).toBeGreaterThan(3);
      expect(events.at(-1)).toMatch(/^event: explanation\ndata: \{.*"status":"explained"/);

      const recs = (await (await api(`/incidents/${id}/explanations`)).json()) as {
        items: { prompt: string; status: string }[];
      };
      expect(recs.items.map((x) => x.prompt).sort()).toEqual([
        'incident@v1',
        'incident@v2',
        'incident@v2',
      ]);

      expect((await post('/incidents/nope/explain', {})).status).toBe(404);
      expect((await post(`/incidents/${id}/explain`, { prompt: 'latest' })).status).toBe(400);
      const v9 = await post(`/incidents/${id}/explain`, { prompt: 'v9' });
      expect(v9.status).toBe(400);
      expect(((await v9.json()) as { message: string }).message).toMatch(
        /prompt version "v9" of "incident" does not exist/,
      );

      // an analysis with llm: the explanation beside the report; what reached the model is redacted
      const text = [
        '2026-11-23T10:00:00Z INFO started',
        ...Array.from(
          { length: 12 },
          (_, k) =>
            `2026-11-23T10:01:${String(k).padStart(2, '0')}Z ERROR charge failed for card 4111111111111111 of buyer@shop.example`,
        ),
      ].join('\n');
      const a = await post('/analyses', { name: 'pay.log', text, llm: true });
      expect(a.status).toBe(200);
      const report = (await a.json()) as {
        findings: unknown[];
        explanation: { status: string; prompt: string };
      };
      expect(report.findings.length).toBeGreaterThan(0);
      expect(report.explanation).toMatchObject({ status: 'explained', prompt: 'logs@v1' });
      expect(llm.allBodies()).not.toContain('buyer@shop.example');
      expect(llm.allBodies()).not.toContain('4111111111111111');
      const plainText = await api('/analyses?name=pay.log&llm=true', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: text,
      });
      expect(
        ((await plainText.json()) as { explanation: { status: string } }).explanation.status,
      ).toBe('explained');
      const kept = async () =>
        ((await (await api('/analyses')).json()) as { items: unknown[] }).items.length;
      const before = await kept();
      const v9a = await post('/analyses', { text, llm: { prompt: 'v9' } });
      expect(v9a.status).toBe(400);
      expect(((await v9a.json()) as { message: string }).message).toMatch(
        /prompt version "v9" of "logs" does not exist/,
      );
      expect(await kept()).toBe(before);
      const bad = await post('/analyses', { text, llm: { model: 'x' } });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toMatch(
        /llm has unknown field "model"/,
      );
      s.child.kill('SIGTERM');
      await s.exited;
    } finally {
      await llm.close();
    }
    const plain = await serve(['--data', data, '--detect-every', 'off']);
    const list = (await (await fetch(`${plain.url}/api/v1/incidents`)).json()) as {
      items: { id: string }[];
    };
    const none = await fetch(`${plain.url}/api/v1/incidents/${list.items[0]!.id}/explain`, {
      method: 'POST',
    });
    expect(none.status).toBe(200);
    const noneBody = (await none.json()) as { explanation: { status: string; note: string } };
    expect(noneBody.explanation.status).toBe('unavailable');
    expect(noneBody.explanation.note).toMatch(/no model configured: start the server with --llm/);
  }, 60_000);
});
