import { describe, expect, it } from 'vitest';
import { createMemoryHistoryStore } from '../../adapters/store/memory/memory-history-store.js';
import { createMemoryTelemetryStore } from '../../adapters/store/memory/memory-telemetry-store.js';
import type { Incident } from '../domain/incident.js';
import { IncidentTracker } from './incident-tracker.js';

const M = 60_000;
const inc = (over: Partial<Incident> = {}): Incident => ({
  id: 'inc_1',
  status: 'open',
  title: 'db: disk full',
  firstSymptomMs: 10 * M,
  detectedMs: 11 * M,
  lastSymptomMs: 12 * M,
  peakScore: 0.8,
  services: ['db'],
  causes: [{ service: 'db', score: 0.8, reasons: ['disk full'] }],
  timeline: [{ timeMs: 10 * M, kind: 'first-symptom', text: 'db: disk full', service: 'db' }],
  ...over,
});

function tracker() {
  const history = createMemoryHistoryStore();
  return { history, t: new IncidentTracker({ telemetry: createMemoryTelemetryStore(), history }) };
}

describe('IncidentTracker', () => {
  it('reports a new incident once, then only real changes', async () => {
    const { t } = tracker();
    expect((await t.record('a', [inc()])).map((c) => c.type)).toEqual(['opened']);
    expect(await t.record('a', [inc()])).toEqual([]);
    expect(
      (await t.record('a', [inc({ lastSymptomMs: 14 * M, services: ['db', 'api'] })])).map(
        (c) => c.type,
      ),
    ).toEqual(['updated']);
    const resolved = await t.record('a', [
      inc({
        lastSymptomMs: 14 * M,
        services: ['db', 'api'],
        status: 'resolved',
        resolvedMs: 17 * M,
        resolvedBy: 'detector',
      }),
    ]);
    expect(resolved.map((c) => [c.type, c.incident.status])).toEqual([['resolved', 'resolved']]);
    expect(await t.record('b', [])).toEqual([]);
  });

  it('an acknowledgement survives re-detection; resolving by hand holds until new symptoms reopen it', async () => {
    const { t, history } = tracker();
    await t.record('a', [inc()]);
    const ack = await t.acknowledge('a', 'inc_1', 13 * M, 'key AbCd1234');
    expect(ack?.incident).toMatchObject({ status: 'acknowledged', acknowledgedMs: 13 * M });
    expect(ack?.change?.type).toBe('acknowledged');
    expect((await t.acknowledge('a', 'inc_1', 14 * M, 'again'))?.change).toBeUndefined();
    const again = await t.record('a', [inc({ lastSymptomMs: 14 * M })]);
    expect(again[0]?.incident.status).toBe('acknowledged');
    expect(again[0]?.incident.timeline.map((e) => e.kind)).toEqual([
      'first-symptom',
      'acknowledged',
    ]);
    const done = await t.resolve('a', 'inc_1', 15 * M, 'key AbCd1234');
    expect(done?.incident).toMatchObject({
      status: 'resolved',
      resolvedBy: 'person',
      resolvedMs: 15 * M,
    });
    expect((await t.resolve('a', 'inc_1', 16 * M, 'again'))?.change).toBeUndefined();
    expect(await t.record('a', [inc({ lastSymptomMs: 14 * M })])).toEqual([]);
    expect((await history.getIncident('a', 'inc_1'))?.status).toBe('resolved');
    const reopened = await t.record('a', [inc({ lastSymptomMs: 18 * M })]);
    expect(reopened.map((c) => [c.type, c.incident.status])).toEqual([
      ['reopened', 'acknowledged'],
    ]);
    expect(reopened[0]!.incident.timeline.map((e) => e.kind)).toEqual([
      'first-symptom',
      'acknowledged',
      'resolved',
      'reopened',
    ]);
  });

  it('new symptoms after a hand resolution that the detector already sees as over: reopened, the timeline in time order', async () => {
    const { t } = tracker();
    await t.record('a', [inc()]);
    await t.resolve('a', 'inc_1', 15 * M, 'x');
    const overAgain = inc({
      lastSymptomMs: 18 * M,
      status: 'resolved',
      resolvedMs: 21 * M,
      resolvedBy: 'detector',
      timeline: [...inc().timeline, { timeMs: 21 * M, kind: 'resolved', text: 'quiet' }],
    });
    const [c] = await t.record('a', [overAgain]);
    expect(c?.type).toBe('reopened');
    expect(c!.incident.timeline.map((e) => [e.kind, e.timeMs / M])).toEqual([
      ['first-symptom', 10],
      ['resolved', 15],
      ['reopened', 18],
      ['resolved', 21],
    ]);
  });

  it('acknowledging or resolving an unknown incident, or another tenant’s, finds nothing', async () => {
    const { t } = tracker();
    await t.record('a', [inc()]);
    expect(await t.acknowledge('b', 'inc_1', 1, 'x')).toBeUndefined();
    expect(await t.resolve('a', 'inc_404', 1, 'x')).toBeUndefined();
  });
});
