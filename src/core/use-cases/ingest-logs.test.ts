import { describe, expect, it } from 'vitest';
import { createMemoryTelemetryStore } from '../../adapters/store/memory/memory-telemetry-store.js';
import type { ReceivedLog } from '../domain/stored-log.js';
import { LogIngest } from './ingest-logs.js';

const rec = (i: number, body: string, over: Partial<ReceivedLog> = {}): ReceivedLog => ({
  timeMs: 1_767_225_600_000 + i,
  severity: 9,
  severityText: 'INFO',
  body,
  resource: { service: 'api' },
  attributes: '{}',
  traceId: '',
  spanId: '',
  ...over,
});

describe('LogIngest', () => {
  it('stores each record with the template the log engine gives it, per tenant', async () => {
    const store = createMemoryTelemetryStore();
    let n = 0;
    const ingest = new LogIngest({ store, newId: () => `id${String(n++).padStart(6, '0')}` });
    const r = await ingest.ingest('t', [
      rec(0, 'user 1042 logged in from 10.0.0.7'),
      rec(1, 'user 77 logged in from 10.0.0.9'),
      rec(2, 'payment failed\n  at Charge.run (charge.js:10)', { severity: 17 }),
    ]);
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

  it("a record sent without a level (severity 0: a line collected raw) takes its own line's: JSON, logfmt or a header; the body is kept whole", async () => {
    const store = createMemoryTelemetryStore();
    let n = 0;
    const ingest = new LogIngest({ store, newId: () => `id${String(n++).padStart(6, '0')}` });
    const raw = (i: number, body: string) => rec(i, body, { severity: 0, severityText: '' });
    await ingest.ingest('t', [
      raw(0, '{"level":"error","msg":"charge 1001 failed","order":"o-1"}'),
      raw(1, '{"severity":"ERROR","message":"charge 1002 failed","order":"o-2"}'),
      raw(2, 'time=2026-01-01T10:00:00Z level=warn msg="disk 91% full" path=/var'),
      raw(3, '2026-01-01 10:00:03.120 WARN [main] c.s.Pool : pool 7 of 8 busy'),
      raw(4, '16:42:22.382 ERROR t.s.TravelServiceImpl#532 no route'),
      raw(5, '{"level":30,"msg":"served"}'),
      // no level anywhere: left as sent, templated whole
      raw(6, 'just words'),
      raw(7, '{"msg":"no level here"}'),
      raw(8, '{broken json "level":"error"'),
    ]);
    const page = await store.logs('t', { limit: 20 });
    const byId = new Map(page.items.map((l) => [Number(l.id.slice(2)), l]));
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => byId.get(i)!.severity)).toEqual([
      17, 17, 13, 13, 17, 9, 0, 0, 0,
    ]);
    expect(byId.get(0)!.severityText).toBe('error');
    // the message is templated (the two JSON records are one template), the body kept as sent
    expect(byId.get(1)!.template).toBe('charge <*> failed');
    expect(byId.get(0)!.templateId).toBe(byId.get(1)!.templateId);
    expect(byId.get(1)!.body).toBe(
      '{"severity":"ERROR","message":"charge 1002 failed","order":"o-2"}',
    );
    expect(byId.get(4)!.template).toBe('t.s.TravelServiceImpl#532 no route');
    expect(byId.get(6)!.template).toBe('just words');
    expect(byId.get(8)!.body).toBe('{broken json "level":"error"');
  });
});
