import { describe, expect, it } from 'vitest';
import { createMemoryTelemetryStore } from '../../adapters/store/memory/memory-telemetry-store.js';
import type { ReceivedLog } from '../domain/stored-log.js';
import { LogIngest } from './ingest-logs.js';

const rec = (i: number, body: string, over: Partial<ReceivedLog> = {}): ReceivedLog => ({ timeMs: 1_767_225_600_000 + i, severity: 9, severityText: 'INFO', body, resource: { service: 'api' }, attributes: '{}', traceId: '', spanId: '', ...over });

describe('LogIngest', () => {
  it('stores each record with the template the log engine gives it, per tenant', async () => {
    const store = createMemoryTelemetryStore();
    let n = 0;
    const ingest = new LogIngest({ store, newId: () => `id${String(n++).padStart(6, '0')}` });
    const r = await ingest.ingest('t', [rec(0, 'user 1042 logged in from 10.0.0.7'), rec(1, 'user 77 logged in from 10.0.0.9'), rec(2, 'payment failed\n  at Charge.run (charge.js:10)', { severity: 17 })]);
    expect(r.stored).toBe(3);
    const page = await store.logs('t', { limit: 10 });
    expect(page.items.map((l) => [l.id, l.template, l.params])).toEqual([
      ['id000002', 'payment failed', []],
      ['id000001', 'user <*> logged in from <*>', ['77', '10.0.0.9']],
      ['id000000', 'user <*> logged in from <*>', ['1042', '10.0.0.7']],
    ]);
    expect(page.items[0]!.body).toBe('payment failed\n  at Charge.run (charge.js:10)');
    expect((await store.logs('other', { limit: 10 })).items).toEqual([]);
  });
});
