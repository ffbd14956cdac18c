import { describe, expect, it } from 'vitest';
import type { LogFinding, LogReport } from '../../domain/log-report.js';
import { emptySeverityCounts } from '../../domain/severity.js';
import { DEFAULT_INSIGHT_CONFIG as C } from './insight-config.js';
import { logIncidents } from './log-incidents.js';

const T = Date.UTC(2026, 10, 20, 10, 30);
const M = 60_000;

/** A report of `minutes` of logs with these findings. */
function report(findings: LogFinding[], minutes = 18): LogReport {
  return {
    engineVersion: 'test',
    summary: {
      lines: 0,
      records: 0,
      templates: 0,
      firstMs: T,
      lastMs: T + minutes * M,
      severityCounts: emptySeverityCounts(),
      truncatedLines: 0,
      evictedTemplates: 0,
      sources: [],
    },
    findings,
    templates: [],
  };
}

/** A finding of `source` seen from minute `from` to minute `to` (new in the log from then, as the analyzer marks one first seen after its start), with its example lines. */
function finding(
  source: string,
  from: number,
  to: number,
  template: string,
  over: Partial<LogFinding> = {},
  lines: string[] = [template],
): LogFinding {
  return {
    kind: 'error-template',
    severity: 'ERROR',
    score: 0.6,
    reason: `${template} (${source})`,
    templateId: `${source}:${template}`,
    template,
    count: 100,
    firstSeenMs: T + from * M,
    lastSeenMs: T + to * M,
    ...(from > 0 ? { newSinceMs: T + from * M, tags: ['new' as const] } : {}),
    sources: [source],
    evidence: lines.map((text, i) => ({ source, line: i + 1, text })),
    ...over,
  };
}

/** The finding as the analyzer reports one it does not call new. */
function notNew(f: LogFinding): LogFinding {
  const c = { ...f };
  delete c.newSinceMs;
  delete c.tags;
  return c;
}

