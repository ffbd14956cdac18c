import { describe, expect, it } from 'vitest';
import { Lru } from './lru.js';

describe('Lru', () => {
  it('forgets the least recently used beyond its capacity, counts and reports it', () => {
    const gone: string[] = [];
    const lru = new Lru<string, number>(2, (k, v) => gone.push(`${k}=${v}`));
    lru.set('a', 1).set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the most recent
    lru.set('c', 3);
    expect([...lru.entries()]).toEqual([
      ['a', 1],
      ['c', 3],
    ]);
    expect(gone).toEqual(['b=2']);
    expect(lru.evictions).toBe(1);
    expect(lru.size).toBe(2);
  });

  it('peek leaves the order alone (a first-in-first-out bound)', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1).set('b', 2);
    expect(lru.peek('a')).toBe(1);
    lru.set('c', 3);
    expect(lru.has('a')).toBe(false);
    expect(lru.has('b')).toBe(true);
  });

  it('setting a key again replaces it without an eviction; delete is not one either', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1).set('a', 2).set('b', 3);
    expect(lru.evictions).toBe(0);
    expect(lru.delete('a')).toBe(true);
    expect(lru.evictions).toBe(0);
    expect([...lru.values()]).toEqual([3]);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new Lru(0)).toThrow(RangeError);
    expect(() => new Lru(Number.NaN)).toThrow(RangeError);
  });
});
