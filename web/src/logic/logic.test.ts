import { describe, expect, it } from 'vitest';
import { apiUrl, parseSseBlock } from '../api/client.js';
import type { ServiceHealth } from '../api/types.js';
import { causalChain } from './causal.js';
import { withCitations } from './citations.js';
import {
  alignSeries,
  axisTimes,
  callSeries,
  incidentChartRange,
  peerCallSeries,
  redSeries,
  stepFor,
  zeroFill,
} from './chart.js';
import { duration, percent, shortTime } from './format.js';
import { byHealth, healthOf } from './health.js';
import { logFilterOf, logsHash, logsQueryOf } from './logs.js';
import { patternsOf, sparkline } from './patterns.js';
import { focusEnd, incidentRcaQuery, minuteInput, pinnedEnd } from './range.js';
import { groupFindings } from './findings.js';
import type { Finding } from '../api/types.js';
import { parseRoute, rangeMs, routeHash } from './route.js';
import { graphElements, shortLabels } from './graph.js';
import { waterfall } from './waterfall.js';
import { nextTheme, savedTheme, saveTheme } from './theme.js';
import { brush, firstAtOrAfter, fit, pan, ticks, timeOf, xOf, zoom } from './timeline.js';

const svc = (service: string, over: Partial<ServiceHealth> = {}): ServiceHealth => ({
  service,
  spans: 100,
  ratePerMin: 10,
  errorRatio: 0,
  p50Ms: 10,
  p90Ms: 20,
  shift: null,
  ...over,
});

describe('dashboard logic', () => {
  it('health: failing on errors or a rise of errors, degraded on doubled latency, idle without spans; worst first', () => {
    expect(healthOf(svc('a', { errorRatio: 0.2 }))).toBe('failing');
    expect(
      healthOf(
        svc('a', {
          errorRatio: 0.02,
          shift: { p90Ratio: 1, errorRatioChange: 0.06, before: { count: 10, p90Ms: 20 } },
        }),
      ),
    ).toBe('failing');
    expect(
      healthOf(
        svc('a', {
          shift: { p90Ratio: 2.5, errorRatioChange: 0, before: { count: 10, p90Ms: 8 } },
        }),
      ),
    ).toBe('degraded');
    expect(healthOf(svc('a', { spans: 0 }))).toBe('idle');
    expect(healthOf(svc('a'))).toBe('ok');
    expect(
      byHealth([svc('b'), svc('z', { errorRatio: 0.5 }), svc('a')]).map((x) => x.service.service),
    ).toEqual(['z', 'a', 'b']);
  });

  it('citations become links, also several in one bracket; other brackets stay text', () => {
    expect(withCitations('starts at [e1] and [e2, c1]; see [note]')).toEqual([
      { text: 'starts at ' },
      { cite: 'e1' },
      { text: ' and ' },
      { cite: 'e2' },
      { cite: 'c1' },
      { text: '; see [note]' },
    ]);
  });

  it('formats durations, percentages and times for a glance', () => {
    expect(duration(95_000)).toBe('1m 35s');
    expect(duration(7_380_000)).toBe('2h 3m');
    expect(duration(3 * 86_400_000)).toBe('3d 0h');
    expect(percent(0.123)).toBe('12%');
    expect(percent(0.012)).toBe('1.2%');
    const t = Date.UTC(2026, 10, 23, 10, 5, 7);
    expect(shortTime(t, t)).toBe('10:05:07');
    expect(shortTime(t)).toBe('2026-11-23 10:05');
  });

  it('reads Server-Sent Event blocks: ids, event names, multi-line data; heartbeats are nothing', () => {
    expect(parseSseBlock('id: 7\nevent: incident.opened\ndata: {"a":1}')).toEqual({
      id: '7',
      event: 'incident.opened',
      data: '{"a":1}',
    });
    expect(parseSseBlock('data: a\ndata: b')).toEqual({ event: 'message', data: 'a\nb' });
    expect(parseSseBlock(': heartbeat')).toBeUndefined();
  });
});

