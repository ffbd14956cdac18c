import { Lru } from '../core/domain/lru.js';

/** Why a request is refused for its key's rate, and how long to wait (429 + Retry-After). */
export interface RateRefusal {
  retryAfterS: number;
  message: string;
}

/** Seconds of a rate a key may send at once (a collector's batch after a pause). */
const BURST_S = 2;

/** One key's tokens: records and bytes, refilled at their rates up to BURST_S seconds' worth. */
interface Buckets {
  records: number;
  bytes: number;
  at: number;
}

/**
 * Ingest limits that fit telemetry: records (log records, spans, metric points) and bytes a
 * second per key, as token buckets, instead of a count of requests shared with the REST API
 * (one collector batching 8,000 records a request would otherwise be held to the same request
 * count as a person's dashboard). Bytes are the length a request declares, taken before it is
 * read; records are charged once it is decoded, so a large request may leave its key in debt:
 * its next requests wait until the debt is paid. 0 or Infinity: no limit.
 */
export class IngestRate {
  private readonly keys: Lru<string, Buckets>;

  constructor(
    readonly recordsPerSecond: number,
    readonly bytesPerSecond: number,
    private readonly now: () => number = () => performance.now(),
    maxKeys = 10_000,
  ) {
    this.keys = new Lru(maxKeys);
  }

  private limited(rate: number): boolean {
    return rate > 0 && Number.isFinite(rate);
  }

  private buckets(key: string): Buckets {
    const t = this.now();
    let b = this.keys.get(key);
    if (b === undefined) {
      b = { records: this.recordsPerSecond * BURST_S, bytes: this.bytesPerSecond * BURST_S, at: t };
      this.keys.set(key, b);
      return b;
    }
    const dt = (t - b.at) / 1000;
    b.records = Math.min(this.recordsPerSecond * BURST_S, b.records + dt * this.recordsPerSecond);
    b.bytes = Math.min(this.bytesPerSecond * BURST_S, b.bytes + dt * this.bytesPerSecond);
    b.at = t;
    return b;
  }

  /**
   * Before a request of `declaredBytes` is read: refused while its key owes records or bytes;
   * otherwise its bytes are taken.
   */
  refusal(key: string, declaredBytes: number): RateRefusal | undefined {
    const records = this.limited(this.recordsPerSecond);
    const bytes = this.limited(this.bytesPerSecond);
    if (!records && !bytes) return undefined;
    const b = this.buckets(key);
    if (records && b.records < 0)
      return this.refused(
        -b.records / this.recordsPerSecond,
        `${this.recordsPerSecond.toLocaleString('en-US')} log records, spans or points a second (--ingest-records-per-s)`,
      );
    if (bytes && b.bytes < 0)
      return this.refused(
        -b.bytes / this.bytesPerSecond,
        `${formatMb(this.bytesPerSecond)} MB a second (--ingest-mb-per-s)`,
      );
    if (bytes) b.bytes -= declaredBytes;
    return undefined;
  }

  /** Once a request is decoded: its records, taken from its key's bucket (debt allowed). */
  charge(key: string, records: number): void {
    if (!this.limited(this.recordsPerSecond) || records <= 0) return;
    this.buckets(key).records -= records;
  }

  private refused(waitS: number, what: string): RateRefusal {
    const retryAfterS = Math.max(1, Math.ceil(waitS));
    return {
      retryAfterS,
      message: `this key sent more than ${what}; retry after ${retryAfterS} s`,
    };
  }
}

function formatMb(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return Number.isInteger(mb) ? String(mb) : mb.toFixed(1);
}
