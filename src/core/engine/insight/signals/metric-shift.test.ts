import { describe, expect, it } from 'vitest';
import type { ServiceMetricStats } from '../../../domain/telemetry-aggregates.js';
import { serviceEvidence } from '../evidence.js';
import { DEFAULT_INSIGHT_CONFIG as C } from '../insight-config.js';
import { rankRootCauses } from '../root-cause.js';
import { ServiceGraph } from '../service-graph.js';
import { signalContext } from './context.js';
import { metricShiftSignals } from './metric-shift.js';
import type { EvidenceInput } from './signal.js';

const M = 60_000;
const T = 1_700_000_040_000 - (1_700_000_040_000 % M);

/** A metric of a service for minutes [-60, 10): `usual` with a small wobble, `at(m)` where given. */
const series = (
  service: string,
  name: string,
  usual: number,
  at: (m: number) => number | undefined = () => undefined,
): ServiceMetricStats[] =>
  Array.from({ length: 70 }, (_, i) => i - 60).map((m) => ({
    service,
    name,
    bucketMs: T + m * M,
    value: at(m) ?? usual * (1 + 0.05 * (m % 3)),
    points: 1,
  }));

const input = (metrics: ServiceMetricStats[]): EvidenceInput => ({
  window: { fromMs: T, toMs: T + 10 * M },
  atMs: T,
  logs: [],
  spans: [],
  findings: [],
  metrics,
});
const shifts = (metrics: ServiceMetricStats[], config = C) =>
  metricShiftSignals(signalContext(input(metrics), config));
const pegged = (m: number) => (m >= 1 && m < 5 ? 99 : undefined);

