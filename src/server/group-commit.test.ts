import { describe, expect, it } from 'vitest';
import { createMemoryTelemetryStore } from '../adapters/store/memory/memory-telemetry-store.js';
import type { TelemetryBatch, TelemetryStorePort } from '../core/ports/telemetry-store.port.js';
import { GroupCommit } from './group-commit.js';

const batch = (v: number): TelemetryBatch => ({
  metrics: [{ timeMs: v, name: 'm', kind: 'gauge', value: v, labels: '{}', resource: {} }],
});

describe('GroupCommit', () => {
  it('writes what queued up during a transaction in one next transaction, in order, and settles each caller after its commit', async () => {
    const inner = createMemoryTelemetryStore();
    const calls: number[][] = [];
    let release!: () => void;
    let gate = new Promise<void>((r) => {
      release = r;
    });
    const store: TelemetryStorePort = {
      ...inner,
      appendMany: async (e) => {
        calls.push(e.map((x) => x.batch.metrics![0]!.value));
        await gate;
        return inner.appendMany(e);
      },
    };
    const g = new GroupCommit(store);
    const settled: number[] = [];
    const first = g.commit('t', batch(1)).then(() => settled.push(1));
    const rest = [2, 3, 4].map((v) => g.commit('t', batch(v)).then(() => settled.push(v)));
    await new Promise((r) => setTimeout(r, 5));
    expect(calls).toEqual([[1]]);
    expect(settled).toEqual([]);
    const r1 = release;
    gate = Promise.resolve();
    r1();
    await first;
    await Promise.all(rest);
    expect(calls).toEqual([[1], [2, 3, 4]]);
    expect(settled).toEqual([1, 2, 3, 4]);
    expect((await inner.metricPoints('t', { name: 'm', limit: 10 })).map((p) => p.value)).toEqual([
      1, 2, 3, 4,
    ]);
    await g.drain();
  });

  it('reports what each transaction left out (spans sent again)', async () => {
    const written: number[] = [];
    const g = new GroupCommit(createMemoryTelemetryStore(), (r) => written.push(r.repeatedSpans));
    const span = {
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      parentSpanId: '',
      name: 'GET /',
      kind: 2,
      startMs: 1000,
      endMs: 1010,
      statusCode: 0,
      statusMessage: '',
      resource: {},
      attributes: '{}',
    };
    await g.commit('t', { spans: [span] });
    await g.commit('t', { spans: [span] });
    expect(written).toEqual([0, 1]);
  });

  it('a failed transaction rejects every caller in it, and the next group still runs', async () => {
    const inner = createMemoryTelemetryStore();
    let fail = true;
    const store: TelemetryStorePort = {
      ...inner,
      appendMany: (e) => (fail ? Promise.reject(new Error('disk full')) : inner.appendMany(e)),
    };
    const g = new GroupCommit(store);
    await expect(g.commit('t', batch(1))).rejects.toThrow('disk full');
    fail = false;
    await g.commit('t', batch(2));
    expect((await inner.metricPoints('t', { name: 'm', limit: 10 })).map((p) => p.value)).toEqual([
      2,
    ]);
  });

  it("one caller's bad batch fails only that caller: a failed group is written again one batch at a time", async () => {
    const inner = createMemoryTelemetryStore();
    const calls: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const store: TelemetryStorePort = {
      ...inner,
      appendMany: async (e) => {
        const values = e.map((x) => x.batch.metrics![0]!.value);
        calls.push(values);
        if (values[0] === 1) await gate;
        // a value the store cannot hold fails the whole transaction, as DuckDB's does
        if (values.includes(-1)) throw new Error('number out of int32 range');
        return inner.appendMany(e);
      },
    };
    const g = new GroupCommit(store);
    const first = g.commit('t', batch(1));
    const outcomes = [2, -1, 3].map((v) =>
      g.commit('t', batch(v)).then(
        () => 'ok',
        (e: unknown) => (e as Error).message,
      ),
    );
    await new Promise((r) => setTimeout(r, 5));
    release();
    await first;
    expect(await Promise.all(outcomes)).toEqual(['ok', 'number out of int32 range', 'ok']);
    expect(calls).toEqual([[1], [2, -1, 3], [2], [-1], [3]]);
    expect((await inner.metricPoints('t', { name: 'm', limit: 10 })).map((p) => p.value)).toEqual([
      1, 2, 3,
    ]);
  });
});
