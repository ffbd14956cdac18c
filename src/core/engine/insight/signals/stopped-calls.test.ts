import { describe, expect, it } from 'vitest';
import type { EdgeStats, ServiceSpanStats } from '../../../domain/telemetry-aggregates.js';
import { serviceEvidence } from '../evidence.js';
import { DEFAULT_INSIGHT_CONFIG as C } from '../insight-config.js';
import { signalContext } from './context.js';
import type { EvidenceInput } from './signal.js';
import { stoppedCallSignals } from './stopped-calls.js';

const M = 60_000;
const T = 1_700_000_040_000 - (1_700_000_040_000 % M);
const minutes = Array.from({ length: 70 }, (_, i) => i - 60);

/** Spans of a service for minutes [-60, 10): 30 requests a minute (or as `requests(m)` says). */
const spans = (service: string, requests: (m: number) => number = () => 30): ServiceSpanStats[] =>
  minutes.map((m) => ({
    service,
    bucketMs: T + m * M,
    count: requests(m) * 2,
    errors: 0,
    requests: requests(m),
    failedRequests: 0,
    ownFailedRequests: 0,
    p50Ms: 10,
    p90Ms: 40,
  }));
/** Calls on caller → callee: `perMinute(m)` a minute. */
const calls = (caller: string, callee: string, perMinute: (m: number) => number): EdgeStats[] =>
  minutes
    .map((m) => ({
      caller,
      callee,
      bucketMs: T + m * M,
      calls: perMinute(m),
      errors: 0,
      gapP50Ms: 3,
    }))
    .filter((r) => r.calls > 0);

const input = (s: ServiceSpanStats[], c: EdgeStats[]): EvidenceInput => ({
  window: { fromMs: T, toMs: T + 10 * M },
  atMs: T,
  logs: [],
  spans: s,
  findings: [],
  calls: c,
});
const found = (s: ServiceSpanStats[], c: EdgeStats[]) =>
  stoppedCallSignals(signalContext(input(s, c), C));

describe('stopped-calls signals: a code path cut short, seen in the traces', () => {
  it('calls a service makes in step with its requests that stop while its requests go on point at the caller', () => {
    // checkout charges payment once per request; from minute 2 it returns before the call
    const s = [...spans('checkout'), ...spans('payment', () => 30), ...spans('shipping')];
    const c = [
      ...calls('checkout', 'payment', (m) => (m >= 2 ? 0 : 30)),
      ...calls('checkout', 'shipping', () => 30),
      ...calls('frontend', 'payment', () => 5),
    ];
    const [x, ...rest] = found(s, c);
    expect(rest).toEqual([]);
    expect(x).toMatchObject({
      service: 'checkout',
      signal: {
        kind: 'flow',
        onsetMs: T + 2 * M,
        ref: { type: 'stopped-calls', callee: 'payment', calls: 0, perRequest: 1 },
      },
    });
    expect(x!.signal.reason).toBe(
      'its calls to payment stopped: 0 in 7 min where 210 were expected from its requests (1 per request in the reference), while payment went on answering others: a code path cut short',
    );
    expect(serviceEvidence(input(s, c), C)[0]?.service).toBe('checkout');
  });

  it('less traffic is no stop; a callee that went silent is down (its own evidence); a path without steady reference is not judged', () => {
    // the caller's requests fall and its calls with them
    expect(
      found(
        [...spans('checkout', (m) => (m >= 2 ? 3 : 30)), ...spans('payment')],
        calls('checkout', 'payment', (m) => (m >= 2 ? 3 : 30)),
      ),
    ).toEqual([]);
    // the callee left nothing in those minutes
    expect(
      found(
        [...spans('checkout'), ...spans('payment').filter((r) => r.bucketMs < T + 2 * M)],
        calls('checkout', 'payment', (m) => (m >= 2 ? 0 : 30)),
      ),
    ).toEqual([]);
    // a call made now and then, out of step with the requests
    expect(
      found(
        [...spans('checkout'), ...spans('payment')],
        calls('checkout', 'payment', (m) => (m >= 2 ? 0 : m % 4 === 0 ? 40 : 0)),
      ),
    ).toEqual([]);
    expect(found([], [])).toEqual([]);
  });
});
