import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterEvent } from '../../../core/domain/cluster-event.js';
import { createKubernetesChangeSource, kubeConfigFor } from './kubernetes-change-source.js';
import type { KubernetesSource } from './kubernetes-change-source.js';

/**
 * A stand-in Kubernetes API server speaking the watch protocol (GET …?watch=true → 200 with one
 * JSON {"type","object"} per line, kept open): each path has a script of connections; each
 * connection writes its lines and then either ends (a disconnect) or stays open.
 */
async function standIn(scripts: Record<string, { lines: unknown[]; end: boolean }[]>) {
  const requests: { path: string; query: URLSearchParams; auth: string | undefined }[] = [];
  const open: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ path: url.pathname, query: url.searchParams, auth: req.headers.authorization });
    const script = scripts[url.pathname];
    if (script === undefined || url.searchParams.get('watch') !== 'true') {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ kind: 'Status', code: 404 }));
      return;
    }
    const n = requests.filter((r) => r.path === url.pathname).length - 1;
    const step = script[Math.min(n, script.length - 1)]!;
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    for (const l of step.lines) res.write(`${JSON.stringify(l)}\n`);
    if (step.end) res.end();
    else open.push(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(async () => {
    for (const r of open) r.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const cleanups: (() => Promise<void>)[] = [];
const sources: KubernetesSource[] = [];
afterEach(async () => {
  for (const s of sources.splice(0)) s.stop();
  for (const c of cleanups.splice(0)) await c();
});

async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 8000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const backOff = {
  type: 'ADDED',
  object: {
    metadata: { uid: 'ev1', namespace: 'shop', resourceVersion: '101' },
    involvedObject: { kind: 'Pod', name: 'api-7f9c4d8b5-x2k9p', namespace: 'shop' },
    reason: 'BackOff',
    type: 'Warning',
    message: 'Back-off restarting failed container',
    count: 3,
    lastTimestamp: '2026-11-23T10:00:00Z',
  },
};
const oom = {
  type: 'ADDED',
  object: {
    metadata: { uid: 'ev2', namespace: 'shop', resourceVersion: '150' },
    involvedObject: { kind: 'Node', name: 'node-1' },
    reason: 'OOMKilling',
    type: 'Warning',
    message: 'Memory cgroup out of memory: Killed process 4242 (java)',
    lastTimestamp: '2026-11-23T10:05:00Z',
  },
};
const routine = {
  type: 'ADDED',
  object: {
    metadata: { uid: 'ev3', resourceVersion: '151' },
    involvedObject: { kind: 'Pod', name: 'api-7f9c4d8b5-x2k9p' },
    reason: 'Pulled',
    type: 'Normal',
    message: 'image pulled',
  },
};
const deploy = (rv: string, image: string, replicas: number, generation: number) => ({
  type: rv === '1' ? 'ADDED' : 'MODIFIED',
  object: {
    metadata: { uid: 'd1', name: 'api', namespace: 'shop', resourceVersion: rv, generation },
    spec: { replicas, template: { spec: { containers: [{ name: 'api', image }] } } },
  },
});
const pod = (rv: string, restarts: number, reason?: string) => ({
  type: rv === '1' ? 'ADDED' : 'MODIFIED',
  object: {
    metadata: {
      uid: 'p1',
      name: 'api-7f9c4d8b5-x2k9p',
      namespace: 'shop',
      resourceVersion: rv,
      ownerReferences: [{ kind: 'ReplicaSet', name: 'api-7f9c4d8b5' }],
    },
    status: {
      containerStatuses: [
        {
          name: 'api',
          restartCount: restarts,
          ...(reason === undefined
            ? {}
            : {
                lastState: {
                  terminated: { reason, exitCode: 137, finishedAt: '2026-11-23T10:06:00Z' },
                },
              }),
        },
      ],
    },
  },
});

describe('Kubernetes change source against a stand-in API server (watch protocol)', () => {
  it('turns events, Deployment and Pod changes into cluster changes; resumes after a disconnect, re-lists after 410 Gone, reports each change once', async () => {
    const api = await standIn({
      '/api/v1/events': [
        { lines: [backOff, routine], end: true }, // then the server drops the watch
        {
          lines: [
            {
              type: 'ERROR',
              object: { kind: 'Status', code: 410, message: 'too old resource version' },
            },
          ],
          end: true,
        },
        { lines: [backOff, oom], end: false }, // a fresh list repeats backOff: reported once
      ],
      '/apis/apps/v1/deployments': [
        {
          lines: [
            deploy('1', 'shop/api:1.4.1', 2, 1),
            deploy('2', 'shop/api:1.4.2', 2, 2),
            deploy('3', 'shop/api:1.4.2', 4, 3),
          ],
          end: false,
        },
      ],
      '/api/v1/pods': [{ lines: [pod('1', 0), pod('2', 1, 'OOMKilled')], end: false }],
    });
    const changes: ClusterEvent[] = [];
    const status: string[] = [];
    const src = createKubernetesChangeSource(kubeConfigFor(api.url, 'tok3n'), {
      onChange: (c) => changes.push(c),
      onStatus: (m) => status.push(m),
      retryMs: 20,
      now: () => Date.parse('2026-11-23T10:07:00Z'),
    });
    sources.push(src);
    src.start();
    await until(() => changes.length >= 5, 'five changes');
    await new Promise((r) => setTimeout(r, 100));
    expect(
      changes.map((c) => `${c.kind} ${c.service} ${c.objectKind}/${c.objectName}`).sort(),
    ).toEqual([
      'oom-killed api Pod/api-7f9c4d8b5-x2k9p',
      'oom-killed node-1 Node/node-1',
      'restart api Pod/api-7f9c4d8b5-x2k9p',
      'rollout api Deployment/api',
      'scale api Deployment/api',
    ]);
    expect(changes.find((c) => c.kind === 'rollout')?.message).toBe(
      'images api=shop/api:1.4.1 → api=shop/api:1.4.2',
    );
    expect(changes.find((c) => c.objectKind === 'Pod' && c.kind === 'oom-killed')).toMatchObject({
      timeMs: Date.parse('2026-11-23T10:06:00Z'),
      message: 'container api restarted (1 restarts, last OOMKilled, exit code 137)',
    });
    const events = api.requests.filter((r) => r.path === '/api/v1/events');
    expect(events.map((r) => r.query.get('resourceVersion'))).toEqual([null, '151', null]);
    expect(events.every((r) => r.auth === 'Bearer tok3n')).toBe(true);
    expect(
      status.some((m) =>
        /kubernetes events: the API server closed the watch; reconnecting in 0\.02 s/.test(m),
      ),
    ).toBe(true);
    expect(status).toContain('kubernetes events: history expired (410 Gone), listing again');
  });

  it('an API server that refuses or is not there is retried with back-off, never a crash', async () => {
    const api = await standIn({});
    const status: string[] = [];
    const src = createKubernetesChangeSource(kubeConfigFor(api.url, 't'), {
      namespace: 'shop',
      onChange: () => undefined,
      onStatus: (m) => status.push(m),
      retryMs: 10,
      maxRetryMs: 40,
    });
    sources.push(src);
    src.start();
    await until(() => api.requests.length >= 9, 'retries');
    expect(api.requests[0]!.path).toBe('/api/v1/namespaces/shop/events');
    expect(
      status.some((m) =>
        /kubernetes pods: disconnected \(Not Found\); reconnecting in 0\.0[124] s/.test(m),
      ),
    ).toBe(true);
    src.stop();
    const n = api.requests.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(api.requests.length).toBeLessThanOrEqual(n + 3);
    const nowhere = createKubernetesChangeSource(kubeConfigFor('http://127.0.0.1:1', 't'), {
      onChange: () => undefined,
      onStatus: (m) => status.push(m),
      retryMs: 10,
    });
    sources.push(nowhere);
    nowhere.start();
    await until(() => status.some((m) => /ECONNREFUSED/.test(m)), 'a refused connection reported');
  });
});