describe('log patterns', () => {
  const M = 60_000;
  const range = { fromMs: 0, toMs: 10 * M, bucketMs: M };
  const rows = [
    { templateId: 'a', template: 'GET /api <*>', bucketMs: 0, count: 5, errors: 0 },
    { templateId: 'a', template: 'GET /api <*>', bucketMs: 3 * M, count: 7, errors: 0 },
    {
      templateId: 'b',
      template: 'payment timeout after <*> ms',
      bucketMs: 8 * M,
      count: 30,
      errors: 28,
    },
    {
      templateId: 'b',
      template: 'payment timeout after <*> ms',
      bucketMs: 9 * M,
      count: 2,
      errors: 2,
    },
    { templateId: 'c', template: 'disk almost full', bucketMs: 2 * M, count: 1, errors: 0 },
  ];
  it('one pattern per template: totals, errors, a series over the whole range, new and rare badges, busiest first', () => {
    const p = patternsOf(rows, range);
    expect(p.map((x) => [x.templateId, x.total, x.errors, x.isNew, x.isRare])).toEqual([
      ['b', 32, 30, true, false],
      ['a', 12, 0, false, false],
      ['c', 1, 0, false, true],
    ]);
    expect(p[1]!.series).toEqual([5, 0, 0, 7, 0, 0, 0, 0, 0, 0]);
    expect(patternsOf(rows, range, 'PAYMENT').map((x) => x.templateId)).toEqual(['b']);
  });
  it('sparkline points scale to the box, the highest at the top', () => {
    expect(sparkline([0, 5, 10], 100, 20)).toBe('0.0,20.0 50.0,10.0 100.0,0.0');
    expect(sparkline([0, 0], 10, 4)).toBe('0.0,4.0 10.0,4.0');
  });
});

describe('the time a view focuses on', () => {
  const H = 3_600_000;
  it('now for live data; for imported data the latest incident (plus 10 min), else the last record', () => {
    const now = 100 * H;
    expect(focusEnd(now, now - 5 * 60_000, undefined)).toBe(now);
    expect(focusEnd(now, 50 * H, 20 * H)).toBe(20 * H + 10 * 60_000);
    expect(focusEnd(now, 50 * H, undefined)).toBe(50 * H + 1000);
    expect(focusEnd(now, undefined, undefined)).toBe(now);
  });
});

describe("an incident's causes, ranked over its own minutes", () => {
  /** What the server's rca does with at and window (root-cause-analysis.ts): whole minutes from a tenth of the window before at to the window after it. */
  const rcaWindow = (q: { at: string; window: string }) => {
    const at = Date.parse(q.at);
    const w = Number(q.window.slice(0, -1)) * (q.window.endsWith('s') ? 1000 : 60_000);
    return {
      fromMs: Math.floor((at - w / 10) / 60_000) * 60_000,
      toMs: Math.ceil((at + w) / 60_000) * 60_000,
    };
  };
  const T = Date.parse('2023-01-29T09:03:00Z');
  it("covers the minute before the first symptom to the minute after the last, as the incident's own ranking did, and nothing of the next incident", () => {
    for (const minutes of [1, 2, 5, 9, 10, 25, 120, 600]) {
      const i = { firstSymptomMs: T, lastSymptomMs: T + minutes * 60_000 };
      expect(rcaWindow(incidentRcaQuery(i))).toEqual({
        fromMs: T - 60_000,
        toMs: T + (minutes + 1) * 60_000,
      });
    }
    // a short incident is asked for at its first symptom itself
    expect(incidentRcaQuery({ firstSymptomMs: T, lastSymptomMs: T + 120_000 })).toEqual({
      at: '2023-01-29T09:03:00.000Z',
      window: '180s',
    });
  });
  it('the wider look the page used to take: 10 to 60 minutes from the first symptom', () => {
    expect(incidentRcaQuery({ firstSymptomMs: T, lastSymptomMs: T + 120_000 }, 'wider')).toEqual({
      at: '2023-01-29T09:03:00.000Z',
      window: '10m',
    });
    expect(
      incidentRcaQuery({ firstSymptomMs: T, lastSymptomMs: T + 40 * 60_000 }, 'wider').window,
    ).toBe('45m');
  });
});

