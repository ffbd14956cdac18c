import { describe, expect, it } from 'vitest';
import { IngestQueue } from './ingest-queue.js';

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
});
