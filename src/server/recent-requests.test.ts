import { describe, expect, it } from 'vitest';
import { RecentRequests } from './recent-requests.js';

const body = (s: string) => Buffer.from(s);

describe('RecentRequests (an OTLP request sent again is answered once stored, not stored twice)', () => {
  it('the same bytes of the same signal and tenant are one request; any other is another', () => {
    const r = new RecentRequests({ ttlMs: 60_000, capacity: 10, now: () => 0 });
    const k = r.key('logs', 't', body('abc'));
    expect(r.key('logs', 't', body('abc'))).toBe(k);
    expect(r.key('logs', 'u', body('abc'))).not.toBe(k);
    expect(r.key('traces', 't', body('abc'))).not.toBe(k);
    expect(r.key('logs', 't', body('abd'))).not.toBe(k);
    // the parts cannot run into each other
    expect(r.key('logs', 'tl', body('x'))).not.toBe(r.key('logs', 't', body('lx')));
  });

  it('a copy waits for the first and answers as it did; a first that failed is forgotten, so the next copy is stored', async () => {
    const r = new RecentRequests<number>({ ttlMs: 60_000, capacity: 10, now: () => 0 });
    let ok!: (v: number) => void;
    r.begin(
      'a',
      new Promise<number>((res) => {
        ok = res;
      }),
    );
    const copy = r.seen('a');
    expect(copy).toBeDefined();
    ok(3);
    expect(await copy).toBe(3);
    expect(await r.seen('a')).toBe(3);

    let fail!: (e: Error) => void;
    r.begin(
      'b',
      new Promise<number>((_res, rej) => {
        fail = rej;
      }),
    );
    const waiting = r.seen('b')!;
    fail(new Error('store down'));
    await expect(waiting).rejects.toThrow('store down');
    await Promise.resolve();
    expect(r.seen('b')).toBeUndefined();
  });

  it('forgets requests after ttlMs and beyond capacity (oldest first); a failed first raises no unhandled rejection', async () => {
    let now = 0;
    const r = new RecentRequests<number>({ ttlMs: 1000, capacity: 2, now: () => now });
    r.begin('a', Promise.resolve(1));
    now = 500;
    r.begin('b', Promise.resolve(2));
    now = 900;
    r.begin('c', Promise.resolve(3));
    expect(r.seen('a')).toBeUndefined();
    expect(r.seen('b')).toBeDefined();
    now = 1600;
    expect(r.seen('b')).toBeUndefined();
    expect(r.seen('c')).toBeDefined();
    r.begin('d', Promise.reject(new Error('nobody waits')));
    await new Promise((res) => setTimeout(res, 5));
    expect(r.seen('d')).toBeUndefined();
  });
});
