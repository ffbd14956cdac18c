/**
 * A map bounded to `capacity` entries that forgets the least recently used beyond it (Map keeps
 * insertion order; `get` and `set` move an entry to the end). `peek` reads without touching, so
 * the same class serves as a first-in-first-out bound. Evictions are counted and reported.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  /** Entries forgotten for want of room (not those deleted). */
  evictions = 0;

  constructor(
    readonly capacity: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {
    if (!(capacity >= 1))
      throw new RangeError(`an LRU needs room for 1 entry at least, not ${capacity}`);
  }

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** The value, made the most recently used. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  /** The value, its recency unchanged. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  /** Stores the value as the most recently used, forgetting the least recently used beyond capacity. */
  set(key: K, value: V): this {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) {
      const [oldKey, oldValue] = this.map.entries().next().value as [K, V];
      this.map.delete(oldKey);
      this.evictions++;
      this.onEvict?.(oldKey, oldValue);
    }
    return this;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** Least recently used first. */
  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }
}