describe('recent findings, grouped', () => {
  const f = (
    id: string,
    service: string,
    kind: Finding['kind'],
    metric: string,
    score: number,
    timeMs: number,
    detail = 'spike',
  ): Finding => ({
    id,
    kind,
    timeMs,
    time: new Date(timeMs).toISOString(),
    score,
    reason: `${id} reason`,
    subject: { metric, labels: '{}', resource: { service } },
    detail,
    evidence: [],
  });
  it('one line per service, kind and subject, the strongest first; repeats counted', () => {
    const groups = groupFindings([
      f('a1', 'api', 'metric-anomaly', 'cpu', 0.6, 1000),
      f('a2', 'api', 'metric-anomaly', 'cpu', 0.9, 2000, 'level-shift'),
      f('a3', 'api', 'metric-anomaly', 'cpu', 0.7, 3000),
      f('b1', 'db', 'metric-anomaly', 'cpu', 0.8, 1500),
      f('l1', 'api', 'error-burst', '', 0.95, 500, 'tpl-1'),
      f('l2', 'api', 'error-burst', '', 0.5, 600, 'tpl-2'),
    ]);
    expect(groups.map((g) => [g.service, g.kind, g.top.id, g.count, g.lastMs])).toEqual([
      ['api', 'error-burst', 'l1', 1, 500],
      ['api', 'metric-anomaly', 'a2', 3, 3000],
      ['db', 'metric-anomaly', 'b1', 1, 1500],
      ['api', 'error-burst', 'l2', 1, 600],
    ]);
    expect(groupFindings([])).toEqual([]);
  });
});

describe('service graph', () => {
  it('nodes for services and call ends, coloured by health; edges by errors and latency shift', () => {
    const g = {
      from: '',
      to: '',
      services: [svc('api'), svc('db', { errorRatio: 0.3 })],
      edges: [
        { caller: 'api', callee: 'db', calls: 100, errors: 30, p90Ms: 5 },
        {
          caller: 'api',
          callee: 'cache',
          calls: 10,
          errors: 0,
          p90Ms: 9,
          shift: { p90Ratio: 3, errorRatioChange: 0, before: { count: 10, p90Ms: 3 } },
        },
      ],
    };
    const el = graphElements(g);
    expect(el.nodes).toEqual([
      { id: 'api', health: 'ok' },
      { id: 'cache', health: 'idle' },
      { id: 'db', health: 'failing' },
    ]);
    expect(el.edges.map((e) => [e.id, e.state])).toEqual([
      ['api->db', 'failing'],
      ['api->cache', 'slow'],
    ]);
  });

  it('a dependency without spans of its own (external edges) is as its calls are: slow calls make it degraded, failing ones failing', () => {
    const edge = (caller: string, p90Ratio: number, errors = 0) => ({
      caller,
      callee: 'orders-db',
      calls: 100,
      errors,
      p90Ms: 50,
      external: true,
      shift: { p90Ratio, errorRatioChange: 0, before: { count: 100, p90Ms: 5 } },
    });
    const nodes = (edges: ReturnType<typeof edge>[]) =>
      graphElements({ from: '', to: '', services: [svc('api'), svc('orders')], edges }).nodes.find(
        (n) => n.id === 'orders-db',
      )?.health;
    expect(nodes([edge('api', 1), edge('orders', 1)])).toBe('ok');
    expect(nodes([edge('api', 10), edge('orders', 1)])).toBe('degraded');
    expect(nodes([edge('api', 1, 20), edge('orders', 10)])).toBe('failing');
  });

  it('a service down all along (no spans, its calls unanswered) is a failing node on a failing edge, not idle', () => {
    const g = {
      from: '',
      to: '',
      services: [svc('api')],
      edges: [
        {
          caller: 'api',
          callee: 'payments',
          calls: 0,
          errors: 0,
          p90Ms: 0,
          unanswered: 120,
          unansweredFailed: 120,
        },
        { caller: 'api', callee: 'cache', calls: 100, errors: 0, p90Ms: 2, unanswered: 1 },
      ],
    };
    const el = graphElements(g);
    expect(el.nodes).toEqual([
      { id: 'api', health: 'ok' },
      { id: 'cache', health: 'idle' },
      { id: 'payments', health: 'failing' },
    ]);
    expect(el.edges.map((e) => [e.id, e.calls, e.state])).toEqual([
      ['api->payments', 120, 'failing'],
      ['api->cache', 101, 'ok'],
    ]);
  });
});

