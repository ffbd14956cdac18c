import { createHash } from 'node:crypto';
import { Lru } from '../core/domain/lru.js';

export interface RecentRequestsOptions {
  /** How long a stored request is remembered. */
  ttlMs: number;
  /** Requests remembered at most (the oldest are forgotten first). */
  capacity: number;
  now: () => number;
}

/**
 * The OTLP requests received lately, by a hash of their decompressed bytes, signal and tenant: an
 * exporter that sends a request again (its answer was lost, it timed out) gets the first one's
 * answer once that is stored, and nothing is stored twice. Byte-identical requests carry the
 * same records at the same times, so they are copies; log records and metric points have no id
 * of their own to tell a copy otherwise. A first that fails is forgotten, so the next copy is
 * stored. Held in memory: a copy that arrives after a restart is stored again.
 */
export class RecentRequests<T = unknown> {
  // first in, first out: `peek` reads without moving an entry, so the oldest expire first
  private readonly entries: Lru<string, { outcome: Promise<T>; expiresMs: number }>;

  constructor(private readonly options: RecentRequestsOptions) {
    this.entries = new Lru(options.capacity);
  }

  key(signal: string, tenant: string, raw: Buffer): string {
    return createHash('sha256')
      .update(`${signal}\u0000${tenant.length}:${tenant}\u0000`)
      .update(raw)
      .digest('base64');
  }

  /** The first one's outcome (settled or still being stored), if this request was seen lately. */
  seen(key: string): Promise<T> | undefined {
    this.expire();
    return this.entries.peek(key)?.outcome;
  }

  /** Remembers a request being stored; forgotten at once if storing it fails. */
  begin(key: string, outcome: Promise<T>): void {
    this.expire();
    this.entries.set(key, { outcome, expiresMs: this.options.now() + this.options.ttlMs });
    outcome.catch(() => {
      if (this.entries.peek(key)?.outcome === outcome) this.entries.delete(key);
    });
  }

  private expire(): void {
    const now = this.options.now();
    for (const [k, e] of this.entries.entries()) {
      if (e.expiresMs > now) break;
      this.entries.delete(k);
    }
  }
}
