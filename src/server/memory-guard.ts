import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** What the guard reads: process.memoryUsage()'s two figures (injected in tests). */
export type MemoryReading = () => { rss: number; heapUsed: number };

/**
 * V8's full garbage collection, as the OpenTelemetry Collector's memory limiter calls Go's
 * runtime.GC(): exposed at run time (--expose-gc) and taken from a fresh context, so the flag
 * need not be on the command line. A collection also gives unused heap pages back.
 */
export function fullCollection(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const MB = 1024 * 1024;
/** Native memory beside the JS heap and the store's buffer pool: code, sockets, buffers (RSS − heap at idle, measured). */
const NATIVE_MB = 100;

/**
 * The server's memory limiter (as the OpenTelemetry Collector's memory_limiter): new ingest work
 * is refused (503 + Retry-After) while the process is over its budget, before a body is decoded,
 * so garbage collection catches up instead of the heap growing. Two bounds: the resident set
 * (`--memory-limit-mb`), and the JS heap in use, whose share of it is what is left after the
 * store's buffer pool (`--store-memory-mb`) and about 100 MB of native memory — a heap that fills
 * its share is refused before the resident set, which only shrinks slowly, reaches the limit.
 * What a request will take once decoded counts with the reading. Past 85% of either bound it first
 * collects the heap in full (at most once a second) and judges on the reading after: garbage is
 * not a reason to refuse, and a collection gives its pages back. Readings are at most 20 ms old.
 */
export class MemoryGuard {
  private last = -Infinity;
  private reading = { rss: 0, heapUsed: 0 };
  private collected = -Infinity;
  /** Full collections run to make room. */
  collections = 0;
  private refusal: string | undefined;
  /** Times work was refused since start. */
  refused = 0;
  readonly heapBytes: number;

  constructor(
    readonly limitMb: number,
    storeMb: number,
    private readonly read: MemoryReading = () => process.memoryUsage(),
    private readonly now: () => number = () => performance.now(),
    private readonly collect?: () => void,
  ) {
    this.heapBytes = Math.max(64, limitMb - storeMb - NATIVE_MB) * MB;
  }

  /**
   * Why new work that will take about `incoming` bytes is refused now, or undefined. What the
   * request will take counts: one that would carry the reading past 85% of a bound collects first,
   * and one that would carry it past a bound is refused.
   */
  check(incoming = 0): string | undefined {
    const t = this.now();
    if (t - this.last >= 20) {
      this.last = t;
      this.reading = this.read();
    }
    const limit = this.limitMb * MB;
    const over = (m: { rss: number; heapUsed: number }, share: number) =>
      m.rss + incoming > share * limit || m.heapUsed + incoming > share * this.heapBytes;
    if (this.collect !== undefined && t - this.collected >= 1000 && over(this.reading, 0.85)) {
      this.collected = t;
      this.collections++;
      this.collect();
      this.reading = this.read();
    }
    const m = this.reading;
    const more =
      incoming >= MB
        ? ` and this request would take about ${Math.round(incoming / MB)} MB more`
        : '';
    const refusal =
      m.rss + incoming > limit
        ? `the server uses ${Math.round(m.rss / MB)} MB${more} (--memory-limit-mb ${this.limitMb}); retry after 1 s`
        : m.heapUsed + incoming > this.heapBytes
          ? `the server's JS heap holds ${Math.round(m.heapUsed / MB)} MB${more}, its share of --memory-limit-mb ${this.limitMb} is ${Math.round(this.heapBytes / MB)} MB; retry after 1 s`
          : undefined;
    if (refusal !== undefined) this.refused++;
    return refusal;
  }
}
