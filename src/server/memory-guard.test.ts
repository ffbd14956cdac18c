import { describe, expect, it } from 'vitest';
import { MemoryGuard } from './memory-guard.js';

const MB = 1024 * 1024;

describe('MemoryGuard', () => {
  it('refuses while the resident set is over the limit or the heap over its share, and lets work in again below', () => {
    let reading = { rss: 300 * MB, heapUsed: 100 * MB };
    let t = 0;
    const g = new MemoryGuard(
      600,
      256,
      () => reading,
      () => t,
    );
    expect(g.heapBytes).toBe(244 * MB);
    expect(g.check()).toBeUndefined();
    reading = { rss: 650 * MB, heapUsed: 100 * MB };
    // the reading is at most 20 ms old
    expect(g.check()).toBeUndefined();
    t += 20;
    expect(g.check()).toBe('the server uses 650 MB (--memory-limit-mb 600); retry after 1 s');
    reading = { rss: 500 * MB, heapUsed: 250 * MB };
    t += 20;
    expect(g.check()).toBe(
      "the server's JS heap holds 250 MB, its share of --memory-limit-mb 600 is 244 MB; retry after 1 s",
    );
    reading = { rss: 590 * MB, heapUsed: 200 * MB };
    t += 20;
    expect(g.check()).toBeUndefined();
    expect(g.refused).toBe(2);
  });

  it('leaves the heap 64 MB at least, however small the limit', () => {
    expect(new MemoryGuard(200, 256, () => ({ rss: 0, heapUsed: 0 })).heapBytes).toBe(64 * MB);
  });

  it('past 85% of a bound collects the heap first (at most once a second) and judges on the reading after', () => {
    let reading = { rss: 520 * MB, heapUsed: 150 * MB };
    let t = 0;
    let collections = 0;
    const g = new MemoryGuard(
      600,
      256,
      () => reading,
      () => t,
      () => {
        collections++;
        reading = { rss: 400 * MB, heapUsed: 60 * MB };
      },
    );
    // 520 MB > 85% of 600: collected, then 400 MB: taken
    expect(g.check()).toBeUndefined();
    expect(collections).toBe(1);
    // over again within the second: no collection, refused on the reading
    reading = { rss: 610 * MB, heapUsed: 100 * MB };
    t += 500;
    expect(g.check()).toMatch(/^the server uses 610 MB/);
    expect(collections).toBe(1);
    t += 600;
    expect(g.check()).toBeUndefined();
    expect(g.collections).toBe(2);
  });

  it('counts what an incoming request will take: a large one collects first, and is refused if it would pass the limit', () => {
    let reading = { rss: 300 * MB, heapUsed: 100 * MB };
    let t = 0;
    let collections = 0;
    const g = new MemoryGuard(
      600,
      128,
      () => reading,
      () => t,
      () => {
        collections++;
        reading = { rss: 250 * MB, heapUsed: 40 * MB };
      },
    );
    // a small request: 300 MB is under 85% of 600, nothing to do
    expect(g.check(1 * MB)).toBeUndefined();
    expect(collections).toBe(0);
    // one expected to take 300 MB: 300 + 300 passes 85%, so the heap is collected first, and
    // 250 + 300 is under the limit: taken
    t += 20;
    expect(g.check(300 * MB)).toBeUndefined();
    expect(collections).toBe(1);
    // within the second, the same reading: one expected to take 400 MB would pass the limit
    t += 20;
    expect(g.check(400 * MB)).toBe(
      'the server uses 250 MB and this request would take about 400 MB more (--memory-limit-mb 600); retry after 1 s',
    );
    // the reading is cached, the answer is not: a small one is still taken
    expect(g.check(1 * MB)).toBeUndefined();
  });
});
