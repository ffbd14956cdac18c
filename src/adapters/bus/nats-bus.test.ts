import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats } from '../../../test/helpers/nats.js';
import type { NatsCluster } from '../../../test/helpers/nats.js';
import type { BusDelivery, IngestBusPort } from '../../core/ports/ingest-bus.port.js';
import { PARTITIONS, openNatsBus, partitionOf } from './nats-bus.js';

let nats: NatsCluster | undefined;
beforeAll(async () => {
  nats = await startNats(1);
}, 60_000);
afterAll(() => nats?.stop());

const request = (tenant: string, i: number) => ({
  tenant,
  signal: 'logs',
  contentType: 'application/json',
  id: `${tenant}-${i}`,
  body: new TextEncoder().encode(`{"n":${i}}`),
});
const until = async (ok: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
};

describe('the NATS JetStream ingest bus', () => {
  it("hands each tenant's requests to one worker, in order, once; two workers share the partitions; a stopped worker's partitions are taken over", async () => {
    const bus: IngestBusPort = await openNatsBus({
      url: nats!.url,
      leaseMs: 1_500,
      ackWaitMs: 2_000,
    });
    const got: { worker: string; d: BusDelivery }[] = [];
    const handler = (id: string) => ({
      id,
      handle: (d: BusDelivery) => {
        got.push({ worker: id, d });
        return Promise.resolve('done' as const);
      },
    });
    const a = bus.work(handler('a'));
    const b = bus.work(handler('b'));
    await until(
      () =>
        a.owned().length + b.owned().length === PARTITIONS && a.owned().length === PARTITIONS / 2,
    );
    expect(a.owned().length + b.owned().length).toBe(PARTITIONS);
    expect(a.owned().filter((p) => b.owned().includes(p))).toEqual([]);
    const tenants = ['shop', 'bank', 'games', 'news', 'mail', 'maps'];
    for (let i = 0; i < 20; i++) for (const t of tenants) await bus.publish(request(t, i));
    // an exporter's retry: the same id again is kept once
    await bus.publish(request('shop', 3));
    await until(() => got.length >= 120);
    expect(got).toHaveLength(120);
    for (const t of tenants) {
      const mine = got.filter((g) => g.d.tenant === t);
      expect(new Set(mine.map((g) => g.worker)).size).toBe(1);
      expect(mine.map((g) => new TextDecoder().decode(g.d.body))).toEqual(
        Array.from({ length: 20 }, (_, i) => `{"n":${i}}`),
      );
      expect(new Set(mine.map((g) => g.d.partition))).toEqual(new Set([partitionOf(t)]));
    }
    expect(new Set(got.map((g) => g.d.key)).size).toBe(120);
    // a stops; b takes everything over and reads on
    await a.stop();
    await until(() => b.owned().length === PARTITIONS);
    expect(b.owned()).toHaveLength(PARTITIONS);
    for (const t of tenants) await bus.publish(request(t, 99));
    await until(() => got.length >= 126);
    expect(got.slice(120).every((g) => g.worker === 'b')).toBe(true);
    await b.stop();
    await bus.close();
  });

  it('a request the worker could not write now comes again; one it can never write is dropped', async () => {
    const bus = await openNatsBus({ url: nats!.url, leaseMs: 1_500, ackWaitMs: 2_000 });
    const seen: string[] = [];
    let failures = 1;
    const w = bus.work({
      id: 'c',
      handle: (d) => {
        const text = new TextDecoder().decode(d.body);
        seen.push(text);
        if (text.includes('bad')) return Promise.resolve('drop' as const);
        if (failures-- > 0) return Promise.resolve('retry' as const);
        return Promise.resolve('done' as const);
      },
    });
    await bus.publish({ ...request('retry-tenant', 1), id: 'r1' });
    await bus.publish({
      ...request('retry-tenant', 2),
      id: 'r2',
      body: new TextEncoder().encode('bad'),
    });
    await until(() => seen.filter((s) => s === '{"n":1}').length >= 2 && seen.includes('bad'));
    expect(seen.filter((s) => s === '{"n":1}')).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(seen.filter((s) => s === 'bad')).toHaveLength(1);
    await w.stop();
    await bus.close();
  });

  it('a bus that cannot be reached is said plainly', async () => {
    await expect(openNatsBus({ url: 'nats://127.0.0.1:1' })).rejects.toMatchObject({
      code: 'STORE.UNAVAILABLE',
      message: expect.stringMatching(
        /^cannot reach the NATS bus at nats:\/\/127\.0\.0\.1:1: /,
      ) as unknown,
    });
  });
});
