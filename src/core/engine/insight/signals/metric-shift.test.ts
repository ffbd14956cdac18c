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

  it('one spike, a rise that is tiny for the metric system-wide, a flat metric that wobbles and a short reference are not', () => {
    expect(shifts(series('api', 'cpu.utilization', 20, (m) => (m === 2 ? 99 : undefined)))).toEqual(
      [],
    );
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
