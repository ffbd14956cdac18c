import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTelemetryStoreContract } from '../../../../test/contracts/telemetry-store.contract.js';
import { createDuckDbTelemetryStore, lookUpRanges, openDuckDb } from './duckdb-telemetry-store.js';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'bifrost-duckdb-')), 'store', 'bifrost.duckdb');

runTelemetryStoreContract('duckdb file', () => createDuckDbTelemetryStore({ path: fresh() }));

describe('lookUpRanges (where spans sent again are looked for)', () => {
  const H = 3_600_000;
  it('one range for spans close in time; a range per run where they lie hours apart; never more than 8', () => {
    expect(lookUpRanges([])).toEqual([]);
    expect(lookUpRanges([5, 1, 3, 3])).toEqual([[1, 5]]);
    expect(lookUpRanges([0, 10, 2 * H, 2 * H + 5, 30 * H])).toEqual([
      [0, 10],
      [2 * H, 2 * H + 5],
      [30 * H, 30 * H],
    ]);
    // a hostile spread (a span a day for 100 days): cut at the 7 widest gaps, the rest kept together
    const days = Array.from({ length: 100 }, (_, i) => i * 24 * H + (i === 50 ? 12 * H : 0));
    const ranges = lookUpRanges(days);
    expect(ranges).toHaveLength(8);
    expect(ranges[0]![0]).toBe(0);
    expect(ranges.at(-1)![1]).toBe(99 * 24 * H);
    expect(ranges.flat()).toEqual([...ranges.flat()].sort((a, b) => a - b));
  });
});

describe('DuckDB store', () => {
  it("its own memory is bounded when asked (DuckDB alone takes up to 80% of the machine's RAM)", async () => {
    const h = await openDuckDb(fresh(), { memoryLimitMb: 256 });
    const rows = (await h.conn.runAndReadAll("SELECT current_setting('memory_limit')")).getRows();
    expect(rows[0]![0]).toBe('244.1 MiB');
    await h.close();
  });

  it("a value a column cannot hold is the request's fault (STORE.REJECTED: not retried), and the store goes on", async () => {
    const store = await createDuckDbTelemetryStore({ path: fresh() });
    const span = {
      traceId: 'c'.repeat(32),
      spanId: '1'.padStart(16, '0'),
      parentSpanId: '',
      name: 'GET /',
      kind: 3_000_000_000,
      startMs: 1000,
      endMs: 1010,
      statusCode: 0,
      statusMessage: '',
      resource: {},
      attributes: '{}',
    };
    await expect(
      store.appendMany([{ tenant: 't', batch: { spans: [span] } }]),
    ).rejects.toMatchObject({
      code: 'STORE.REJECTED',
      message: expect.stringMatching(/^the store cannot hold a value of this request: /) as unknown,
    });
    await store.append('t', { spans: [{ ...span, kind: 2 }] });
    expect(await store.spans('t', { limit: 5 })).toHaveLength(1);
    await store.close();
  });

  it('keeps what was committed across a reopen', async () => {
    const path = fresh();
    const a = await createDuckDbTelemetryStore({ path });
    await a.append('t', {
      metrics: [
        { timeMs: 1, name: 'x', kind: 'sum', value: 5, labels: '{}', resource: { host: 'h' } },
      ],
      findings: [],
    });
    await a.close();
    const b = await createDuckDbTelemetryStore({ path });
    expect(await b.metricPoints('t', { name: 'x', limit: 5 })).toEqual([
      { timeMs: 1, name: 'x', kind: 'sum', value: 5, labels: '{}', resource: { host: 'h' } },
    ]);
    await b.close();
  });

  it('a span sent again is left out after a reopen and after retention; one never stored is kept', async () => {
    const path = fresh();
    const t0 = Date.UTC(2026, 0, 1, 10);
    const sp = (id: number, startMs: number) => ({
      traceId: 'b'.repeat(32),
      spanId: id.toString(16).padStart(16, '0'),
      parentSpanId: '',
      name: 'GET /',
      kind: 2,
      startMs,
      endMs: startMs + 5,
      statusCode: 0,
      statusMessage: '',
      resource: { service: 'api' },
      attributes: '{}',
    });
    const a = await createDuckDbTelemetryStore({ path });
    expect(await a.append('t', { spans: [sp(1, t0), sp(2, t0 + 60_000)] })).toEqual({
      repeatedSpans: 0,
    });
    await a.close();
    // another process opens the file: what was stored before is looked up, later spans are fresh
    const b = await createDuckDbTelemetryStore({ path });
    expect(
      await b.append('t', { spans: [sp(2, t0 + 60_000), sp(3, t0 + 120_000), sp(1, t0)] }),
    ).toEqual({ repeatedSpans: 2 });
    expect(await b.append('t', { spans: [sp(3, t0 + 120_000), sp(4, t0 + 180_000)] })).toEqual({
      repeatedSpans: 1,
    });
    // retention deletes the first three minutes (span 3 among them, stored by this process): sent
    // again, it is stored again (what the process remembers of a span only sends it to the store to look)
    await b.deleteBefore(t0 + 150_000);
    expect(await b.append('t', { spans: [sp(3, t0 + 120_000), sp(4, t0 + 180_000)] })).toEqual({
      repeatedSpans: 1,
    });
    expect((await b.spans('t', { limit: 10 })).map((x) => x.spanId).sort()).toEqual(
      [3, 4].map((i) => sp(i, 0).spanId),
    );
    await b.close();
  });
});
