import { describe, expect, it } from 'vitest';
import { IngestRate } from './ingest-rate.js';

describe('IngestRate: records and bytes per second per key, token buckets', () => {
  it('takes a steady flow under the rates, however many requests carry it', () => {
    let t = 0;
    const rate = new IngestRate(1000, 1_000_000, () => t);
    // 100 requests a second of 9 records and 9 KB each: 900 records/s, 0.9 MB/s
    for (let i = 0; i < 1000; i++) {
      t += 10;
      expect(rate.refusal('key:a', 9_000)).toBeUndefined();
      rate.charge('key:a', 9);
    }
  });

  it('past the records rate: the next request is refused until the debt is paid, with how long to wait', () => {
    let t = 0;
    const rate = new IngestRate(1000, Infinity, () => t);
    expect(rate.refusal('key:a', 0)).toBeUndefined();
    // one request of 3,500 records: taken (the bucket was not empty), and 1,500 owed past the 2 s burst
    rate.charge('key:a', 3500);
    const refused = rate.refusal('key:a', 0);
    expect(refused).toEqual({
      retryAfterS: 2,
      message:
        'this key sent more than 1,000 log records, spans or points a second (--ingest-records-per-s); retry after 2 s',
    });
    // another key is not held back by it
    expect(rate.refusal('key:b', 0)).toBeUndefined();
    t += 1000;
    expect(rate.refusal('key:a', 0)?.retryAfterS).toBe(1);
    t += 500;
    expect(rate.refusal('key:a', 0)).toBeUndefined();
  });

  it('past the bytes rate, by the length a request declares, before it is read', () => {
    let t = 0;
    const rate = new IngestRate(Infinity, 1024 * 1024, () => t);
    expect(rate.refusal('ip:10.0.0.1', 2.5 * 1024 * 1024)).toBeUndefined();
    expect(rate.refusal('ip:10.0.0.1', 1)?.message).toMatch(
      /^this key sent more than 1 MB a second \(--ingest-mb-per-s\); retry after 1 s$/,
    );
    t += 1000;
    expect(rate.refusal('ip:10.0.0.1', 1)).toBeUndefined();
  });

  it('keeps a bounded number of keys: an idle key forgotten starts full again', () => {
    const rate = new IngestRate(10, Infinity, () => 0, 2);
    rate.charge('a', 100);
    expect(rate.refusal('a', 0)).toBeDefined();
    rate.charge('b', 1);
    rate.charge('c', 1);
    expect(rate.refusal('a', 0)).toBeUndefined();
  });

  it('no limit at Infinity or 0 means no bucket at all', () => {
    const rate = new IngestRate(Infinity, Infinity);
    rate.charge('a', 1e12);
    expect(rate.refusal('a', 1e12)).toBeUndefined();
    expect(new IngestRate(0, 0).refusal('a', 1e12)).toBeUndefined();
  });
});
