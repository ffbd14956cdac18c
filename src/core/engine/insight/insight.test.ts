import { describe, expect, it } from 'vitest';
import type { Finding } from '../../domain/finding.js';
import type {
  EdgeStats,
  PeerCallStats,
  ServiceSpanStats,
  ServiceTemplateCount,
} from '../../domain/telemetry-aggregates.js';
import { incidentTimes } from '../../domain/incident.js';
import { externalEdges, serviceEvidence } from './evidence.js';
import { detectIncidents } from './incidents.js';
import type { EvidenceInput } from './evidence.js';
import { DEFAULT_INSIGHT_CONFIG as C } from './insight-config.js';
import { rankRootCauses } from './root-cause.js';
import { ServiceGraph } from './service-graph.js';
import { level } from './signals/signal.js';
import { binomialTail } from './signals/network.js';

const M = 60_000;
const T = 1_700_000_040_000 - (1_700_000_040_000 % M); // a bucket boundary
const edge = (caller: string, callee: string) => ({
  caller,
  callee,
  calls: 10,
  errors: 0,
  p90Ms: 5,
});

/** 60 reference minutes before T and 10 window minutes from T; every service logs `ok` 20 times a minute and has 50 spans of p90 40 ms. */
function world(
  over: { logs?: ServiceTemplateCount[]; spans?: ServiceSpanStats[]; findings?: Finding[] } = {},
  services = ['web', 'api', 'db'],
): EvidenceInput {
  const logs: ServiceTemplateCount[] = [];
  const spans: ServiceSpanStats[] = [];
  for (let m = -60; m < 10; m++) {
    for (const service of services) {
      logs.push({
        service,
        templateId: `${service}-ok`,
        template: 'served <*>',
        severity: 9,
        bucketMs: T + m * M,
        count: 20,
      });
      spans.push({
        service,
        bucketMs: T + m * M,
        count: 50,
        errors: 0,
        requests: 50,
        failedRequests: 0,
        ownFailedRequests: 0,
        p50Ms: 10,
        p90Ms: 40 + (m % 3),
      });
    }
  }
  return {
    window: { fromMs: T, toMs: T + 10 * M },
    atMs: T,
    logs: [...logs, ...(over.logs ?? [])],
    spans: [
      ...spans.filter(
        (s) => !over.spans?.some((o) => o.service === s.service && o.bucketMs === s.bucketMs),
      ),
      ...(over.spans ?? []),
    ],
    findings: over.findings ?? [],
  };
}

const errors = (
  service: string,
  from: number,
  to: number,
  count: number,
  template = 'connection refused to <*>',
): ServiceTemplateCount[] =>
  Array.from({ length: to - from }, (_, i) => ({
    service,
    templateId: `${service}-${template}`,
    template,
    severity: 17,
    bucketMs: T + (from + i) * M,
    count,
  }));

/** Calls on caller → callee for minutes [-60, 10): 20 a minute, 3–4 ms spent outside the callee; `slow` gives the gap of some minutes. */
const calls = (
  caller: string,
  callee: string,
  slow: (m: number) => number | undefined = () => undefined,
  usual = 3,
): EdgeStats[] =>
  Array.from({ length: 70 }, (_, i) => i - 60).map((m) => ({
    caller,
    callee,
    bucketMs: T + m * M,
    calls: 20,
    errors: 0,
    gapP50Ms: slow(m) ?? usual + Math.abs(m % 2),
  }));

describe('ServiceGraph', () => {
  it('follows calls both ways, survives cycles and self-calls', () => {
    const g = new ServiceGraph([
      edge('web', 'api'),
      edge('api', 'db'),
      edge('db', 'api'),
      edge('api', 'api'),
      edge('web', 'api'),
    ]);
    expect([...g.downstream('web')].sort()).toEqual(['api', 'db']);
    expect([...g.downstream('api')].sort()).toEqual(['db']);
    expect(g.callers('api').sort()).toEqual(['db', 'web']);
    expect(g.edges.find((e) => e.caller === 'web')?.calls).toBe(20);
    expect([...new ServiceGraph([]).downstream('x')]).toEqual([]);
  });
});

describe('level', () => {
  it('rises in step to 0.95 at the full ratio and on towards 1 beyond it, never above', () => {
    expect(level(1, 1, 3)).toBe(0);
    expect(level(0.5, 1, 3)).toBe(0);
    expect(level(2, 1, 3)).toBeCloseTo(0.475, 9);
    expect(level(3, 1, 3)).toBeCloseTo(0.95, 9);
    // beyond full a larger ratio is still stronger evidence (no ceiling to tie at)
    expect(level(5, 1, 3)).toBeGreaterThan(level(4, 1, 3));
    expect(level(4, 1, 3)).toBeGreaterThan(0.95);
    expect(level(1000, 1, 3)).toBeLessThanOrEqual(1);
  });
});

