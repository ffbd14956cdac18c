import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../core/domain/incident.js';
import { Redactor } from '../../core/engine/redaction/redactor.js';
import { IncidentNotifier } from '../../core/use-cases/notify-incidents.js';
import type { slackMessage } from './slack-notifier.js';
import { createSlackNotifier } from './slack-notifier.js';
import { createWebhookNotifier, webhookSignature } from './webhook-notifier.js';

interface Seen {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A local HTTP server answering each POST with the next scripted status (the last one repeats). */
async function receiver(statuses: (number | [number, Record<string, string>])[]) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const s = statuses[Math.min(seen.length - 1, statuses.length - 1)]!;
      const [code, headers] = Array.isArray(s) ? s : [s, {}];
      res
        .writeHead(code, { 'content-type': 'text/plain', ...headers })
        .end(code === 200 ? 'ok' : 'no_service');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return {
    seen,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/XXXXSECRET`,
  };
}
const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const incident: Incident = {
  id: 'inc_rp8p50',
  status: 'open',
  title: 'ts-basic-service: 32 ERROR records "Get Route By Ids Failed"',
  firstSymptomMs: Date.UTC(2023, 0, 29, 9, 3),
  detectedMs: Date.UTC(2023, 0, 29, 9, 4),
  lastSymptomMs: Date.UTC(2023, 0, 29, 9, 5),
  peakScore: 0.8,
  services: ['ts-basic-service', 'ts-travel-service'],
  causes: [
    {
      service: 'ts-basic-service',
      score: 0.86,
      reasons: ['32 ERROR records "Get Route By Ids Failed" in 2 min'],
    },
  ],
  timeline: [],
};
const change = (type: 'opened' | 'resolved' = 'opened', over: Partial<Incident> = {}) => ({
  type,
  tenant: 'shop',
  incident: { ...incident, ...over },
});

describe('notifiers against local HTTP servers', () => {
  it('redacts secrets and personal data in what leaves (title, reasons, timeline), consistently within a message', async () => {
    const r = await receiver([200]);
    const n = new IncidentNotifier([createWebhookNotifier(r.url)], {
      newRedactor: () => new Redactor(),
    });
    const leaky = {
      title: 'api: login failed for jane@example.com from 203.0.113.9',
      causes: [
        {
          service: 'api',
          score: 0.9,
          reasons: ['ERROR "token=abc123SECRETxyz rejected for jane@example.com"'],
        },
      ],
      timeline: [
        {
          timeMs: incident.firstSymptomMs,
          kind: 'first-symptom' as const,
          text: 'password=hunter2!x in a URL postgres://u:pw123456@db/x',
        },
      ],
    };
    await n.notify(change('opened', leaky));
    const body = r.seen[0]!.body;
    for (const secret of [
      'jane@example.com',
      '203.0.113.9',
      'abc123SECRETxyz',
      'hunter2!x',
      'pw123456',
    ])
      expect(body).not.toContain(secret);
    expect(body).toContain('login failed for <EMAIL_1> from <IP_1>');
    expect(body).toContain('rejected for <EMAIL_1>');
  });

  it('Slack: one message per change with the status, the services and the top causes', async () => {
    const r = await receiver([200]);
    const n = new IncidentNotifier([createSlackNotifier(r.url)], {
      linkOf: (_t, id) => `http://bifrost.local/api/v1/incidents/${id}`,
    });
    await n.notify(change());
    await n.notify(change()); // the same change again: not sent
    await n.notify(
      change('resolved', { status: 'resolved', resolvedMs: incident.lastSymptomMs + 180_000 }),
    );
    expect(r.seen).toHaveLength(2);
    const msg = JSON.parse(r.seen[0]!.body) as ReturnType<typeof slackMessage>;
    expect(msg.text).toBe(
      ':rotating_light: Incident opened: ts-basic-service: 32 ERROR records "Get Route By Ids Failed"',
    );
    expect(JSON.stringify(msg.blocks)).toMatch(
      /\*open\* since 2023-01-29 09:03 UTC · abnormal: ts-basic-service, ts-travel-service\\n1\. \*ts-basic-service\* \(0\.86\) — 32 ERROR records/,
    );
    expect(JSON.stringify(msg.blocks)).toContain(
      '<http://bifrost.local/api/v1/incidents/inc_rp8p50|inc_rp8p50>',
    );
    expect((JSON.parse(r.seen[1]!.body) as { text: string }).text).toMatch(
      /^:white_check_mark: Incident resolved/,
    );
  });

  it('webhook: signed JSON that the receiver can verify; retried with back-off on 500 and 429 (Retry-After), not on 404', async () => {
    const r = await receiver([500, [429, { 'retry-after': '7' }], 200]);
    const delays: number[] = [];
    const n = new IncidentNotifier(
      [createWebhookNotifier(r.url, { secret: 's3cret', now: () => 1_700_000_000_000 })],
      {
        sleep: (ms) => {
          delays.push(ms);
          return Promise.resolve();
        },
        random: () => 0.5,
      },
    );
    await n.notify(change());
    expect(r.seen).toHaveLength(3);
    expect(delays).toEqual([500, 7000]);
    const last = r.seen[2]!;
    expect(last.headers['x-bifrost-event']).toBe('incident.opened');
    expect(last.headers['x-bifrost-timestamp']).toBe('1700000000');
    expect(last.headers['x-bifrost-signature']).toBe(
      webhookSignature('s3cret', '1700000000', last.body),
    );
    expect(JSON.parse(last.body)).toMatchObject({
      type: 'opened',
      tenant: 'shop',
      incident: { id: 'inc_rp8p50' },
      deliveryId: last.headers['x-bifrost-delivery'],
    });

    const gone = await receiver([404]);
    const failures: string[] = [];
    const m = new IncidentNotifier([createWebhookNotifier(gone.url)], {
      sleep: () => Promise.resolve(),
      onFailure: (name, _n, err) => failures.push(`${name}: ${err.message}`),
    });
    await m.notify(change());
    expect(gone.seen).toHaveLength(1);
    expect(failures).toEqual([
      expect.stringMatching(
        /^webhook http:\/\/127\.0\.0\.1:\d+\/…: http:\/\/127\.0\.0\.1:\d+\/… answered 404: no_service$/,
      ),
    ]);
    expect(failures[0]).not.toContain('SECRET');
  });

  it('gives up after the attempts, and a dead notifier does not hold up a live one', async () => {
    const down = await receiver([503]);
    const up = await receiver([200]);
    const failures: string[] = [];
    const n = new IncidentNotifier([createWebhookNotifier(down.url), createSlackNotifier(up.url)], {
      attempts: 3,
      sleep: () => Promise.resolve(),
      onFailure: (name) => failures.push(name),
    });
    await n.notify(change());
    expect(down.seen).toHaveLength(3);
    expect(up.seen).toHaveLength(1);
    expect(failures).toHaveLength(1);
    const refused = new IncidentNotifier(
      [createWebhookNotifier('http://127.0.0.1:1/x', { timeoutMs: 500 })],
      {
        attempts: 2,
        sleep: () => Promise.resolve(),
        onFailure: (_name, _n, err) => failures.push(err.message),
      },
    );
    await refused.notify(change());
    expect(failures.at(-1)).toMatch(/^http:\/\/127\.0\.0\.1:1\/…: /);
  });

  it('keeps per destination what was sent and what failed; a test notice reaches each destination once and says how it went', async () => {
    const down = await receiver([503]);
    const up = await receiver([200]);
    let now = Date.UTC(2026, 10, 23, 12);
    const n = new IncidentNotifier([createWebhookNotifier(down.url), createSlackNotifier(up.url)], {
      attempts: 2,
      sleep: () => Promise.resolve(),
      now: () => now,
    });
    expect(n.status().map((s) => [s.name, s.sent, s.failed])).toEqual([
      [`webhook ${down.url.replace(/\/services\/.*$/, '/…')}`, 0, 0],
      [`slack ${up.url.replace(/\/services\/.*$/, '/…')}`, 0, 0],
    ]);
    await n.notify(change());
    const [hook, slack] = n.status();
    expect(hook).toMatchObject({
      sent: 0,
      failed: 1,
      lastFailure: { timeMs: now, message: expect.stringMatching(/503/) as unknown },
    });
    expect(slack).toMatchObject({ sent: 1, failed: 0, lastSentMs: now });
    expect(JSON.stringify(n.status())).not.toMatch(/XXXXSECRET/);

    now += 60_000;
    const results = await n.test('shop');
    expect(results.map((r) => [r.ok, r.error === undefined])).toEqual([
      [false, false],
      [true, true],
    ]);
    expect(results[0]!.error).toMatch(/503/);
    expect(down.seen).toHaveLength(3); // 2 attempts for the incident, 1 for the test: a test is not retried
    const sent = JSON.parse(up.seen.at(-1)!.body) as ReturnType<typeof slackMessage>;
    expect(sent.text).toMatch(/test/i);
    expect(n.status()[1]).toMatchObject({ sent: 2, lastSentMs: now });
    expect(await new IncidentNotifier([]).test('shop')).toEqual([]);
  });
});
