import { describe, expect, it } from 'vitest';
import { DECODED_PER_BODY_BYTE, IngestQueue } from './ingest-queue.js';

describe('IngestQueue', () => {
  it('runs jobs one at a time in order, refuses beyond capacity, drains', async () => {
    const q = new IngestQueue(2);
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const a = q.offer(async () => {
      await gate;
      order.push('a');
      return 1;
    });
    const b = q.offer(() => {
      order.push('b');
      return Promise.resolve(2);
    });
    expect(q.full).toBe(true);
    expect(q.offer(() => Promise.resolve(3))).toBeUndefined();
    release();
    expect(await a).toBe(1);
    expect(await b).toBe(2);
    await q.drain();
    expect(order).toEqual(['a', 'b']);
    expect(q.depth).toBe(0);
  });

  it('a failing job does not stop the next one', async () => {
    const q = new IngestQueue(4);
    const bad = q.offer(() => Promise.reject(new Error('boom')));
    const good = q.offer(() => Promise.resolve('ok'));
    await expect(bad).rejects.toThrow('boom');
    expect(await good).toBe('ok');
  });

  it('holds at most so many bytes of requests not yet written: one request always fits, the rest wait for room', () => {
    const q = new IngestQueue(10, 1000);
    expect(q.reserve(600)).toBe(true);
    expect(q.reserve(600)).toBe(false);
    expect(q.reserve(400)).toBe(true);
    expect(q.bytes).toBe(1000);
    q.release(600);
    expect(q.reserve(500)).toBe(true);
    q.release(400);
    q.release(500);
    expect(q.bytes).toBe(0);
    // a request larger than the whole bound still gets in alone (the body limit bounds it)
    expect(q.reserve(5000)).toBe(true);
    expect(q.reserve(1)).toBe(false);
    q.release(5000);
  });

  it('admits a request before it is decoded only while there is room: a count, bytes, and a wait no longer than the bound', async () => {
    let t = 0;
    const q = new IngestQueue(3, 1000, 500, () => t);
    expect(q.admit(100)).toBeUndefined();
    q.release(100);
    // writes that took 800 ms from admission to written: new requests would wait as long
    for (let i = 0; i < 3; i++) {
      let done!: () => void;
      const write = new Promise<void>((r) => {
        done = r;
      });
      const job = q.offer(() => {
        q.track(write);
        return Promise.resolve();
      });
      await job;
      t += 800;
      done();
      await write;
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(q.waitMs).toBeGreaterThan(500);
    // nothing waiting: one always gets in (its own wait is measured afresh)
    expect(q.admit(100)).toBeUndefined();
    q.release(100);
    const busy = q.offer(() => new Promise<void>(() => undefined));
    expect(busy).toBeDefined();
    expect(q.admit(100)?.message).toMatch(
      /^a request now would wait \d+ ms before it is written \(--queue-wait-ms 500\); retry after 1 s$/,
    );
    // full by count and by bytes say so too
    const full = new IngestQueue(1, 1000, Infinity, () => 0);
    void full.offer(() => new Promise<void>(() => undefined));
    expect(full.admit(1)?.message).toMatch(/^the ingest queue is full \(1 requests waiting\)/);
    const heavy = new IngestQueue(10, 1000, Infinity, () => 0);
    expect(heavy.admit(900)).toBeUndefined();
    expect(heavy.admit(200)?.message).toMatch(
      /^the ingest queue holds 0 MB of requests not yet written/,
    );
    // asked before a body is read: the same answer, and nothing taken
    expect(heavy.refusal(200)?.reason).toBe('queue_full');
    expect(heavy.refusal(100)).toBeUndefined();
    expect(heavy.bytes).toBe(900);
    expect(full.refusal(0)?.reason).toBe('queue_full');
  });

  it('predicts the wait from the bytes ahead and the recent write rate (Little), and turns away a request that would wait too long', () => {
    let t = 0;
    const q = new IngestQueue(100, Infinity, 500, () => t);
    expect(q.predictedWaitMs(100)).toBeUndefined();
    // 100 bytes written every 10 ms while busy: 10 bytes a ms
    for (let i = 0; i < 8; i++) {
      q.reserve(100);
      t += 10;
      q.release(100);
    }
    // idle time is not counted against the rate
    t += 10_000;
    expect(q.predictedWaitMs(100)).toBeCloseTo(10, 5);
    // 4,000 bytes ahead: a request of 1,000 would wait 500 ms (at the bound), of 1,100 longer
    q.reserve(4000);
    expect(q.predictedWaitMs(1000)).toBeCloseTo(500, 5);
    expect(q.admit(900)).toBeUndefined();
    expect(q.admit(1200)?.reason).toBe('queue_wait');
    expect(q.admit(1200)?.message).toMatch(/^a request now would wait 6\d\d ms/);
  });

  it('takes no more while the memory limiter refuses, except into an empty queue', () => {
    let over: string | undefined =
      'the server uses 650 MB (--memory-limit-mb 600); retry after 1 s';
    const q = new IngestQueue(
      10,
      Infinity,
      Infinity,
      () => 0,
      () => over,
    );
    // empty: one request is always taken (its write frees memory)
    expect(q.admit(1)).toBeUndefined();
    void q.offer(() => new Promise<void>(() => undefined));
    expect(q.admit(1)).toEqual({ reason: 'memory_limit', message: over });
    over = undefined;
    expect(q.admit(1)).toBeUndefined();
  });

  it('asks the memory limiter even when empty, with what the request will take (so it may collect first); an empty queue refuses only within a second of its last write', () => {
    const asked: number[] = [];
    let t = 0;
    const over = 'the server uses 650 MB (--memory-limit-mb 600); retry after 1 s';
    const q = new IngestQueue(
      10,
      Infinity,
      Infinity,
      () => t,
      (incoming) => {
        asked.push(incoming);
        return over;
      },
    );
    // never written: taken
    expect(q.admit(1000)).toBeUndefined();
    expect(asked).toEqual([1000 * DECODED_PER_BODY_BYTE]);
    t = 5000;
    q.release(1000);
    // empty, but just written: its garbage may not be collected yet
    t = 5500;
    expect(q.admit(1000)).toEqual({ reason: 'memory_limit', message: over });
    // a second later the limiter has collected on its reading: taken
    t = 6000;
    expect(q.admit(1000)).toBeUndefined();
  });

  it('tells how many bytes a body may inflate to now: anything into an empty queue, else the room left', () => {
    const q = new IngestQueue(10, 1000);
    expect(q.room).toBe(Infinity);
    expect(q.admit(700)).toBeUndefined();
    expect(q.room).toBe(300);
    expect(q.admit(400)).toMatchObject({ reason: 'queue_full' });
    q.release(700);
    expect(q.room).toBe(Infinity);
  });
});