describe('serviceEvidence', () => {
  it('a quiet world has no evidence: usual messages and latencies are not signals', () => {
    expect(serviceEvidence(world(), C)).toEqual([]);
  });

  it('a new error message is evidence, with a reason and the template it rests on', () => {
    const [e] = serviceEvidence(world({ logs: errors('db', 1, 4, 15) }), C);
    expect(e?.service).toBe('db');
    expect(e!.score).toBeGreaterThan(0.9);
    expect(e!.signals[0]!.reason).toMatch(
      /^45 ERROR records "connection refused to <\*>" in 10 min, a message not seen in the 60 min of reference$/,
    );
    expect(e!.signals[0]!.ref).toMatchObject({
      type: 'template',
      templateId: 'db-connection refused to <*>',
      count: 45,
    });
  });

  it('an error that is always there is not evidence; the same error far above its usual rate is', () => {
    const usual = errors('api', -60, 10, 2, 'retrying <*>');
    expect(serviceEvidence(world({ logs: usual }), C)).toEqual([]);
    const burst = usual.map((r) =>
      r.bucketMs >= T + 2 * M && r.bucketMs < T + 5 * M ? { ...r, count: 40 } : r,
    );
    const [e] = serviceEvidence(world({ logs: burst }), C);
    expect(e?.signals[0]?.reason).toMatch(
      /ERROR records "retrying <\*>" in 10 min, [\d.]+× the [\d.]+ expected/,
    );
  });

  it('other incidents in the reference do not make a symptom look usual', () => {
    const before = errors('db', -40, -37, 15);
    const [e] = serviceEvidence(world({ logs: [...before, ...errors('db', 1, 4, 15)] }), C);
    expect(e!.score).toBeGreaterThan(0.9);
  });

  it('a workload that doubles everywhere doubles every message without making any abnormal', () => {
    const doubled = world();
    doubled.logs = doubled.logs.map((r) => (r.bucketMs >= T ? { ...r, count: r.count * 2 } : r));
    expect(serviceEvidence(doubled, C)).toEqual([]);
  });

  it('latency above its usual peak is evidence, and its onset long after the alert weighs less', () => {
    const slow = (from: number) =>
      Array.from({ length: 3 }, (_, i) => ({
        service: 'db',
        bucketMs: T + (from + i) * M,
        count: 50,
        errors: 0,
        requests: 50,
        failedRequests: 0,
        ownFailedRequests: 0,
        p50Ms: 200,
        p90Ms: 800,
      }));
    const [early] = serviceEvidence(world({ spans: slow(0) }), C);
    expect(early?.signals[0]).toMatchObject({
      kind: 'latency',
      ref: { type: 'latency', p90Ms: 800, usualP90Ms: 40 },
    });
    expect(early!.signals[0]!.reason).toBe(
      'p90 latency up to 800 ms per 1 min, 20× its usual 40 ms at most (500 spans)',
    );
    const [late] = serviceEvidence(world({ spans: slow(7) }), C);
    expect(late!.score).toBeLessThan(early!.score * 0.5);
  });

  it('latency begins when it is clearly abnormal: a slightly slow minute just before a jump is not its onset', () => {
    // db's p90 is 40–42 ms; a minute at 64 ms (1.5×), then 800 ms (20×) for three, then 300 ms (7×)
    const p90s = [64, 800, 800, 800, 300];
    const spans = p90s.map((p90Ms, i) => ({
      service: 'db',
      bucketMs: T + (1 + i) * M,
      count: 50,
      errors: 0,
      requests: 50,
      failedRequests: 0,
      ownFailedRequests: 0,
      p50Ms: 20,
      p90Ms,
    }));
    const latency = serviceEvidence(world({ spans }), C)[0]!.signals.find(
      (x) => x.kind === 'latency',
    )!;
    expect(latency).toMatchObject({
      onsetMs: T + 2 * M,
      untilMs: T + 5 * M,
      buckets: [2, 3, 4, 5].map((m) => T + m * M),
    });
    // a slowdown that grows begins at its first slow minute, when that is a good part of the way (2.4× of 5×)
    const growing = [100, 150, 200, 200].map((p90Ms, i) => ({
      service: 'db',
      bucketMs: T + (1 + i) * M,
      count: 50,
      errors: 0,
      requests: 50,
      failedRequests: 0,
      ownFailedRequests: 0,
      p50Ms: 20,
      p90Ms,
    }));
    expect(
      serviceEvidence(world({ spans: growing }), C)[0]!.signals.find((x) => x.kind === 'latency'),
    ).toMatchObject({ onsetMs: T + M, untilMs: T + 4 * M });
    // and a slowdown under way is not moved by a far slower minute later on (a p90 of a few spans)
    const underWay = [90, 110, 130, 900].map((p90Ms, i) => ({
      service: 'db',
      bucketMs: T + (1 + i) * M,
      count: i === 3 ? 5 : 50,
      errors: 0,
      requests: i === 3 ? 5 : 50,
      failedRequests: 0,
      ownFailedRequests: 0,
      p50Ms: 20,
      p90Ms,
    }));
    expect(
      serviceEvidence(world({ spans: underWay }), C)[0]!.signals.find((x) => x.kind === 'latency'),
    ).toMatchObject({ onsetMs: T + M, untilMs: T + 4 * M });
  });

  it('a far slower minute of a few spans does not borrow the spans of minutes only a little slow', () => {
    const minute = (m: number, count: number, p90Ms: number) => ({
      service: 'db',
      bucketMs: T + m * M,
      count,
      errors: 0,
      requests: count,
      failedRequests: 0,
      ownFailedRequests: 0,
      p50Ms: 20,
      p90Ms,
    });
    // one minute of 3 spans at 50× (a cold connection, say), then three of 50 spans at 1.7×
    const [e] = serviceEvidence(
      world({
        spans: [minute(1, 3, 2000), minute(2, 50, 70), minute(3, 50, 70), minute(4, 50, 70)],
      }),
      C,
    );
    const latency = e!.signals.find((x) => x.kind === 'latency')!;
    // each ratio weighs as much as the spans of the minutes at least that slow: 3 spans at 50×, 153 at 1.7×
    const lat = (ratio: number) => level(Math.log2(ratio), C.latencyRatioFrom, C.latencyRatioFull);
    const few = C.latencyWeight * lat(50) * (1 - Math.exp(-3 / C.spanCountScale));
    const mild = C.latencyWeight * lat(70 / 40) * (1 - Math.exp(-153 / C.spanCountScale));
    expect(latency.score).toBeCloseTo(Math.max(few, mild), 5);
    expect(latency.score).toBeLessThan(0.15);
    // the same 50× over 50 spans is strong evidence
    const [slow] = serviceEvidence(
      world({
        spans: [minute(1, 50, 2000), minute(2, 50, 70), minute(3, 50, 70), minute(4, 50, 70)],
      }),
      C,
    );
    expect(slow!.signals.find((x) => x.kind === 'latency')!.score).toBeCloseTo(
      C.latencyWeight * lat(50) * (1 - Math.exp(-50 / C.spanCountScale)),
      5,
    );
  });

  it('the first minute of traffic after a pause is a warm-up: its latency is no symptom, the minutes after it are', () => {
    const minute = (service: string, m: number, p90Ms: number) => ({
      service,
      bucketMs: T + m * M,
      count: 50,
      errors: 0,
      requests: 50,
      failedRequests: 0,
      ownFailedRequests: 0,
      p50Ms: 20,
      p90Ms,
    });
    // no span and no record from any service in minutes 0 and 1 (the load stopped); db's first minute back is 20× slow
    const paused = (w: EvidenceInput): EvidenceInput => ({
      ...w,
      logs: w.logs.filter((r) => r.bucketMs < T || r.bucketMs >= T + 2 * M),
      spans: w.spans.filter((r) => r.bucketMs < T || r.bucketMs >= T + 2 * M),
    });
    expect(serviceEvidence(paused(world({ spans: [minute('db', 2, 800)] })), C)).toEqual([]);
    // the same minute with traffic before it is a symptom
    expect(serviceEvidence(world({ spans: [minute('db', 2, 800)] }), C)[0]).toMatchObject({
      service: 'db',
      signals: [{ kind: 'latency', onsetMs: T + 2 * M }],
    });
    // slowness that goes on after the warm-up minute is a symptom from the next minute
    const [db] = serviceEvidence(
      paused(world({ spans: [2, 3, 4].map((m) => minute('db', m, 800)) })),
      C,
    );
    expect(db).toMatchObject({
      service: 'db',
      signals: [{ kind: 'latency', onsetMs: T + 3 * M, untilMs: T + 4 * M }],
    });
    // so do calls that spent longer outside their callee: not in the warm-up minute, in the ones after it
    const gap = (slowFrom: number) =>
      calls('web', 'api', (m) => (m >= slowFrom ? 150 : undefined)).filter(
        (r) => r.bucketMs < T || r.bucketMs >= T + 2 * M,
      );
    const warmUpOnly = calls('web', 'api', (m) => (m === 2 ? 150 : undefined)).filter(
      (r) => r.bucketMs < T || r.bucketMs >= T + 2 * M,
    );
    expect(serviceEvidence({ ...paused(world({}, ['web', 'api'])), calls: warmUpOnly }, C)).toEqual(
      [],
    );
    expect(
      serviceEvidence({ ...paused(world({}, ['web', 'api'])), calls: gap(2) }, C)[0],
    ).toMatchObject({ service: 'api', signals: [{ kind: 'network', onsetMs: T + 3 * M }] });
    // warm-ups stay in the reference, as part of usual life: a service slow after every pause there is not a symptom when as slow again
    const pauses = [-55, -50, -45, -40, -35, -30, -25, -20, -15, -10];
    const cold = (w: EvidenceInput): EvidenceInput => ({
      ...w,
      logs: w.logs.filter((r) => !pauses.includes((r.bucketMs - T) / M)),
      spans: w.spans.filter((r) => !pauses.includes((r.bucketMs - T) / M)),
    });
    expect(
      serviceEvidence(
        cold(
          world({ spans: [...pauses.map((m) => minute('db', m + 1, 200)), minute('db', 2, 200)] }),
        ),
        C,
      ),
    ).toEqual([]);
    // the first minute of all the data is no warm-up: nothing before it says traffic paused (a capture that just began)
    const first = (w: EvidenceInput): EvidenceInput => ({
      ...w,
      window: { fromMs: T - 60 * M, toMs: T - 50 * M },
      atMs: T - 60 * M,
    });
    expect(serviceEvidence(first(world({ spans: [minute('db', -60, 800)] })), C)[0]).toMatchObject({
      service: 'db',
      signals: [{ kind: 'latency', onsetMs: T - 60 * M }],
    });
    // where traffic comes now and then (most minutes with data follow one without), every minute counts
    const sparse = (w: EvidenceInput): EvidenceInput => ({
      ...w,
      logs: w.logs.filter((r) => (r.bucketMs - T) % (2 * M) === 0),
      spans: w.spans.filter((r) => (r.bucketMs - T) % (2 * M) === 0),
    });
    expect(serviceEvidence(sparse(world({ spans: [minute('db', 2, 800)] })), C)[0]).toMatchObject({
      service: 'db',
      signals: [{ kind: 'latency', onsetMs: T + 2 * M }],
    });
  });

  it('span errors above their usual ratio are evidence; metric anomalies count, less where they are common', () => {
    const failing = Array.from({ length: 3 }, (_, i) => ({
      service: 'api',
      bucketMs: T + i * M,
      count: 50,
      errors: 20,
      requests: 50,
      failedRequests: 20,
      ownFailedRequests: 20,
      p50Ms: 10,
      p90Ms: 40,
    }));
    const [e] = serviceEvidence(world({ spans: failing }), C);
    expect(e?.signals[0]).toMatchObject({
      kind: 'errors',
      reason: '60 of 500 requests failed (12%), usually 0%',
    });
    const finding = (service: string, at: number, id: string): Finding => ({
      id,
      kind: 'metric-anomaly',
      timeMs: T + at * M,
      score: 0.9,
      reason: 'value 9 is high',
      subject: { metric: 'cpu', labels: '{}', resource: { service } },
      detail: 'spike',
      evidence: [],
    });
    const quietElsewhere = serviceEvidence(world({ findings: [finding('db', 1, 'a')] }), C);
    const noisy = serviceEvidence(
      world({
        findings: [
          finding('db', 1, 'a'),
          ...Array.from({ length: 30 }, (_, i) => finding('db', -60 + 2 * i, `n${i}`)),
        ],
      }),
      C,
    );
    expect(quietElsewhere[0]!.score).toBeCloseTo(0.36, 5);
    expect(noisy[0]!.score).toBeLessThan(quietElsewhere[0]!.score / 4);
  });

  it('each signal says when it began: the first abnormal bucket, the anomaly or change time', () => {
    const slow = Array.from({ length: 3 }, (_, i) => ({
      service: 'db',
      bucketMs: T + (4 + i) * M,
      count: 50,
      errors: 0,
      requests: 50,
      failedRequests: 0,
      ownFailedRequests: 0,
      p50Ms: 200,
      p90Ms: 800,
    }));
    const failing = Array.from({ length: 3 }, (_, i) => ({
      service: 'api',
      bucketMs: T + (2 + i) * M,
      count: 50,
      errors: 20,
      requests: 50,
      failedRequests: 20,
      ownFailedRequests: 20,
      p50Ms: 10,
      p90Ms: 40,
    }));
    const anomaly: Finding = {
      id: 'f1',
      kind: 'metric-anomaly',
      timeMs: T + 3 * M + 5000,
      score: 0.9,
      reason: 'value 9 is high',
      subject: { metric: 'cpu', labels: '{}', resource: { service: 'web' } },
      detail: 'spike',
      evidence: [],
    };
    const ev = serviceEvidence(
      world({ logs: errors('db', 1, 4, 15), spans: [...slow, ...failing], findings: [anomaly] }),
      C,
    );
    const onset = (service: string, kind: string) =>
      ev.find((e) => e.service === service)?.signals.find((x) => x.kind === kind)?.onsetMs;
    expect(onset('db', 'log')).toBe(T + M);
    expect(onset('db', 'latency')).toBe(T + 4 * M);
    expect(onset('api', 'errors')).toBe(T + 2 * M);
    expect(onset('web', 'metric')).toBe(T + 3 * M + 5000);
    // and when it was last seen: the last abnormal bucket, or the anomaly's time
    const until = (service: string, kind: string) =>
      ev.find((e) => e.service === service)?.signals.find((x) => x.kind === kind)?.untilMs;
    expect(until('db', 'log')).toBe(T + 3 * M);
    expect(until('db', 'latency')).toBe(T + 6 * M);
    expect(until('api', 'errors')).toBe(T + 4 * M);
    expect(until('web', 'metric')).toBe(T + 3 * M + 5000);
  });

  it('a message that always follows another and stops while the other goes on is evidence (a code path cut short)', () => {
    const pair = (
      service: string,
      from: number,
      to: number,
      a: number,
      b: (m: number) => number,
    ): ServiceTemplateCount[] =>
      Array.from({ length: to - from }, (_, i) => from + i).flatMap((m) => [
        {
          service,
          templateId: `${service}-start`,
          template: 'seat request <*>',
          severity: 9,
          bucketMs: T + m * M,
          count: a,
        },
        {
          service,
          templateId: `${service}-done`,
          template: 'seat reserved <*>',
          severity: 9,
          bucketMs: T + m * M,
          count: b(m),
        },
      ]);
    // from the window's third minute, "seat reserved" stops while "seat request" goes on
    const cut = serviceEvidence(
      world({ logs: pair('api', -60, 10, 8, (m) => (m >= 2 ? 0 : 8)) }),
      C,
    );
    const flow = cut.find((e) => e.service === 'api')?.signals.find((x) => x.kind === 'flow');
    expect(flow).toMatchObject({
      onsetMs: T + 2 * M,
      ref: { type: 'template', templateId: 'api-done' },
    });
    expect(flow!.reason).toBe(
      '"seat reserved <*>" stopped: 0 records in 7 min where 56 were expected from "seat request <*>" (it follows it 1:1 in the reference)',
    );
    expect(flow!.score).toBeGreaterThan(0.5);
    // a fault that began within a minute cut only part of it: that minute is the onset when less
    // than half came, not when most did
    const onsetOf = (at2: number) =>
      serviceEvidence(
        world({ logs: pair('api', -60, 10, 8, (m) => (m >= 3 ? 0 : m === 2 ? at2 : 8)) }),
        C,
      )
        .find((e) => e.service === 'api')
        ?.signals.find((x) => x.kind === 'flow')?.onsetMs;
    expect(onsetOf(3)).toBe(T + 2 * M);
    expect(onsetOf(5)).toBe(T + 3 * M);
    // the last bucket of the data (the first of a stretch too) may hold a few seconds, where one
    // message comes before the other: a follower missing there alone has not stopped
    const edge = pair('api', -60, 10, 8, () => 8).map((r) =>
      r.bucketMs === T + 9 * M ? { ...r, count: r.templateId === 'api-done' ? 0 : 12 } : r,
    );
    expect(
      serviceEvidence(world({ logs: edge }), C)
        .find((e) => e.service === 'api')
        ?.signals.some((x) => x.kind === 'flow') ?? false,
    ).toBe(false);
    // a minute's scan right after the minute a fault began in: that minute (6 of 20) is not held
    // against the pair's coupling, which an earlier incident (6 stopped minutes) left just at 90 %
    const scan = pair('api', -60, 10, 20, (m) =>
      m >= -40 && m < -34 ? 0 : m === 3 ? 6 : m === 4 ? 0 : 20,
    );
    const minute = {
      ...world({ logs: scan }),
      window: { fromMs: T + 4 * M, toMs: T + 5 * M },
      atMs: T + 4 * M,
    };
    expect(
      serviceEvidence(minute, C)
        .find((e) => e.service === 'api')
        ?.signals.find((x) => x.kind === 'flow'),
    ).toMatchObject({ onsetMs: T + 4 * M });
    // both stop together (less traffic), or the follower is seldom anyway: nothing
    expect(
      serviceEvidence(
        world({
          logs: pair('api', -60, 10, 8, () => 8).map((r) =>
            r.bucketMs >= T + 2 * M ? { ...r, count: 0 } : r,
          ),
        }),
        C,
      )
        .find((e) => e.service === 'api')
        ?.signals.some((x) => x.kind === 'flow') ?? false,
    ).toBe(false);
    expect(
      serviceEvidence(
        world({ logs: pair('api', -60, 10, 8, (m) => (m % 3 === 0 && m < 0 ? 8 : 0)) }),
        C,
      )
        .find((e) => e.service === 'api')
        ?.signals.some((x) => x.kind === 'flow') ?? false,
    ).toBe(false);
  });

  it('a line of code that goes on logging in other words has not stopped (its message drifted: a list grew, a value changed shape)', () => {
    const rows = (
      templateId: string,
      template: string,
      from: number,
      to: number,
      count: number,
    ): ServiceTemplateCount[] =>
      Array.from({ length: to - from }, (_, i) => ({
        service: 'api',
        templateId,
        template,
        severity: 9,
        bucketMs: T + (from + i) * M,
        count,
      }));
    const leader = rows('start', 'a.s.SeatService#10 seat request <*>', -60, 10, 8);
    const flowOf = (logs: ServiceTemplateCount[]) =>
      serviceEvidence(world({ logs }), C)
        .find((e) => e.service === 'api')
        ?.signals.find((x) => x.kind === 'flow');
    // from the window's third minute, line #20 prints one ticket more: a new template of the same line
    const drift = [
      ...leader,
      ...rows('one', 'a.s.SeatService#20 sold [<*>]', -60, 2, 8),
      ...rows('two', 'a.s.SeatService#20 sold [<*>, <*>]', 2, 10, 8),
    ];
    expect(flowOf(drift)).toBeUndefined();
    // line #20 stops while line #10 goes on: the code path was cut short, whichever of its templates stopped
    const cut = [
      ...leader,
      ...rows('one', 'a.s.SeatService#20 sold [<*>]', -60, -20, 8),
      ...rows('two', 'a.s.SeatService#20 sold [<*>, <*>]', -20, 2, 8),
    ];
    expect(flowOf(cut)).toMatchObject({
      onsetMs: T + 2 * M,
      ref: { type: 'template', templateId: 'one' },
    });
    expect(flowOf(cut)!.reason).toMatch(
      /^"a\.s\.SeatService#20 sold \[<\*>\]" stopped: 0 records in 7 min where 56 were expected/,
    );
  });

  it('calls that spend far longer outside their callee point at the service whose calls slowed (its network, or requests waiting for it), not at the callers', () => {
    // web calls api and auth; auth calls code; api calls db. From minute 2, the calls to code take 150 ms more
    const slowFrom2 = (m: number) => (m >= 2 ? 150 : undefined);
    const net = [
      ...calls('web', 'api'),
      ...calls('web', 'auth'),
      ...calls('auth', 'code', slowFrom2),
      ...calls('api', 'db'),
    ];
    const ev = serviceEvidence(
      { ...world({}, ['web', 'api', 'auth', 'code', 'db']), calls: net },
      C,
    );
    expect(ev.map((e) => e.service)).toEqual(['code']);
    expect(ev[0]!.signals[0]).toMatchObject({
      kind: 'network',
      onsetMs: T + 2 * M,
      ref: { type: 'calls', peers: ['auth'], gapMs: 150, usualGapMs: 4 },
    });
    expect(ev[0]!.signals[0]!.reason).toBe(
      'calls from auth spent up to 150 ms outside its spans (median per 1 min), 37.5× the usual 4 ms at most, on its only call path: a network delay, or requests waiting to be taken up',
    );
    // a service whose own calls slowed (its network, its CPU) takes them, not the leaves it shares them with
    const own = [
      ...calls('web', 'api', slowFrom2),
      ...calls('api', 'db', slowFrom2),
      ...calls('api', 'cache', slowFrom2),
      ...calls('api', 'queue'),
      ...calls('web', 'auth'),
    ];
    const [api, ...rest] = serviceEvidence(
      { ...world({}, ['web', 'api', 'db', 'cache', 'queue', 'auth']), calls: own },
      C,
    );
    expect(api).toMatchObject({
      service: 'api',
      signals: [{ kind: 'network', ref: { peers: ['cache', 'db', 'web'] } }],
    });
    expect(api!.signals[0]!.reason).toMatch(
      /^calls with cache, db, web spent up to 150 ms outside their callees' spans .* on 3 of its 4 call paths/,
    );
    expect(rest).toEqual([]);
    // so does one whose paths carry few calls each (3 a minute, slowed for 2 minutes), against a leaf's one path
    const twoMinutes = (m: number) => (m >= 2 && m < 4 ? 150 : undefined);
    const few = ['web>pre', 'pre>a', 'pre>b', 'pre>c', 'pre>leaf'].flatMap((p) =>
      calls(p.split('>')[0]!, p.split('>')[1]!, twoMinutes).map((r) => ({ ...r, calls: 3 })),
    );
    const [pre, ...others] = serviceEvidence(
      { ...world({}, ['web', 'pre', 'a', 'b', 'c', 'leaf']), calls: few },
      C,
    );
    expect(pre).toMatchObject({
      service: 'pre',
      signals: [{ kind: 'network', ref: { peers: ['a', 'b', 'c', 'leaf', 'web'] } }],
    });
    // how sure: each path's 2 slowed minutes of the window's 10 are unlikely by its own 60 reference
    // minutes (none crossed: a rate of 0.5 / 61), and its 5 paths are 5 witnesses of one delay
    const net150 = level(Math.log2(150 / 4), C.networkRatioFrom, C.networkRatioFull);
    const chance = binomialTail(2, 10, 0.5 / 61);
    expect(chance).toBeGreaterThan(0.002);
    expect(pre!.score).toBeCloseTo(
      (C.networkWeight * net150 * (1 - chance ** 5)) / (1 + 1 / C.onsetFraction / 10),
      6,
    );
    expect(others).toEqual([]);
    // a delay on a service's responses slows every call into it and none it makes: the share of its
    // paths that slowed is judged one direction at a time (here 1 of 1 inbound, 0 of 4 outbound: full)
    const inbound = [
      ...calls('gateway', 'pre', slowFrom2),
      ...['a', 'b', 'c', 'd'].flatMap((x) => calls('pre', x)),
      ...['a', 'b', 'c', 'd', 'e'].flatMap((x) => calls('gateway', x)),
    ];
    const [delayed, ...quiet] = serviceEvidence(
      { ...world({}, ['gateway', 'pre', 'a', 'b', 'c', 'd', 'e']), calls: inbound },
      C,
    );
    expect(delayed).toMatchObject({
      service: 'pre',
      signals: [{ kind: 'network', ref: { peers: ['gateway'] } }],
    });
    expect(delayed!.signals[0]!.reason).toMatch(/on 1 of its 5 call paths/);
    expect(delayed!.score).toBeCloseTo(
      (C.networkWeight * net150 * (1 - binomialTail(8, 10, 0.5 / 61))) /
        (1 + 1 / C.onsetFraction / 10),
      6,
    );
    expect(quiet).toEqual([]);
    // time outside its callees' spans is not theirs to explain, whatever trouble they have
    const withQueueErrors = serviceEvidence(
      {
        ...world({ logs: errors('queue', 2, 8, 20) }, [
          'web',
          'api',
          'db',
          'cache',
          'queue',
          'auth',
        ]),
        calls: own,
      },
      C,
    );
    const apiRanked = rankRootCauses(
      withQueueErrors,
      new ServiceGraph([
        edge('web', 'api'),
        edge('api', 'db'),
        edge('api', 'cache'),
        edge('api', 'queue'),
      ]),
      C,
    ).find((c) => c.service === 'api')!;
    expect(apiRanked.explainedBy).toEqual([]);
    expect(apiRanked.score).toBeCloseTo(
      withQueueErrors.find((e) => e.service === 'api')!.score / (1 + C.explainBonus),
      6,
    );
    // its callers' slow spans are explained by it: it ranks first
    const slowSpans = ['web', 'auth'].flatMap((service) =>
      Array.from({ length: 8 }, (_, i) => ({
        service,
        bucketMs: T + (2 + i) * M,
        count: 50,
        errors: 0,
        requests: 50,
        failedRequests: 0,
        ownFailedRequests: 0,
        p50Ms: 150,
        p90Ms: 400,
      })),
    );
    const g = new ServiceGraph([
      edge('web', 'api'),
      edge('web', 'auth'),
      edge('auth', 'code'),
      edge('api', 'db'),
    ]);
    const ranked = rankRootCauses(
      serviceEvidence(
        { ...world({ spans: slowSpans }, ['web', 'api', 'auth', 'code', 'db']), calls: net },
        C,
      ),
      g,
      C,
    );
    expect(ranked.map((c) => c.service)).toEqual(['code', 'auth', 'web']);
    expect(ranked[0]!.explains.sort()).toEqual(['auth', 'web']);
  });

  it('asynchronous calls (the callee outlasts its caller), calls with little reference and minutes of few calls are no evidence', () => {
    const slow = (m: number) => (m >= 2 ? 150 : undefined);
    const services = ['web', 'api', 'queue'];
    const few = calls('web', 'api', slow).map((r) => (r.bucketMs >= T ? { ...r, calls: 2 } : r));
    const async = calls('api', 'queue', slow, -6);
    const fresh = calls('web', 'queue', slow).filter((r) => r.bucketMs >= T - 5 * M);
    // web served as few requests in those minutes (its calls to api fell with them: not a path cut short)
    const quiet = Array.from({ length: 10 }, (_, m) => ({
      service: 'web',
      bucketMs: T + m * M,
      count: 5,
      errors: 0,
      requests: 5,
      failedRequests: 0,
      ownFailedRequests: 0,
      p50Ms: 10,
      p90Ms: 40,
    }));
    expect(
      serviceEvidence(
        { ...world({ spans: quiet }, services), calls: [...few, ...async, ...fresh] },
        C,
      ),
    ).toEqual([]);
    expect(serviceEvidence({ ...world({}, services), calls: [] }, C)).toEqual([]);
  });

  it('calls that go unanswered (client spans naming their peer, with no span of it below) point at the peer: down or unreachable', () => {
    // api calls payments 20 times a minute (its client spans name it `peer`); payments answers all
    // in the reference (a span of its own below the call), none from minute 1
    const peer = (answered: (m: number) => number, name = 'payments'): PeerCallStats[] =>
      Array.from({ length: 70 }, (_, i) => i - 60)
        .flatMap((m) => [
          {
            caller: 'api',
            peer: name,
            callee: 'payments',
            bucketMs: T + m * M,
            calls: answered(m),
            errors: 0,
            p90Ms: 30,
          },
          {
            caller: 'api',
            peer: name,
            callee: '',
            bucketMs: T + m * M,
            calls: 20 - answered(m),
            errors: 20 - answered(m),
            p90Ms: 1,
          },
        ])
        .filter((r) => r.calls > 0);
    const down = (m: number) => (m >= 1 ? 0 : 20);
    const input = world(
      {
        spans: Array.from({ length: 9 }, (_, i) => ({
          service: 'api',
          bucketMs: T + (i + 1) * M,
          count: 50,
          errors: 20,
          requests: 50,
          failedRequests: 20,
          ownFailedRequests: 20,
          p50Ms: 10,
          p90Ms: 40,
        })),
      },
      ['web', 'api'],
    );
    const ev = serviceEvidence({ ...input, peers: peer(down) }, C);
    const payments = ev.find((e) => e.service === 'payments');
    expect(payments?.signals[0]).toMatchObject({
      kind: 'unanswered',
      onsetMs: T + M,
      untilMs: T + 9 * M,
      ref: { type: 'unanswered', callers: ['api'], calls: 180, answered: 0 },
    });
    expect(payments!.score).toBeGreaterThan(0.8);
    expect(payments!.signals[0]!.reason).toBe(
      'answered 0 of 180 calls from api in 9 min (usually 100%), 180 failed: down or unreachable',
    );
    // over the graph it explains its caller's failures and comes first
    const ranked = rankRootCauses(
      ev,
      new ServiceGraph([edge('web', 'api'), edge('api', 'payments')]),
      C,
    );
    expect(ranked[0]).toMatchObject({ service: 'payments', explains: ['api'] });
    // the peer is the service that answered its calls in the reference, whatever the callers call it
    const dns = serviceEvidence(
      { ...input, peers: peer(down, 'payments.shop.svc.cluster.local') },
      C,
    );
    expect(dns.find((e) => e.service === 'payments')?.signals[0]?.kind).toBe('unanswered');
    // a peer that never answers (a database without spans, an outside API) or whose calls stop
    // altogether is no evidence
    expect(
      serviceEvidence({ ...input, peers: peer(() => 0, 'postgres') }, C).some((e) =>
        e.signals.some((x) => x.kind === 'unanswered'),
      ),
    ).toBe(false);
    expect(
      serviceEvidence(
        { ...input, peers: peer(() => 20).filter((r) => r.bucketMs < T + M) },
        C,
      ).some((e) => e.service === 'payments'),
    ).toBe(false);
    // calls left unanswered that succeed: the callee's telemetry stopped, not the callee
    const untraced = peer(down).map((r) => ({ ...r, errors: 0 }));
    expect(
      serviceEvidence({ ...input, peers: untraced }, C).some((e) =>
        e.signals.some((x) => x.kind === 'unanswered'),
      ),
    ).toBe(false);
    // a few unanswered calls among many answered are not a service down
    expect(
      serviceEvidence({ ...input, peers: peer((m) => (m >= 1 ? 17 : 20)) }, C).some(
        (e) => e.service === 'payments',
      ),
    ).toBe(false);
  });

  it("a dependency without spans of its own (a database, an outside API) is a candidate from its callers' calls to it: slow or failing", () => {
    // api and orders call orders-db 20 times a minute each (client spans naming it; nothing of it
    // below them), 5 ms at p90; from minute 1 the calls take 120 ms and both callers slow down
    const db = (
      p90: (m: number) => number,
      errors: (m: number) => number = () => 0,
      name = 'orders-db',
    ): PeerCallStats[] =>
      ['api', 'orders'].flatMap((caller) =>
        Array.from({ length: 70 }, (_, i) => i - 60).map((m) => ({
          caller,
          peer: name,
          callee: '',
          bucketMs: T + m * M,
          calls: 20,
          errors: errors(m),
          p90Ms: p90(m),
        })),
      );
    const slow = (m: number) => (m >= 1 ? 120 : 5);
    const callersSlow = ['api', 'orders'].flatMap((service) =>
      Array.from({ length: 9 }, (_, i) => ({
        service,
        bucketMs: T + (i + 1) * M,
        count: 50,
        errors: 0,
        requests: 50,
        failedRequests: 0,
        ownFailedRequests: 0,
        p50Ms: 100,
        p90Ms: 160,
      })),
    );
    const input = { ...world({ spans: callersSlow }, ['web', 'api', 'orders']), peers: db(slow) };
    const ev = serviceEvidence(input, C);
    const dep = ev.find((e) => e.service === 'orders-db');
    expect(dep?.signals[0]).toMatchObject({
      kind: 'latency',
      onsetMs: T + M,
      untilMs: T + 9 * M,
      ref: { type: 'latency', p90Ms: 120, usualP90Ms: 5, spans: 400, external: true },
    });
    expect(dep!.signals[0]!.reason).toBe(
      'calls to it from api, orders (no spans of its own): p90 up to 120 ms per 1 min, 24× its usual 5 ms at most (400 calls)',
    );
    // over the graph (its callers' calls to it are edges) it explains their slowness and comes first
    const graph = new ServiceGraph([
      edge('web', 'api'),
      edge('web', 'orders'),
      ...externalEdges(input.peers),
    ]);
    expect(externalEdges(input.peers).map((e) => `${e.caller} → ${e.callee}`)).toEqual([
      'api → orders-db',
      'orders → orders-db',
    ]);
    expect(rankRootCauses(ev, graph, C)[0]).toMatchObject({
      service: 'orders-db',
      explains: ['api', 'orders'],
    });
    // calls to it that fail, where they did not: failure evidence
    const failing = serviceEvidence(
      {
        ...world({}, ['web', 'api', 'orders']),
        peers: db(
          () => 5,
          (m) => (m >= 1 ? 10 : 0),
        ),
      },
      C,
    ).find((e) => e.service === 'orders-db');
    expect(failing?.signals[0]).toMatchObject({
      kind: 'errors',
      ref: {
        type: 'span-errors',
        errors: 180,
        requests: 400,
        usualRate: 0,
        passedUp: 0,
        external: true,
      },
    });
    expect(failing!.signals[0]!.reason).toBe(
      'calls to it from api, orders (no spans of its own): 180 of 400 failed (45%), usually 0%',
    );
    // as usual, nothing; a peer a traced service answers is that service (unanswered evidence is its)
    expect(
      serviceEvidence({ ...world({}, ['web', 'api', 'orders']), peers: db(() => 5) }, C),
    ).toEqual([]);
    const answered = db(slow).map((r) => ({ ...r, callee: 'orders' }));
    expect(
      serviceEvidence({ ...world({}, ['web', 'api', 'orders']), peers: answered }, C).some(
        (e) => e.service === 'orders-db',
      ),
    ).toBe(false);
    expect(externalEdges(answered)).toEqual([]);
  });

  it('a service that always logged and served and falls silent while the others go on and its caller fails is evidence: down', () => {
    const base = world({
      spans: Array.from({ length: 9 }, (_, i) => ({
        service: 'api',
        bucketMs: T + (i + 1) * M,
        count: 50,
        errors: 25,
        requests: 50,
        failedRequests: 25,
        ownFailedRequests: 25,
        p50Ms: 10,
        p90Ms: 40,
      })),
    });
    const gone = <R extends { service: string; bucketMs: number }>(
      rows: readonly R[],
      service: string,
      from: number,
    ): R[] => rows.filter((r) => !(r.service === service && r.bucketMs >= T + from * M));
    const input = {
      ...base,
      logs: gone(base.logs, 'db', 1),
      spans: gone(base.spans, 'db', 1),
      calls: [...calls('web', 'api'), ...calls('api', 'db').filter((r) => r.bucketMs < T + M)],
    };
    const db = serviceEvidence(input, C).find((e) => e.service === 'db');
    expect(db?.signals[0]).toMatchObject({ kind: 'silent', onsetMs: T + M, untilMs: T + 8 * M });
    expect(db!.signals[0]!.reason).toMatch(
      /^no span or record in 8 min where \d+ were expected \(it left some in every one of the 60 min of reference\): down or unreachable$/,
    );
    expect(db!.score).toBeGreaterThan(0.6);
    expect(
      rankRootCauses(
        serviceEvidence(input, C),
        new ServiceGraph([edge('web', 'api'), edge('api', 'db')]),
        C,
      )[0],
    ).toMatchObject({ service: 'db', explains: ['api'] });
    // everyone quieter together is less traffic, not a service down; a service that often left
    // nothing in the reference is not steady enough to miss
    const all = {
      ...input,
      logs: base.logs.filter((r) => r.bucketMs < T + M),
      spans: base.spans.filter((r) => r.bucketMs < T + M),
    };
    expect(serviceEvidence(all, C).some((e) => e.signals.some((x) => x.kind === 'silent'))).toBe(
      false,
    );
    const sporadic = <R extends { service: string; bucketMs: number }>(rows: readonly R[]): R[] =>
      rows.filter(
        (r) =>
          !(
            r.service === 'db' &&
            (r.bucketMs >= T + M || Math.floor((r.bucketMs - T) / M) % 3 === 0)
          ),
      );
    expect(
      serviceEvidence({ ...input, logs: sporadic(base.logs), spans: sporadic(base.spans) }, C).some(
        (e) => e.signals.some((x) => x.kind === 'silent'),
      ),
    ).toBe(false);
    // its callers going on without failing: it was not called (less traffic), not down
    const calm = {
      ...input,
      spans: input.spans.map((r) => (r.service === 'api' ? { ...r, errors: 0 } : r)),
    };
    expect(serviceEvidence(calm, C).some((e) => e.signals.some((x) => x.kind === 'silent'))).toBe(
      false,
    );
    // no known caller (no traces of calls to it): nothing says it was called
    expect(
      serviceEvidence({ ...input, calls: [] }, C).some((e) =>
        e.signals.some((x) => x.kind === 'silent'),
      ),
    ).toBe(false);
  });

  it('records without a service are evidence under "(no service)"', () => {
    expect(serviceEvidence(world({ logs: errors('', 1, 4, 15) }), C)[0]?.service).toBe(
      '(no service)',
    );
  });

  it('empty windows and empty references give no evidence and no crash', () => {
    expect(
      serviceEvidence(
        { window: { fromMs: T, toMs: T + M }, atMs: T, logs: [], spans: [], findings: [] },
        C,
      ),
    ).toEqual([]);
    const onlyWindow = world({ logs: errors('db', 1, 4, 15) });
    onlyWindow.logs = onlyWindow.logs.filter((r) => r.bucketMs >= T);
    onlyWindow.spans = [];
    expect(serviceEvidence(onlyWindow, C)[0]?.service).toBe('db');
  });
});