describe('timeline arithmetic', () => {
  const v = { fromMs: 0, toMs: 600_000 };
  it('maps time to pixels and back', () => {
    expect(xOf(v, 600, 300_000)).toBe(300);
    expect(timeOf(v, 600, 150)).toBe(150_000);
  });
  it('zooms around the cursor, not below a minute; pans; brushes; fits with margins', () => {
    expect(zoom(v, 600, 300, 0.5)).toEqual({ fromMs: 150_000, toMs: 450_000 });
    expect(zoom(v, 600, 0, 0.001)).toEqual({ fromMs: 0, toMs: 60_000 });
    expect(pan(v, 600, 60)).toEqual({ fromMs: -60_000, toMs: 540_000 });
    expect(brush(v, 600, 400, 100)).toEqual({ fromMs: 100_000, toMs: 400_000 });
    expect(fit([{ fromMs: 0, toMs: 2_000_000 }])).toEqual({ fromMs: -100_000, toMs: 2_100_000 });
  });
  it('round ticks; the first event in view by binary search', () => {
    expect(ticks({ fromMs: 0, toMs: 3_600_000 })).toEqual([
      0, 900_000, 1_800_000, 2_700_000, 3_600_000,
    ]);
    expect(firstAtOrAfter([1, 5, 5, 9], 5)).toBe(1);
    expect(firstAtOrAfter([1, 5, 5, 9], 10)).toBe(4);
  });
});

describe('trace waterfall', () => {
  const sp = (spanId: string, parentSpanId: string, startMs: number, endMs: number) => ({
    spanId,
    parentSpanId,
    name: spanId,
    startMs,
    endMs,
    statusCode: 0,
    resource: {},
  });
  it('children under their parents by start time, with offsets as fractions of the trace', () => {
    const w = waterfall([
      sp('c2', 'root', 50, 90),
      sp('root', '', 0, 100),
      sp('c1', 'root', 10, 40),
      sp('g', 'c1', 20, 30),
    ]);
    expect(w.rows.map((r) => [r.span.spanId, r.depth])).toEqual([
      ['root', 0],
      ['c1', 1],
      ['g', 2],
      ['c2', 1],
    ]);
    expect(w.rows[3]).toMatchObject({ left: 0.5, width: 0.4 });
    expect(w.durationMs).toBe(100);
  });
  it('missing parents start their own tree; a cycle does not loop', () => {
    const w = waterfall([sp('a', 'lost', 0, 10), sp('x', 'y', 5, 6), sp('y', 'x', 5, 6)]);
    expect(w.rows.map((r) => r.span.spanId).sort()).toEqual(['a', 'x', 'y']);
  });
});

describe('theme', () => {
  it('system by default, cycles system → light → dark, kept in storage (system removes it)', () => {
    const m = new Map<string, string>();
    const storage = {
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => {
        m.set(k, v);
      },
      removeItem: (k: string) => {
        m.delete(k);
      },
    };
    expect(savedTheme(storage)).toBe('system');
    expect(nextTheme('system')).toBe('light');
    expect(nextTheme('dark')).toBe('system');
    saveTheme(storage, 'dark');
    expect(savedTheme(storage)).toBe('dark');
    saveTheme(storage, 'system');
    expect(m.size).toBe(0);
  });
});

