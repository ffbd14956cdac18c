import { fnv1a32 } from '../../../core/domain/hash.js';

const MINUTE_MS = 60_000;

export interface RecentSpanKeysOptions {
  /** Keys held at most; past it the earliest minutes of start times are forgotten. */
  capacity: number;
}

/**
 * What the one process that writes a DuckDB file knows of the spans stored since it opened it,
 * so that a batch's fresh spans need no look-up in the store (spans sent again are rare; a query
 * per batch cost a fifth of span ingest). It holds a 30-bit hash of each span's key (tenant and
 * spanCopyKey) per minute of start time, and answers exactly for the start times it covers:
 * after the latest start stored before it began (`start`), and not in a minute it forgot
 * (capacity, retention). A span it covers whose hash it does not hold was never stored; any other
 * span (a hash it holds: a copy or a rare collision; a start time it does not cover) is looked up,
 * so only the store ever decides that a span is a copy.
 * Hashes (small integers, no strings) keep 500,000 spans in about 12 MB.
 */
export class RecentSpanKeys {
  private readonly minutes = new Map<number, Set<number>>();
  private storedThroughMs = Infinity;
  private forgottenThroughMinute = -Infinity;
  private count = 0;

  constructor(private readonly options: RecentSpanKeysOptions) {}

  /** Begins covering the start times after the latest stored (undefined: an empty store). */
  start(latestStoredStartMs: number | undefined): void {
    this.storedThroughMs = latestStoredStartMs ?? -Infinity;
  }

  get started(): boolean {
    return this.storedThroughMs !== Infinity;
  }

  /** Keys held. */
  get size(): number {
    return this.count;
  }

  /** Whether the store may hold this span (its spanCopyKey and start) already; else it surely does not. */
  mustLookUp(tenant: string, key: string, startMs: number): boolean {
    const minute = this.minuteCovering(startMs);
    if (minute === undefined) return true;
    return this.minutes.get(minute)?.has(keyHash(tenant, key)) === true;
  }

  /** After a commit: the spans it stored, by spanCopyKey. */
  remember(tenant: string, spans: ReadonlyMap<string, { startMs: number }>): void {
    for (const [key, sp] of spans) {
      const minute = this.minuteCovering(sp.startMs);
      if (minute === undefined) continue;
      let set = this.minutes.get(minute);
      if (set === undefined) this.minutes.set(minute, (set = new Set()));
      const before = set.size;
      set.add(keyHash(tenant, key));
      this.count += set.size - before;
    }
    if (this.count > this.options.capacity) this.forgetEarliest();
  }

  /** After retention deleted the spans that start before cutMs: their hashes are of no more use. */
  forgetBefore(cutMs: number): void {
    if (!Number.isFinite(cutMs)) return;
    this.forgetThrough(Math.floor(cutMs / MINUTE_MS));
  }

  private minuteCovering(startMs: number): number | undefined {
    if (!Number.isFinite(startMs) || !(startMs > this.storedThroughMs)) return undefined;
    const minute = Math.floor(startMs / MINUTE_MS);
    return minute > this.forgottenThroughMinute ? minute : undefined;
  }

  /** Down to three quarters of the capacity, earliest minutes first, a minute at a time. */
  private forgetEarliest(): void {
    const order = [...this.minutes.keys()].sort((a, b) => a - b);
    let kept = this.count;
    let through = this.forgottenThroughMinute;
    for (const m of order) {
      if (kept <= this.options.capacity * 0.75) break;
      kept -= this.minutes.get(m)!.size;
      through = m;
    }
    this.forgetThrough(through);
  }

  private forgetThrough(minute: number): void {
    if (minute <= this.forgottenThroughMinute) return;
    this.forgottenThroughMinute = minute;
    for (const [m, set] of this.minutes) {
      if (m > minute) continue;
      this.count -= set.size;
      this.minutes.delete(m);
    }
  }
}

/** The tenant and the span's key to 30 bits (a small integer V8 stores unboxed). */
function keyHash(tenant: string, key: string): number {
  return fnv1a32(key, fnv1a32('\u0000', fnv1a32(tenant))) & 0x3fffffff;
}