describe('rankRootCauses', () => {
  const graph = new ServiceGraph([edge('web', 'api'), edge('api', 'db')]);

  it('ranks the service downstream of the symptoms first: it explains them', () => {
    // web and api log errors about their calls; db's own errors are fewer — yet db explains both
    const ev = serviceEvidence(
      world({
        logs: [
          ...errors('web', 1, 4, 20, 'upstream failed'),
          ...errors('api', 1, 4, 20, 'query failed'),
          ...errors('db', 1, 4, 8, 'disk full'),
        ],
      }),
      C,
    );
    const ranked = rankRootCauses(ev, graph, C);
    expect(ranked.map((c) => c.service)).toEqual(['db', 'api', 'web']);
    expect(ranked[0]!.explains.sort()).toEqual(['api', 'web']);
    expect(ranked[0]!.reasons.at(-1)).toBe('explains the symptoms of api, web, which call it');
    expect(ranked[2]!.explainedBy.sort()).toEqual(['api', 'db']);
    expect(ranked[0]!.score).toBeGreaterThan(ranked[1]!.score);
    for (const c of ranked) expect(c.score >= 0 && c.score <= 1).toBe(true);
  });

  it('a dependency explains only the symptoms it was in trouble for: begun no later than theirs and not over when they began', () => {
    const rank = (db: ServiceTemplateCount[]) =>
      rankRootCauses(
        serviceEvidence(world({ logs: [...errors('api', 1, 4, 20, 'query failed'), ...db] }), C),
        graph,
        C,
      );
    const during = rank(errors('db', 0, 7, 10, 'disk full'));
    expect(during.map((c) => c.service)).toEqual(['db', 'api']);
    expect(during[0]!.explains).toEqual(['api']);
    expect(during[1]!.explainedBy).toEqual(['db']);
    // db's trouble was over before api's began, or began after it, or paused when it began (two
    // bursts around it): api's is its own
    for (const db of [
      errors('db', 0, 1, 8, 'disk full'),
      errors('db', 3, 7, 10, 'disk full'),
      [...errors('db', 0, 1, 20, 'disk full'), ...errors('db', 5, 7, 20, 'disk full')],
    ]) {
      const ranked = rank(db);
      expect(ranked.map((c) => c.service)).toEqual(['api', 'db']);
      expect(ranked[0]!.explainedBy).toEqual([]);
      expect(ranked[1]!.explains).toEqual([]);
      expect(ranked[0]!.score).toBeCloseTo(
        serviceEvidence(
          world({ logs: [...errors('api', 1, 4, 20, 'query failed'), ...db] }),
          C,
        ).find((e) => e.service === 'api')!.score /
          (1 + C.explainBonus),
        6,
      );
    }
  });

  it('a dependency slow on few calls is borne out by a caller slower by as much at the same time (its p90 of many spans): it ranks first', () => {
    // db answers 3 calls a minute, usually in 3 ms; api, its only caller, serves 50 a minute in 40 ms
    const row = (service: string, m: number, count: number, p90Ms: number) => ({
      service,
      bucketMs: T + m * M,
      count,
      errors: 0,
      requests: count,
      failedRequests: 0,
      ownFailedRequests: 0,
      p50Ms: p90Ms / 2,
      p90Ms,
    });
    const dbRows = (slowMs: number) =>
      Array.from({ length: 70 }, (_, i) => i - 60).map((m) =>
        row('db', m, 3, m >= 1 && m <= 3 ? slowMs : 3),
      );
    const apiRows = [1, 2, 3].map((m) => row('api', m, 50, 240));
    const rank = (slowMs: number) =>
      rankRootCauses(
        serviceEvidence(world({ spans: [...dbRows(slowMs), ...apiRows] }, ['api', 'db']), C),
        new ServiceGraph([edge('api', 'db')]),
        C,
      );
    // 200 ms more on each call to db, 200 ms more on api's p90, from the same minute
    const same = rank(203);
    expect(same.map((c) => c.service)).toEqual(['db', 'api']);
    expect(same[0]!.explains).toEqual(['api']);
    const own = serviceEvidence(
      world({ spans: [...dbRows(203), ...apiRows] }, ['api', 'db']),
      C,
    ).find((e) => e.service === 'db')!.signals[0]!;
    expect(own.score).toBeLessThan(0.35);
    const borne = same[0]!.signals[0]!;
    expect(borne.score).toBeCloseTo(
      serviceEvidence(world({ spans: apiRows }, ['api', 'db']), C).find((e) => e.service === 'api')!
        .signals[0]!.score,
      6,
    );
    expect(borne.reason).toBe(
      `${own.reason}; api, which calls it, was as much slower at the same time`,
    );
    // db 40 ms slower: less than api's 200 ms, its few calls count for what they are
    const less = rank(43);
    expect(less.map((c) => c.service)).toEqual(['api', 'db']);
    expect(less[1]!.signals[0]!.reason).not.toContain('as much slower');
  });

  it("a dependency called many times per request explains its caller's slowness by the time each request spends in calls to it (means add up where percentiles do not)", () => {
    // api serves 5 requests a minute in 20 ms on average (p90 40 ms over its 85 spans) and makes 16
    // statements to api-db for each (1 ms each, no spans of the database's own); from minute 1 every
    // statement takes `perCall` ms: a request makes 16 of them in a row
    const rows = (
      perCall: number,
      requestMs = (m: number) => (m >= 1 ? 20 + 16 * (perCall - 1) : 20),
    ) => {
      const minutes = Array.from({ length: 70 }, (_, i) => i - 60);
      const spans = minutes.map((m) => ({
        service: 'api',
        bucketMs: T + m * M,
        count: 85,
        errors: 0,
        requests: 5,
        failedRequests: 0,
        ownFailedRequests: 0,
        p50Ms: 2,
        p90Ms: m >= 1 ? requestMs(m) : 40 + (m % 3),
        requestMs: 5 * requestMs(m),
      }));
      const peers: PeerCallStats[] = minutes.map((m) => ({
        caller: 'api',
        peer: 'api-db',
        callee: '',
        bucketMs: T + m * M,
        calls: 80,
        errors: 0,
        p90Ms: m >= 1 ? perCall + 1 : 2,
        callMs: 80 * (m >= 1 ? perCall : 1),
      }));
      return { ...world({ spans }, ['web', 'api']), peers };
    };
    const graphOf = (input: EvidenceInput) =>
      new ServiceGraph([edge('web', 'api'), ...externalEdges(input.peers ?? [])]);
    // 100 ms more per statement, 1.6 s more per request: each statement's p90 rose 100 ms, api's 1.6 s
    const slow = rows(101);
    const ev = serviceEvidence(slow, C);
    const api = ev.find((e) => e.service === 'api')!;
    expect(api.signals[0]).toMatchObject({
      kind: 'latency',
      ref: {
        type: 'latency',
        perRequest: { usualMs: 20, addedMs: 1600, in: [{ service: 'api-db', addedMs: 1600 }] },
      },
    });
    expect(api.signals[0]!.reason).toMatch(
      /; its requests took 1\.6 s longer on average, 1\.6 s of it in calls to api-db$/,
    );
    const ranked = rankRootCauses(ev, graphOf(slow), C);
    expect(ranked.map((c) => c.service)).toEqual(['api-db', 'api']);
    expect(ranked[0]!.explains).toEqual(['api']);
    expect(ranked[1]!.explainedBy).toEqual(['api-db']);
    // api itself slower (its own work: 1.5 s more per request) while the statements take 7 ms more each (0.1 s per request): api's own
    const own = rows(8, (m) => (m >= 1 ? 20 + 16 * 7 + 1500 : 20));
    const mine = rankRootCauses(serviceEvidence(own, C), graphOf(own), C);
    expect(mine[0]).toMatchObject({ service: 'api', explainedBy: [] });
    expect(mine.find((c) => c.service === 'api-db')?.explains ?? []).toEqual([]);
    // without request durations (a store that does not measure them), no such attribution
    const unmeasured = {
      ...slow,
      spans: slow.spans.map(({ requestMs, ...r }) => r),
      peers: slow.peers.map(({ callMs, ...r }) => r),
    };
    expect(
      serviceEvidence(unmeasured, C).find((e) => e.service === 'api')!.signals[0]!.ref,
    ).not.toHaveProperty('perRequest');
  });

  it("failed requests that only passed up a callee's failure put their share of the symptom there: the service where the failures began ranks first", () => {
    // db fails 10 of its 50 requests a minute; api and web fail 30 each, more, but every one of them
    // because the call to db below it failed (the traces say where each failure began)
    const failing = (service: string, errors: number, own: number) =>
      Array.from({ length: 3 }, (_, i) => ({
        service,
        bucketMs: T + (1 + i) * M,
        count: 50,
        errors,
        requests: 50,
        failedRequests: errors,
        ownFailedRequests: own,
        p50Ms: 10,
        p90Ms: 40,
      }));
    const rank = (own: boolean) =>
      rankRootCauses(
        serviceEvidence(
          world({
            spans: [
              ...failing('db', 10, 10),
              ...failing('api', 30, own ? 30 : 0),
              ...failing('web', 30, own ? 30 : 0),
            ],
          }),
          C,
        ),
        graph,
        C,
      );
    const passed = rank(false);
    expect(passed[0]).toMatchObject({ service: 'db', explains: ['api', 'web'] });
    const api = passed.find((c) => c.service === 'api')!;
    expect(api.reasons[0]).toBe(
      '90 of 500 requests failed (18%), usually 0%; all of them passed up the failure of a call they made',
    );
    expect(api.signals[0]!.ref).toMatchObject({ type: 'span-errors', errors: 90, passedUp: 90 });
    // the same errors begun in api itself are api's own: it ranks first (db's few cannot explain them)
    expect(rank(true)[0]!.service).toBe('api');
  });

  it('errors that name another service put their share of the symptom there; a named service that went silent is a candidate', () => {
    // api's errors say db cannot be reached, for three minutes
    const failing = errors('api', 1, 4, 20, 'No instances available for <*>');
    const mentions = failing.map((r) => ({
      service: 'api',
      templateId: r.templateId,
      named: 'db',
      bucketMs: r.bucketMs,
      count: r.count,
    }));
    const flat = new ServiceGraph([]);
    const plain = world({ logs: failing });
    const alone = rankRootCauses(serviceEvidence(plain, C), flat, C);
    expect(alone.map((c) => c.service)).toEqual(['api']);
    // db goes on logging: the naming only discounts api's own symptom (it points elsewhere)
    const working = rankRootCauses(serviceEvidence({ ...plain, mentions }, C), flat, C);
    expect(working.map((c) => c.service)).toEqual(['api']);
    expect(working[0]!.score).toBeCloseTo(alone[0]!.score * (1 - C.explainedPenalty), 6);
    expect(working[0]!.reasons).toContain('its records name db: its symptoms may come from there');
    // db silent in those minutes, where it always logs: down or unreachable, and first
    const silent = world({ logs: failing, spans: [] });
    silent.logs = silent.logs.filter(
      (r) => !(r.service === 'db' && r.bucketMs >= T + M && r.bucketMs < T + 4 * M),
    );
    silent.spans = silent.spans.filter(
      (r) => !(r.service === 'db' && r.bucketMs >= T + M && r.bucketMs < T + 4 * M),
    );
    const ev = serviceEvidence({ ...silent, mentions }, C);
    const named = ev.find((e) => e.service === 'db')!.signals.find((x) => x.kind === 'named')!;
    expect(named).toMatchObject({
      onsetMs: T + M,
      untilMs: T + 3 * M,
      ref: { type: 'template', service: 'api', templateId: 'api-No instances available for <*>' },
    });
    expect(named.reason).toBe(
      'named in 60 of 60 ERROR records of api "No instances available for <*>", and silent itself for 3 min of those 3 min',
    );
    expect(rankRootCauses(ev, flat, C).map((c) => c.service)).toEqual(['db', 'api']);
    // mentions outside the window, or in records that are not abnormal, give nothing
    expect(
      serviceEvidence(
        { ...silent, mentions: mentions.map((m) => ({ ...m, bucketMs: m.bucketMs - 30 * M })) },
        C,
      )
        .find((e) => e.service === 'db')
        ?.signals.some((x) => x.kind === 'named') ?? false,
    ).toBe(false);
  });

  it('a service with trouble of its own and no abnormal dependency stays first even when others are noisy', () => {
    const ev = serviceEvidence(world({ logs: [...errors('api', 1, 4, 30, 'null pointer')] }), C);
    expect(rankRootCauses(ev, graph, C)[0]?.service).toBe('api');
  });

  it("a slower dependency explains a caller's slowness only as far as its own adds up to it", () => {
    // web's p90 goes from 40 to 400 ms; api, which it calls, from 5 to 40 ms (as many times slower, 35 ms more)
    const p90 = (service: string, from: number, to: number, ms: number) =>
      Array.from({ length: to - from }, (_, i) => ({
        service,
        bucketMs: T + (from + i) * M,
        count: 50,
        errors: 0,
        requests: 50,
        failedRequests: 0,
        ownFailedRequests: 0,
        p50Ms: ms / 2,
        p90Ms: ms,
      }));
    const rank = (apiSlowMs: number) =>
      rankRootCauses(
        serviceEvidence(
          world({
            spans: [
              ...p90('api', -60, 1, 5),
              ...p90('api', 1, 10, apiSlowMs),
              ...p90('web', 1, 10, 400),
            ],
          }),
          C,
        ),
        graph,
        C,
      );
    const small = rank(40);
    expect(small.find((c) => c.service === 'web')!.explainedBy).toEqual([]);
    expect(small.find((c) => c.service === 'api')!.explains).toEqual([]);
    // 390 ms more: api's slowness is web's
    const large = rank(395);
    expect(large.map((c) => c.service)).toEqual(['api', 'web']);
    expect(large[1]!.explainedBy).toEqual(['api']);
  });

  it("a dependency whose slowness adds up to a caller's explains it, however slow the dependency usually is", () => {
    // api mixes slow and fast operations (p90 400 ms); it is held up 1.1 s more (3.75×, less than web by its own measure) and web, which calls it, goes from 40 ms to 1 s (25×)
    const p90 = (service: string, from: number, to: number, ms: number) =>
      Array.from({ length: to - from }, (_, i) => ({
        service,
        bucketMs: T + (from + i) * M,
        count: 50,
        errors: 0,
        requests: 50,
        failedRequests: 0,
        ownFailedRequests: 0,
        p50Ms: ms / 2,
        p90Ms: ms,
      }));
    const ev = serviceEvidence(
      world({
        spans: [...p90('api', -60, 1, 400), ...p90('api', 1, 4, 1500), ...p90('web', 1, 4, 1000)],
      }),
      C,
    );
    const own = (service: string) => ev.find((e) => e.service === service)!.score;
    expect(own('api')).toBeLessThan(own('web'));
    const ranked = rankRootCauses(ev, graph, C);
    expect(ranked.map((c) => c.service)).toEqual(['api', 'web']);
    expect(ranked[1]!.explainedBy).toEqual(['api']);
    expect(ranked[0]!.explains).toEqual(['web']);
    // the same milliseconds: web's slowness is explained as surely as it is known
    expect(ranked[1]!.score).toBeCloseTo(
      (own('web') * (1 - C.explainedPenalty * own('web'))) / (1 + C.explainBonus),
      6,
    );
  });

  it("a caller's slightly slow minute before its dependency slowed does not keep the dependency from explaining it", () => {
    // api (called by web) is held up from minute 2; web was a little slow in minute 1 (1.6×) on its own
    const p90 = (service: string, from: number, to: number, ms: number) =>
      Array.from({ length: to - from }, (_, i) => ({
        service,
        bucketMs: T + (from + i) * M,
        count: 50,
        errors: 0,
        requests: 50,
        failedRequests: 0,
        ownFailedRequests: 0,
        p50Ms: ms / 2,
        p90Ms: ms,
      }));
    const ranked = rankRootCauses(
      serviceEvidence(
        world({
          spans: [...p90('web', 1, 2, 65), ...p90('web', 2, 5, 450), ...p90('api', 2, 5, 440)],
        }),
        C,
      ),
      graph,
      C,
    );
    expect(ranked.map((c) => c.service)).toEqual(['api', 'web']);
    expect(ranked[1]!.explainedBy).toEqual(['api']);
  });

  it('a recent change (rollout, restart…) raises a candidate with symptoms; a change alone is not trouble', () => {
    const change = (service: string, at: number): Finding => ({
      id: `chg_${service}`,
      kind: 'change',
      timeMs: T + at * M,
      score: 0.5,
      reason: `rollout of deployment/${service}: images a:1 → a:2`,
      subject: { metric: '', labels: '{}', resource: { service } },
      detail: 'rollout',
      evidence: [],
    });
    const flat = new ServiceGraph([]);
    const both = world({
      logs: [...errors('api', 1, 4, 20, 'timeout'), ...errors('web', 1, 4, 20, 'timeout')],
    });
    expect(rankRootCauses(serviceEvidence(both, C), flat, C).map((c) => c.service)).toEqual([
      'api',
      'web',
    ]);
    const withRollout = rankRootCauses(
      serviceEvidence({ ...both, findings: [change('web', -3)] }, C),
      flat,
      C,
    );
    expect(withRollout.map((c) => c.service)).toEqual(['web', 'api']);
    expect(withRollout[0]!.reasons).toContain(
      'recent change: rollout of deployment/web: images a:1 → a:2',
    );
    const alone = serviceEvidence(world({ findings: [change('web', -3)] }), C);
    expect(alone[0]!.score).toBeLessThan(C.abnormalAt);
    expect(serviceEvidence(world({ findings: [change('web', -30)] }), C)).toEqual([]);
  });

  it('unknown services (not in the graph) are ranked on their own evidence; no evidence, no candidates', () => {
    const ev = serviceEvidence(
      world({ logs: errors('batch-job', 1, 4, 30, 'OOMKilled') }, [
        'web',
        'api',
        'db',
        'batch-job',
      ]),
      C,
    );
    expect(rankRootCauses(ev, graph, C).map((c) => c.service)).toEqual(['batch-job']);
    expect(rankRootCauses([], graph, C)).toEqual([]);
  });
});