describe('chart arithmetic', () => {
  it('a round step that keeps a range within the points wanted', () => {
    expect(stepFor(3_600_000)).toBe(30);
    expect(stepFor(3_600_000, 60)).toBe(60);
    expect(stepFor(24 * 3_600_000)).toBe(600);
    expect(stepFor(0)).toBe(10);
    expect(stepFor(400 * 86_400_000)).toBe(3 * 86_400);
  });
  it('series of different times on one axis, null where a series has no point, non-finite values null', () => {
    const a = alignSeries([
      {
        label: 'a',
        points: [
          { tMs: 2000, v: 2 },
          { tMs: 1000, v: 1 },
        ],
      },
      {
        label: 'b',
        points: [
          { tMs: 3000, v: 30 },
          { tMs: 1000, v: Number.NaN },
          { tMs: Number.NaN, v: 5 },
        ],
      },
    ]);
    expect(a).toEqual({
      x: [1, 2, 3],
      ys: [
        [1, 2, null],
        [null, null, 30],
      ],
    });
    expect(alignSeries([])).toEqual({ x: [], ys: [] });
  });
  it('counts zero-filled over a range, points summed into their step', () => {
    expect(
      zeroFill(
        [
          { tMs: 60_500, v: 2 },
          { tMs: 61_000, v: 1 },
          { tMs: 500_000, v: 9 },
        ],
        { fromMs: 0, toMs: 240_000, stepMs: 60_000 },
      ),
    ).toEqual([
      { tMs: 0, v: 0 },
      { tMs: 60_000, v: 3 },
      { tMs: 120_000, v: 0 },
      { tMs: 180_000, v: 0 },
    ]);
  });
  it('RED points as the spans/failed and requests/failed charts (zero-filled) and the p90/p50 chart', () => {
    const r = redSeries(
      [
        {
          time: '1970-01-01T00:01:00.000Z',
          spans: 10,
          errors: 2,
          requests: 4,
          failedRequests: 3,
          ownFailedRequests: 1,
          p50Ms: 5,
          p90Ms: 9,
        },
      ],
      { fromMs: 0, toMs: 180_000, stepMs: 60_000 },
    );
    expect(r.counts.map((s) => [s.label, s.points.map((p) => p.v)])).toEqual([
      ['spans', [0, 10, 0]],
      ['failed', [0, 2, 0]],
    ]);
    expect(r.requests.map((s) => [s.label, s.points.map((p) => p.v)])).toEqual([
      ['requests', [0, 4, 0]],
      ['failed', [0, 3, 0]],
      ['failed in it', [0, 1, 0]],
    ]);
    expect(r.latency.map((s) => [s.label, s.points.map((p) => [p.tMs, p.v])])).toEqual([
      ['p90 ms', [[60_000, 9]]],
      ['p50 ms', [[60_000, 5]]],
    ]);
  });
  it('the calls to a service that went down: answered and unanswered, summed over its callers, zero-filled', () => {
    const t = (m: number) => new Date(Date.UTC(2026, 0, 1, 10, m)).toISOString();
    const callers = [
      {
        points: [
          { time: t(0), calls: 10, answered: 10 },
          { time: t(2), calls: 10, answered: 0 },
        ],
      },
      { points: [{ time: t(2), calls: 4, answered: 1 }] },
    ];
    const s = peerCallSeries(callers, {
      fromMs: Date.parse(t(0)),
      toMs: Date.parse(t(3)),
      stepMs: 60_000,
    });
    expect(s.map((x) => [x.label, x.points.map((p) => p.v)])).toEqual([
      ['answered', [10, 0, 1]],
      ['unanswered', [0, 0, 13]],
    ]);
  });

  it("a network signal's call paths as one series each: those between the service and its peers, in or out", () => {
    const pt = (gapMs: number) => [
      { time: '1970-01-01T00:01:00.000Z', calls: 5, errors: 0, gapMs },
    ];
    const paths = [
      { caller: 'web', callee: 'api', points: pt(120) },
      { caller: 'api', callee: 'db', points: pt(110) },
      { caller: 'api', callee: 'cache', points: pt(3) },
      { caller: 'db', callee: 'web', points: pt(1) },
    ];
    expect(callSeries(paths, 'api', ['db', 'web']).map((s) => [s.label, s.points])).toEqual([
      ['web → api', [{ tMs: 60_000, v: 120 }]],
      ['api → db', [{ tMs: 60_000, v: 110 }]],
    ]);
    expect(callSeries([], 'api', ['db'])).toEqual([]);
  });
  it('time-axis labels in UTC, with the date where it starts and where the day changes', () => {
    const t = Date.UTC(2023, 0, 29, 23, 50) / 1000;
    expect(axisTimes([t, t + 300, t + 600, t + 900])).toEqual([
      '2023-01-29\n23:50',
      '23:55',
      '2023-01-30\n00:00',
      '00:05',
    ]);
    expect(axisTimes([t, t + 30])).toEqual(['2023-01-29\n23:50:00', '23:50:30']);
    expect(axisTimes([])).toEqual([]);
  });
  it("an incident's chart range: half an hour before, a quarter after, at least an hour", () => {
    const M = 60_000;
    expect(incidentChartRange({ firstSymptomMs: 100 * M, lastSymptomMs: 105 * M })).toEqual({
      fromMs: 70 * M,
      toMs: 130 * M,
    });
    expect(incidentChartRange({ firstSymptomMs: 100 * M, lastSymptomMs: 200 * M })).toEqual({
      fromMs: 70 * M,
      toMs: 215 * M,
    });
  });
});

