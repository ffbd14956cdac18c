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
});