describe('detectIncidents', () => {
  const scanOf = (w: EvidenceInput, reference: 'past' | 'around', nowMs?: number) => ({
    scan: { fromMs: T, toMs: T + 10 * M },
    logs: w.logs,
    spans: w.spans,
    findings: w.findings,
    edges: [edge('web', 'api'), edge('api', 'db')],
    reference,
    referenceMs: 60 * M,
    ...(nowMs === undefined ? {} : { nowMs }),
  });

  it('finds nothing in a quiet world', () => {
    expect(detectIncidents(scanOf(world(), 'around'), C)).toEqual([]);
  });

  it('groups the abnormal minutes of related services into one incident with a timeline, causes and MTTD/MTTR', () => {
    const w = world({
      logs: [...errors('db', 2, 5, 20, 'disk full'), ...errors('api', 3, 5, 20, 'query failed')],
    });
    const [i, more] = detectIncidents(scanOf(w, 'around'), C);
    expect(more).toBeUndefined();
    expect(i).toMatchObject({
      id: `inc_${((T + 2 * M) / 1000).toString(36)}`,
      status: 'resolved',
      firstSymptomMs: T + 2 * M,
      detectedMs: T + 3 * M,
      lastSymptomMs: T + 5 * M,
      services: ['db', 'api'],
    });
    expect(i!.causes[0]!.service).toBe('db');
    expect(i!.timeline.map((e) => e.kind)).toEqual([
      'first-symptom',
      'detected',
      'symptom',
      'resolved',
    ]);
    expect(i!.timeline[2]).toMatchObject({ service: 'api', timeMs: T + 3 * M });
    expect(incidentTimes(i!)).toEqual({ mttdMs: M, mttrMs: 3 * M + C.quietMs });
  });

  it('a service of a few requests a minute opens an incident when its failures add up over a few minutes, dated from the first', () => {
    // db serves 2 requests a minute, none failing; from minute 2 both fail: 2 a minute is too few for any one minute
    const db = (fail: (m: number) => boolean) =>
      Array.from({ length: 70 }, (_, i) => i - 60).map((m) => ({
        service: 'db',
        bucketMs: T + m * M,
        count: 2,
        errors: fail(m) ? 2 : 0,
        requests: 2,
        failedRequests: fail(m) ? 2 : 0,
        ownFailedRequests: fail(m) ? 2 : 0,
        p50Ms: 10,
        p90Ms: 40,
      }));
    const scan = (fail: (m: number) => boolean) =>
      detectIncidents(scanOf(world({ spans: db(fail) }), 'around'), C);
    const [i, more] = scan((m) => m >= 2 && m <= 5);
    expect(more).toBeUndefined();
    // two minutes of it (4 failed requests) make it, opened at the end of the second
    expect(i).toMatchObject({ firstSymptomMs: T + 2 * M, detectedMs: T + 4 * M, services: ['db'] });
    expect(i!.causes[0]!.service).toBe('db');
    // the same live, each minute against the past alone
    expect(
      detectIncidents(
        scanOf(world({ spans: db((m) => m >= 2 && m <= 5) }), 'past', T + 10 * M),
        C,
      )[0],
    ).toMatchObject({ firstSymptomMs: T + 2 * M, services: ['db'] });
    // one failed request, or two in one minute, is not an incident
    expect(scan((m) => m === 3)).toEqual([]);
  });

  it("ranks an incident's causes from the minute before its first symptom: a stop that began within it is not blamed on a callee slow only later", () => {
    // api's "done" stops from 3½ min (6 of 20 in minute 3, none in 4 and 5); db, which api calls, is slow in minutes 4 and 5
    const pair = Array.from({ length: 70 }, (_, i) => i - 60).flatMap((m) => [
      {
        service: 'api',
        templateId: 'start',
        template: 'a.Api#10 start <*>',
        severity: 9,
        bucketMs: T + m * M,
        count: 20,
      },
      {
        service: 'api',
        templateId: 'done',
        template: 'a.Api#20 done <*>',
        severity: 9,
        bucketMs: T + m * M,
        count: m === 3 ? 6 : m === 4 || m === 5 ? 0 : 20,
      },
    ]);
    const slow = [4, 5].map((m) => ({
      service: 'db',
      bucketMs: T + m * M,
      count: 100,
      errors: 0,
      requests: 100,
      failedRequests: 0,
      ownFailedRequests: 0,
      p50Ms: 100,
      p90Ms: 200,
    }));
    const [i] = detectIncidents(scanOf(world({ logs: pair, spans: slow }), 'around'), C);
    expect(i).toMatchObject({ firstSymptomMs: T + 4 * M });
    expect(i!.causes.slice(0, 2).map((c) => c.service)).toEqual(['api', 'db']);
  });

  it('a second burst after a quiet period, or of an unrelated service, is another incident', () => {
    const w = world({ logs: [...errors('db', 0, 1, 30), ...errors('db', 6, 7, 30)] });
    expect(detectIncidents(scanOf(w, 'around'), C).map((i) => i.firstSymptomMs)).toEqual([
      T,
      T + 6 * M,
    ]);
    const unrelated = world(
      { logs: [...errors('db', 0, 2, 30), ...errors('batch', 3, 4, 30, 'OOMKilled')] },
      ['web', 'api', 'db', 'batch'],
    );
    expect(
      detectIncidents(
        { ...scanOf(unrelated, 'around'), edges: [edge('web', 'api'), edge('api', 'db')] },
        C,
      ).map((i) => i.services),
    ).toEqual([['db'], ['batch']]);
  });

  it('hands out the findings behind abnormal minutes: new messages, error bursts, latency shifts, with stable ids', () => {
    const usual = errors('api', -60, 10, 1, 'retrying <*>').map((r) =>
      r.bucketMs >= T + 3 * M && r.bucketMs < T + 4 * M ? { ...r, count: 60 } : r,
    );
    const rare = [
      ...errors('web', -50, -49, 2, 'cache miss storm'),
      ...errors('web', 7, 8, 25, 'cache miss storm'),
    ];
    const slow = {
      service: 'web',
      bucketMs: T + 5 * M,
      count: 80,
      errors: 0,
      requests: 80,
      failedRequests: 0,
      ownFailedRequests: 0,
      p50Ms: 300,
      p90Ms: 900,
    };
    const w = world({
      logs: [...errors('db', 2, 3, 30, 'disk full'), ...usual, ...rare],
      spans: [slow],
    });
    const out: Finding[] = [];
    detectIncidents({ ...scanOf(w, 'around'), findingsOut: out }, C);
    expect(out.map((f) => [f.kind, f.subject.resource.service, (f.timeMs - T) / M])).toEqual([
      ['new-template', 'db', 2],
      ['error-burst', 'api', 3],
      ['latency-shift', 'web', 5],
      ['rare-template', 'web', 7],
    ]);
    expect(out[0]).toMatchObject({
      detail: 'db-disk full',
      evidence: [{ timeMs: T + 2 * M, value: 30 }],
      reason: expect.stringMatching(
        /^db: 30 ERROR records "disk full" in 1 min, a message not seen/,
      ) as unknown,
    });
    const again: Finding[] = [];
    detectIncidents({ ...scanOf(w, 'around'), findingsOut: again }, C);
    expect(again.map((f) => f.id)).toEqual(out.map((f) => f.id));
  });

  it('live ("past") scans compare each minute with what came before and keep a recent incident open', () => {
    const w = world({ logs: errors('db', 8, 10, 30) });
    const [open] = detectIncidents(scanOf(w, 'past', T + 10 * M), C);
    expect(open).toMatchObject({ status: 'open', firstSymptomMs: T + 8 * M });
    expect(open!.resolvedMs).toBeUndefined();
    const [later] = detectIncidents(scanOf(w, 'past', T + 20 * M), C);
    expect(later).toMatchObject({ status: 'resolved', resolvedMs: T + 10 * M + C.quietMs });
  });
});