describe('state in the URL', () => {
  it('a hash into a path and its parameters, empty ones dropped; back again in a stable order', () => {
    expect(parseRoute('#/traces?service=ts-basic-service&status=error&min=')).toEqual({
      path: '/traces',
      params: { service: 'ts-basic-service', status: 'error' },
    });
    expect(parseRoute('')).toEqual({ path: '/', params: {} });
    expect(parseRoute('#/incidents/inc_1')).toEqual({ path: '/incidents/inc_1', params: {} });
    expect(parseRoute('#/metrics?name=a%26b%3Dc')).toEqual({
      path: '/metrics',
      params: { name: 'a&b=c' },
    });
    expect(routeHash('/traces', { status: 'error', service: 'api', min: undefined, op: '' })).toBe(
      '#/traces?service=api&status=error',
    );
    expect(routeHash('/metrics', {})).toBe('#/metrics');
    expect(
      parseRoute(routeHash('/metrics', { name: 'http.server duration{a="b"}' })).params.name,
    ).toBe('http.server duration{a="b"}');
  });
  it('range names into milliseconds, bounded; anything else an hour', () => {
    expect(rangeMs('6h')).toBe(6 * 3_600_000);
    expect(rangeMs('15m')).toBe(15 * 60_000);
    expect(rangeMs('9999m')).toBe(1440 * 60_000);
    expect(rangeMs('7d')).toBe(7 * 86_400_000);
    expect(rangeMs('999d')).toBe(30 * 86_400_000);
    expect(rangeMs('0h')).toBe(3_600_000);
    expect(rangeMs('soon')).toBe(3_600_000);
    expect(rangeMs(undefined)).toBe(3_600_000);
  });
});

describe('the causal chain of a root-cause answer', () => {
  const M = 60_000;
  const ev = (id: string, onsetMs?: number) => ({
    id,
    signal: 'log',
    reason: `reason of ${id}`,
    ...(onsetMs === undefined ? {} : { onsetMs }),
  });
  const rca = {
    candidates: [
      {
        service: 'db',
        score: 0.9,
        explains: ['api', 'web', 'gone'],
        evidence: [ev('e2', 3 * M), ev('e1', 2 * M)],
      },
      { service: 'api', score: 0.5, explains: ['web'], evidence: [ev('e3', 4 * M), ev('e4')] },
      { service: 'web', score: 0.4, explains: [], evidence: [ev('e5', 5 * M)] },
      { service: 'cache', score: 0.3, explains: ['cache'], evidence: [ev('e6')] },
    ],
  };
  it("rows of each service's timed findings; links from a cause's first finding to each explained service's first", () => {
    const c = causalChain(rca);
    expect(c.rows.map((r) => [r.service, r.nodes.map((n) => n.id)])).toEqual([
      ['db', ['e1', 'e2']],
      ['api', ['e3']],
      ['web', ['e5']],
    ]);
    expect(c.links.map((l) => `${l.from.id}->${l.to.id}`)).toEqual(['e1->e3', 'e1->e5', 'e3->e5']);
    expect([c.fromMs, c.toMs]).toEqual([2 * M, 5 * M]);
  });
  it('at most so many services, then those they explain further down; links only between those shown; nothing timed, nothing drawn', () => {
    // db alone, then (one more at most) api, which it explains
    const one = causalChain(rca, 1);
    expect(one.rows.map((r) => r.service)).toEqual(['db', 'api']);
    expect(one.links.map((l) => `${l.from.id}->${l.to.id}`)).toEqual(['e1->e3']);
    // web, third, explains nothing: nothing further down is added
    expect(
      causalChain({ candidates: [...rca.candidates.slice(1), rca.candidates[0]!] }, 2).rows.map(
        (r) => r.service,
      ),
    ).toEqual(['api', 'web']);
    expect(
      causalChain({ candidates: [{ service: 'x', score: 1, explains: [], evidence: [ev('e1')] }] }),
    ).toEqual({ rows: [], links: [], fromMs: 0, toMs: 0 });
  });
});

describe('API URLs (paths and queries as /openapi.json declares them)', () => {
  it('fills path parameters, encoded; leaves undefined query values out', () => {
    expect(apiUrl('/api/v1/incidents/{id}', { path: { id: 'inc/1 2' } })).toBe(
      '/api/v1/incidents/inc%2F1%202',
    );
    expect(
      apiUrl('/api/v1/spans', { query: { service: 'api', minDuration: 20, order: 'duration' } }),
    ).toBe('/api/v1/spans?service=api&minDuration=20&order=duration');
    expect(
      apiUrl<'/api/v1/analyses', 'post'>('/api/v1/analyses', {
        query: { name: 'a.log', llm: true },
      }),
    ).toBe('/api/v1/analyses?name=a.log&llm=true');
    expect(apiUrl('/api/v1/extent')).toBe('/api/v1/extent');
  });
});

