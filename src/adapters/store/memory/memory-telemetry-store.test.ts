import { describe, expect, it } from 'vitest';
import { runTelemetryStoreContract } from '../../../../test/contracts/telemetry-store.contract.js';
import { createMemoryTelemetryStore } from './memory-telemetry-store.js';

runTelemetryStoreContract('memory', () => Promise.resolve(createMemoryTelemetryStore()));

describe('memory store', () => {
  it('appendMany is all or nothing: a read or a close made right after it sees every entry written', async () => {
    const s = createMemoryTelemetryStore();
    const point = (value: number) => ({
      timeMs: value,
      name: 'cpu',
      kind: 'gauge' as const,
      value,
      labels: '{}',
      resource: { service: 'api' },
    });
    const written = s.appendMany([
      { tenant: 'a', batch: { metrics: [point(1)] } },
      { tenant: 'b', batch: { metrics: [point(2)] } },
      { tenant: 'a', batch: { metrics: [point(3)] } },
    ]);
    const read = s.metricPoints('a', { name: 'cpu', limit: 10 });
    const closed = s.close();
    expect(await written).toEqual({ repeatedSpans: 0 });
    expect((await read).map((p) => p.value)).toEqual([1, 3]);
    await closed;
  });
});