describe('logIncidents', () => {
  it('finds nothing in a log whose troubles were there from the start, or in an empty one', () => {
    expect(logIncidents(report([finding('api.log', 0, 18, 'slow query')]), C)).toEqual([]);
    expect(
      logIncidents(
        report([
          finding('api.log', 0, 18, 'stock low', { kind: 'warn-template', severity: 'WARN' }),
          finding('api.log', 12, 12, 'started', { kind: 'rare-template', severity: 'INFO' }),
        ]),
        C,
      ),
    ).toEqual([]);
    expect(logIncidents(report([]), C)).toEqual([]);
    // what the log engine does not call new (first seen in its first fifth) is background, and so
    // is an exception first thrown then; one first thrown later is an onset
    expect(
      logIncidents(
        report([
          notNew(finding('api.log', 3, 18, 'retrying')),
          notNew(finding('db.log', 3, 18, 'deadlock', { kind: 'exception' })),
        ]),
        C,
      ),
    ).toEqual([]);
    expect(
      logIncidents(
        report([notNew(finding('db.log', 6, 18, 'deadlock', { kind: 'exception' }))]),
        C,
      ).map((i) => i.startMs),
    ).toEqual([T + 6 * M]);
  });

  it("puts first the service that the others' errors name and that was in trouble when theirs began", () => {
    const r = report([
      finding('payments.docker.log', 11.8, 11.8, 'maximumPoolSize is less than minimumIdle', {
        kind: 'warn-template',
        severity: 'WARN',
        score: 0.32,
      }),
      finding('payments.docker.log', 12.1, 18, 'Failed to obtain JDBC Connection', {
        kind: 'exception',
        score: 0.55,
      }),
      finding(
        'checkout-api.containerd.log',
        12.1,
        18,
        'payment failed for order <*>: upstream returned <*>',
        { score: 0.65 },
      ),
      finding(
        'checkout-api.containerd.log',
        12.1,
        18,
        'payment call to http://<*> timed out',
        { kind: 'warn-template', severity: 'WARN', score: 0.41 },
        ['payment call to http://payments.shop.svc.cluster.local:8080/v1/charge timed out'],
      ),
    ]);
    const [inc, ...rest] = logIncidents(r, C);
    expect(rest).toEqual([]);
    expect(inc!.startMs).toBe(T + 11.8 * M);
    expect(inc!.endMs).toBe(T + 18 * M);
    expect(inc!.services.map((s) => [s.service, s.findings])).toEqual([
      ['payments', 2],
      ['checkout-api', 2],
    ]);
    expect(inc!.findings).toEqual([0, 1, 2, 3]);
    expect(inc!.services[0]!.first).toBe(
      'maximumPoolSize is less than minimumIdle (payments.docker.log)',
    );
    expect(inc!.causes.map((c) => c.service)).toEqual(['payments', 'checkout-api']);
    expect(inc!.causes[0]!.reasons).toContain(
      'explains the symptoms of checkout-api, whose records name it',
    );
    expect(inc!.causes[0]!.score).toBeGreaterThan(inc!.causes[1]!.score);
    // without the name, the louder checkout-api comes first: nothing ties the two
    const unnamed = logIncidents(
      report(
        r.findings.map((f) => ({
          ...f,
          evidence: f.evidence.map((e) => ({
            ...e,
            text: e.text.replace('payments.shop', 'pay.shop'),
          })),
        })),
      ),
      C,
    );
    expect(unnamed.map((i) => i.causes[0]!.service)).toEqual(['payments', 'checkout-api']);
    expect(unnamed.every((i) => i.services.length === 1)).toBe(true);
  });

  it('a service named by its Kubernetes DNS name is named even when its logs are not at hand', () => {
    const [inc] = logIncidents(
      report([
        finding('-', 12, 18, 'payment call to http://<*> timed out', {}, [
          'payment call to http://payments.shop.svc.cluster.local:8080/v1/charge timed out',
          'GET http://ledger.shop.svc:80/ failed',
        ]),
      ]),
      C,
    );
    expect(inc!.services.map((s) => s.service)).toEqual(['stdin']);
    expect(inc!.causes[0]!.reasons).toContain(
      'its records name ledger, payments: its symptoms may come from there',
    );
    // a name that only looks like one (a longer host, a file) is not
    const [plain] = logIncidents(
      report([
        finding('-', 12, 18, 'cannot read <*>', {}, [
          'cannot read my.payments.shop.svc.example.com',
          'cannot read x.svc',
        ]),
      ]),
      C,
    );
    expect(plain!.causes[0]!.reasons.some((r) => r.startsWith('its records name'))).toBe(false);
  });

  it("a service whose own log ended before others' errors began naming it is down: first, with a reason that says so", () => {
    const r = report([
      finding('checkout.log', 10, 18, 'No instances available for <*>', { score: 0.6, count: 80 }, [
        'No instances available for payments',
        'No instances available for payments',
      ]),
    ]);
    r.summary.sources = [
      {
        name: 'checkout.log',
        format: 'plain',
        lines: 900,
        records: 900,
        truncatedLines: 0,
        firstMs: T,
        lastMs: T + 18 * M,
      },
      {
        name: 'payments.log',
        format: 'plain',
        lines: 400,
        records: 400,
        truncatedLines: 0,
        firstMs: T,
        lastMs: T + 9.5 * M,
      },
    ];
    const [inc, ...rest] = logIncidents(r, C);
    expect(rest).toEqual([]);
    expect(inc!.services.map((x) => [x.service, x.findings])).toEqual([
      ['checkout', 1],
      ['payments', 0],
    ]);
    expect(inc!.causes.map((c) => c.service)).toEqual(['payments', 'checkout']);
    expect(inc!.causes[0]!.reasons).toContain(
      'named in 80 of 80 records of checkout "No instances available for <*>", and its own log silent since 10:39:30 (the others logged 9m more)',
    );
    // a named service that goes on logging with no trouble of its own is not, as far as logs tell
    r.summary.sources[1]!.lastMs = T + 18 * M;
    const [alive] = logIncidents(r, C);
    expect(alive!.services.map((x) => x.service)).toEqual(['checkout']);
    expect(alive!.causes.map((c) => c.service)).toEqual(['checkout']);
    // nor is one that stopped only just before the others did (under a quiet period)
    r.summary.sources[1]!.lastMs = T + 16 * M;
    expect(logIncidents(r, C)[0]!.services.map((x) => x.service)).toEqual(['checkout']);
  });

  it('keeps apart services in trouble at the same time that do not name one another, and joins a node that names a pod of a service', () => {
    const r = report([
      finding('payments.log', 12, 18, 'charge <*> failed'),
      finding('inventory.log', 14.2, 14.2, 'panic: assignment to entry in nil map', {
        kind: 'exception',
        severity: 'FATAL',
      }),
      finding(
        'node-syslog.log',
        14.25,
        15,
        '"Error syncing pod, skipping" pod="shop/<*>"',
        { score: 0.5 },
        [
          '"Error syncing pod, skipping" err="CrashLoopBackOff" pod="shop/inventory-5f7d8c9b6-7hm2p"',
        ],
      ),
    ]);
    const incidents = logIncidents(r, C);
    expect(incidents.map((i) => i.services.map((s) => s.service))).toEqual([
      ['payments'],
      ['inventory', 'node-syslog'],
    ]);
    expect(incidents.map((i) => i.findings)).toEqual([[0], [1, 2]]);
    expect(incidents[1]!.causes[0]!.service).toBe('inventory');
  });

  it('hostile lines (a 100 kB run of name characters, no evidence, no sources) neither crash nor hide a name', () => {
    const long = 'a-'.repeat(50_000);
    const r = report([
      finding('inventory.log', 14, 15, 'panic'),
      finding('node.log', 14, 15, 'Error syncing pod', {}, [
        `${long} pod="shop/inventory-5f7d8c9b6-7hm2p" ${long}.svc`,
      ]),
      finding('x.log', 14, 15, 'no lines', { evidence: [] }),
      finding('y.log', 14, 15, 'nowhere', { sources: [] }),
    ]);
    const incidents = logIncidents(r, C);
    expect(incidents.map((i) => i.services.map((s) => s.service))).toEqual([
      ['inventory', 'node'],
      ['x'],
    ]);
  });

  it('a service that fails twice with a quiet period between has two incidents; a burst begins at its window', () => {
    const r = report([
      finding('api.log', 3, 4, 'timeout'),
      finding('api.log', 10, 11, 'error burst', {
        kind: 'burst',
        window: { startMs: T + 9.5 * M, endMs: T + 11 * M, count: 50, expected: 1 },
      }),
    ]);
    expect(logIncidents(r, C).map((i) => [i.startMs, i.endMs])).toEqual([
      [T + 3 * M, T + 4 * M],
      [T + 9.5 * M, T + 11 * M],
    ]);
  });

  it('in one file of many services (a CSV export, JSON with a service field), the services its records name are whose trouble it is', () => {
    const line = (service: string, text: string) => ({
      source: 'export.csv',
      line: 1,
      text,
      service,
    });
    const r = report([
      finding('export.csv', 12, 18, 'pool exhausted', {
        services: ['payments-7c9f6d8b5-x2k4q'],
        evidence: [line('payments-7c9f6d8b5-x2k4q', 'pool exhausted')],
      }),
      finding('export.csv', 12.5, 18, 'payment call to <*> failed', {
        services: ['checkout-6d5f7b9c8-q2w4r', 'checkout-6d5f7b9c8-z8x6v'],
        evidence: [line('checkout-6d5f7b9c8-q2w4r', 'payment call to http://payments:8080 failed')],
      }),
    ]);
    const [inc, ...rest] = logIncidents(r, C);
    expect(rest).toEqual([]);
    expect(inc!.services.map((x) => [x.service, x.sources])).toEqual([
      ['payments', ['export.csv']],
      ['checkout', ['export.csv']],
    ]);
    expect(inc!.causes[0]).toMatchObject({
      service: 'payments',
      reasons: [
        'explains the symptoms of checkout, whose records name it',
        'pool exhausted (export.csv)',
      ],
    });
  });

  it("a finding that names no service (an error burst of the whole file) is the service its file's records name", () => {
    const line = (text: string) => ({ source: '-', line: 1, text, service: 'checkout-api' });
    const r = report([
      finding('-', 12, 18, 'payment failed', {
        services: ['checkout-api'],
        evidence: [line('payment failed')],
      }),
      finding('-', 12, 18, 'error burst in stdin', {
        kind: 'burst',
        window: { startMs: T + 12 * M, endMs: T + 18 * M, count: 300, expected: 1 },
      }),
    ]);
    const incidents = logIncidents(r, C);
    expect(incidents.map((i) => i.services.map((x) => [x.service, x.findings]))).toEqual([
      [['checkout-api', 2]],
    ]);
  });

  it('a finding over several sources counts for each of their services', () => {
    const shared = finding('a.log', 9, 10, 'connection refused', { sources: ['a.log', 'b.log'] });
    const incidents = logIncidents(
      report([shared, finding('b.log', 9, 10, 'cannot reach the ledger')]),
      C,
    );
    expect(incidents.map((i) => i.services.map((s) => [s.service, s.sources, s.findings]))).toEqual(
      [[['a', ['a.log'], 1]], [['b', ['b.log'], 2]]],
    );
  });
});