describe('metric-shift signals: a service against its own usual, from the stored points', () => {
  it('a CPU that saturates for minutes is evidence, with the figures a person checks', () => {
    const [s, ...rest] = shifts([
      ...series('api', 'cpu.utilization', 20, pegged),
      ...series('web', 'cpu.utilization', 20),
    ]);
    expect(rest).toEqual([]);
    expect(s).toMatchObject({
      service: 'api',
      signal: {
        kind: 'metric',
        onsetMs: T + M,
        untilMs: T + 4 * M,
        ref: {
          type: 'metric-shift',
          metric: 'cpu.utilization',
          value: 99,
          direction: 'up',
          timeMs: T + M,
        },
      },
    });
    expect(s!.signal.score).toBeGreaterThan(0.3);
    expect(s!.signal.reason).toBe(
      'cpu.utilization up to 99 per 1 min (4 min beyond its usual), 5.21× its usual: usually 19, at most 20 in 75% of 60 reference min',
    );
  });

  it('a one-minute spike counts where the reference has none; where services spike now and then, a shift must last longer than theirs', () => {
    const spike = (m: number) => (m === 2 ? 99 : undefined);
    // the reference never leaves its band: one minute at 99 is unlike anything before
    expect(
      shifts([
        ...series('api', 'cpu.utilization', 20, spike),
        ...series('web', 'cpu.utilization', 20),
      ]),
    ).toMatchObject([
      { service: 'api', signal: { ref: { metric: 'cpu.utilization', value: 99 } } },
    ]);
    // every service's CPU jumps for a minute every 7 minutes of the reference (a cron, a scrape)
    const routine =
      (shift: (m: number) => number | undefined) =>
      (m: number): number | undefined =>
        shift(m) ?? (m < 0 && (m + 60) % 7 === 3 ? 90 : undefined);
    const peers = ['web', 'db', 'cache'].flatMap((s) =>
      series(
        s,
        'cpu.utilization',
        20,
        routine(() => undefined),
      ),
    );
    expect(shifts([...series('api', 'cpu.utilization', 20, routine(spike)), ...peers])).toEqual([]);
    // one quiet service among them does not lower the bar for the metric
    expect(shifts([...series('api', 'cpu.utilization', 20, spike), ...peers])).toEqual([]);
    // four minutes saturated is longer than the routine jumps: evidence, saying what it needed
    const [s, ...rest] = shifts([
      ...series('api', 'cpu.utilization', 20, routine(pegged)),
      ...peers,
    ]);
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ service: 'api', signal: { onsetMs: T + M, untilMs: T + 4 * M } });
    expect(s!.signal.reason).toMatch(
      /; 3 min needed: shorter excursions of this metric are common in the reference$/,
    );
    // a fixed hold when asked (metricHoldFrom 'setting')
    expect(
      shifts(series('api', 'cpu.utilization', 20, spike), {
        ...C,
        metricHoldFrom: 'setting',
        metricMinBuckets: 3,
      }),
    ).toEqual([]);
  });

  it("a service whose own metric jumps for a minute now and then needs a longer shift, though the system's rarely does", () => {
    const spike = (m: number) => (m === 2 ? 99 : undefined);
    // api's CPU jumps for a minute every 25 minutes of the reference; seven others never do
    const itsOwn = (m: number) => spike(m) ?? (m < 0 && (m + 60) % 25 === 3 ? 90 : undefined);
    const quiet = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].flatMap((s) =>
      series(s, 'cpu.utilization', 20),
    );
    expect(shifts([...series('api', 'cpu.utilization', 20, itsOwn), ...quiet])).toEqual([]);
    // the same minute in one of the quiet ones is evidence
    const others = [
      ...series('api', 'cpu.utilization', 20, (m) => itsOwn(m + 10)),
      ...series('web', 'cpu.utilization', 20, spike),
      ...quiet,
    ];
    expect(shifts(others).map((s) => s.service)).toEqual(['web']);
    // judged over the metric's references of all services only, api's minute counts too
    expect(
      shifts([...series('api', 'cpu.utilization', 20, itsOwn), ...quiet], {
        ...C,
        metricHoldFrom: 'metric',
      }).map((s) => s.service),
    ).toEqual(['api']);
  });

  it('a rise that is tiny for the metric system-wide, a flat metric that wobbles and a short reference are not', () => {
    // an idle service at 0.006 % going to 0.06 %, where services usually run at 20 %
    const idle = series('news', 'cpu.utilization', 0.006, (m) =>
      m >= 1 && m < 6 ? 0.06 : undefined,
    );
    expect(
      shifts([
        ...idle,
        ...series('a', 'cpu.utilization', 20),
        ...series('b', 'cpu.utilization', 25),
      ]),
    ).toEqual([]);
    expect(shifts(series('api', 'memory.usage', 300, (m) => (m >= 0 ? 330 : undefined)))).toEqual(
      [],
    );
    expect(
      shifts(series('api', 'cpu.utilization', 20, pegged).filter((r) => r.bucketMs >= T - 5 * M)),
    ).toEqual([]);
    expect(shifts([])).toEqual([]);
  });

  it('metrics of the calls a service makes measure its dependencies, not it; latency and traffic metrics are judged only when asked (metricShiftOf all)', () => {
    const slow = (m: number) => (m >= 1 && m < 6 ? 2 : undefined);
    expect(
      shifts(series('web', 'http.client.duration', 0.05, slow), { ...C, metricShiftOf: 'all' }),
    ).toEqual([]);
    const server = series('api', 'http.server.duration', 0.05, slow);
    expect(shifts(server)).toEqual([]);
    expect(shifts(server, { ...C, metricShiftOf: 'all' })).toMatchObject([
      { service: 'api', signal: { ref: { metric: 'http.server.duration' } } },
    ]);
    // a success rate that falls is the trouble (higher is better)
    const success = series('api', 'success.rate', 100, (m) =>
      m >= 1 && m < 6 ? 20 : undefined,
    ).map((r) => ({ ...r, value: Math.min(r.value, 100) }));
    expect(shifts(success, { ...C, metricShiftOf: 'all' })).toMatchObject([
      { service: 'api', signal: { ref: { direction: 'down' } } },
    ]);
  });

  it("metrics alone rank the service whose CPU saturated first, its callers' symptoms explained by it", () => {
    const metrics = [
      ...series('api', 'cpu.utilization', 20, pegged),
      ...series('web', 'cpu.utilization', 15),
      ...series('db', 'cpu.utilization', 30),
    ];
    const evidence = serviceEvidence(input(metrics), C);
    expect(evidence.map((e) => e.service)).toEqual(['api']);
    const ranked = rankRootCauses(
      evidence,
      new ServiceGraph([{ caller: 'web', callee: 'api', calls: 10, errors: 0, p90Ms: 5 }]),
      C,
    );
    expect(ranked[0]!.service).toBe('api');
  });
});