describe('short graph labels', () => {
  it('leaves out the prefix and suffix all names share, cut at a separator', () => {
    const l = shortLabels(['ts-basic-service', 'ts-travel-service', 'ts-route-plan-service']);
    expect([...l.values()]).toEqual(['basic', 'travel', 'route-plan']);
    expect([...shortLabels(['shop.cart', 'shop.checkout']).values()]).toEqual(['cart', 'checkout']);
    expect([...shortLabels(['payments', 'pay']).values()]).toEqual(['payments', 'pay']);
    expect([...shortLabels(['api', 'db', 'web']).values()]).toEqual(['api', 'db', 'web']);
    expect([...shortLabels(['only-one-service']).values()]).toEqual(['only-one-service']);
    expect([...shortLabels(['a-x', 'a-x']).values()]).toEqual(['a-x']);
  });
});

describe('logs explorer filter', () => {
  it('reads its filter from the URL: known ranges and levels only, text trimmed, empty left out', () => {
    expect(logFilterOf({})).toEqual({ range: '1h' });
    expect(
      logFilterOf({
        range: '6h',
        service: 'cart',
        severity: 'error',
        q: '  timeout ',
        template: 't42',
      }),
    ).toEqual({ range: '6h', service: 'cart', severity: 'error', q: 'timeout', template: 't42' });
    expect(logFilterOf({ range: '3y', severity: 'loud', q: '   ', to: 'soon' })).toEqual({
      range: '1h',
    });
    expect(logFilterOf({ to: '2023-01-29T09:00' })).toEqual({
      range: '1h',
      to: '2023-01-29T09:00',
    });
  });

  it('asks the store for the range ending at the focus, with only the filters chosen', () => {
    const to = Date.UTC(2026, 0, 1, 12);
    expect(logsQueryOf({ range: '15m' }, to)).toEqual({
      from: '2026-01-01T11:45:00.000Z',
      to: '2026-01-01T12:00:00.000Z',
    });
    expect(
      logsQueryOf({ range: '1h', service: 'cart', severity: 'warn', q: 'x', template: 't' }, to),
    ).toEqual({
      from: '2026-01-01T11:00:00.000Z',
      to: '2026-01-01T12:00:00.000Z',
      service: 'cart',
      severity: 'warn',
      q: 'x',
      template: 't',
    });
  });

  it('links keep the filter and change one part of it', () => {
    expect(logsHash({ range: '6h', service: 'cart' }, { template: 't9' })).toBe(
      '#/logs?range=6h&service=cart&template=t9',
    );
    expect(logsHash({ range: '1h', q: 'oops', template: 't9' }, { template: undefined })).toBe(
      '#/logs?q=oops&range=1h',
    );
  });
});

describe('absolute time: the end of a view pinned in the URL', () => {
  it('reads `to` as an instant (ISO, or a minute as a datetime-local input gives it, in UTC); anything else follows the newest data', () => {
    expect(pinnedEnd({ to: '2023-01-29T09:00:00.000Z' })).toBe(Date.UTC(2023, 0, 29, 9));
    expect(pinnedEnd({ to: '2023-01-29T09:00' })).toBe(Date.UTC(2023, 0, 29, 9));
    expect(pinnedEnd({})).toBeUndefined();
    expect(pinnedEnd({ to: 'yesterday' })).toBeUndefined();
    expect(pinnedEnd({ to: '2023-02-30T09:00' })).toBeUndefined();
    expect(pinnedEnd({ to: '+275760-09-13T00:00:00.000Z' })).toBeUndefined();
  });

  it('gives the minute a datetime-local input shows, in UTC, and back', () => {
    const ms = Date.UTC(2023, 0, 29, 9, 5, 42);
    expect(minuteInput(ms)).toBe('2023-01-29T09:05');
    expect(pinnedEnd({ to: minuteInput(ms) })).toBe(Date.UTC(2023, 0, 29, 9, 5));
  });
});
