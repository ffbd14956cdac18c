/**
 * Runs ingest jobs one at a time, in arrival order (detector state is per series and ordered),
 * with bounds on what may be waiting or not yet written (see `track`): how many requests, their
 * bytes, and how long they wait. A full queue is backpressure (the caller answers 503 with
 * Retry-After before it decodes the body), never an unbounded buffer or an unbounded wait.
 */
/**
 * What a body takes once decoded, per byte of it, for the memory limiter: an OTLP/JSON body's
 * records take about 25 times its size while they are decoded and stored (protobuf less).
 */
export const DECODED_PER_BODY_BYTE = 25;

/**
 * How long after its last write an empty queue still refuses work the memory limiter refuses:
 * the limiter collects at most once a second, so by then it has judged on a collected heap.
 */
const SETTLE_MS = 1000;

/** Why a request was turned away (the reason is the rejections counter's label). */
export interface Refusal {
  reason: 'queue_full' | 'queue_wait' | 'memory_limit';
  message: string;
}

export class IngestQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private readonly writes = new Set<Promise<void>>();
  private held = 0;
  /** When the job running now was taken (its write's wait is measured from then). */
  private runningSince = 0;
  private wait: number | undefined;
  /** When a request's room was last given back (-Infinity before any). */
  private releasedAt = -Infinity;
  /** Time work was held, in ms, accumulated; and when `held` last changed. */
  private busyMs = 0;
  private changedAt = 0;
  /** The last releases: the busy time when each came and its bytes (the write rate). */
  private readonly drained: { busyMs: number; bytes: number }[] = [];

  /**
   * capacity: requests waiting or not yet written; byteCapacity: their bodies' bytes; maxWaitMs:
   * how long a request may wait from admission to written (the recent writes' wait, a moving
   * average) before new ones are turned away.
   */
  constructor(
    readonly capacity: number,
    readonly byteCapacity = Infinity,
    readonly maxWaitMs = Infinity,
    private readonly now: () => number = () => performance.now(),
    /**
     * Why the process has no memory now for work that will take `incoming` bytes (the memory
     * limiter, which may collect the heap first), or undefined.
     */
    private readonly memory: (incoming: number) => string | undefined = () => undefined,
  ) {}

  /** The recent wait from admission to written, in ms (a moving average; 0 before any). */
  get waitMs(): number {
    return this.wait ?? 0;
  }

  /**
   * How long a request of `bytes` admitted now would wait until written, in ms: the bytes ahead
   * of it and its own, over the rate at which bytes were written lately while there was work
   * (Little's law); undefined before a few writes were measured.
   */
  predictedWaitMs(bytes: number): number | undefined {
    const n = this.drained.length;
    if (n < 4) return undefined;
    const busy = this.busyNow() - this.drained[0]!.busyMs;
    if (busy <= 0) return undefined;
    let written = 0;
    for (let i = 1; i < n; i++) written += this.drained[i]!.bytes;
    return ((this.held + bytes) * busy) / written;
  }

  /** Time the queue held work, in ms, up to now. */
  private busyNow(): number {
    return this.held > 0 ? this.busyMs + (this.now() - this.changedAt) : this.busyMs;
  }

  /** Accounts the time since the last change of `held` as busy when work was held. */
  private account(): void {
    const t = this.now();
    if (this.held > 0) this.busyMs += t - this.changedAt;
    this.changedAt = t;
  }

  /**
   * Admission, before a body is decoded: takes room for its bytes (give them back with
   * `release`), or says why there is none (answer 503 with Retry-After). Something always gets
   * into an empty queue.
   */
  admit(bytes: number): Refusal | undefined {
    const refused = this.refusal(bytes);
    // refusal checked the room reserve needs: it takes it
    if (refused === undefined) this.reserve(bytes);
    return refused;
  }

  /**
   * Why a request of `bytes` would be turned away now, taking nothing: asked before its body is
   * read (with the length it declares, at most what it inflates to), so that shed load costs no
   * reading, inflating or hashing. A refusal for fewer bytes holds for more.
   */
  refusal(bytes: number): Refusal | undefined {
    if (this.full)
      return {
        reason: 'queue_full',
        message: `the ingest queue is full (${this.capacity} requests waiting); retry after 1 s`,
      };
    // over its memory budget the server takes no more until the heap is collected; the limiter is
    // asked even when the queue is empty (a large request makes it collect first). An empty queue
    // that has had no write for a second takes one anyway: the limiter collected on its reading,
    // and what is left is not garbage a wait would free (work that is written frees memory)
    const memory = this.memory(bytes * DECODED_PER_BODY_BYTE);
    if (memory !== undefined && (this.waiting > 0 || this.now() - this.releasedAt < SETTLE_MS))
      return { reason: 'memory_limit', message: memory };
    // a request that would wait longer than the bound is turned away now, not acknowledged late:
    // the wait predicted from the bytes ahead and the recent write rate, and the recent waits
    const predicted = this.held > 0 ? this.predictedWaitMs(bytes) : undefined;
    const wait = Math.max(predicted ?? 0, this.waiting > 0 ? this.waitMs : 0);
    if (wait > this.maxWaitMs)
      return {
        reason: 'queue_wait',
        message: `a request now would wait ${Math.round(wait)} ms before it is written (--queue-wait-ms ${this.maxWaitMs}); retry after 1 s`,
      };
    if (this.held > 0 && this.held + bytes > this.byteCapacity)
      return {
        reason: 'queue_full',
        message: `the ingest queue holds ${mb(this.held)} MB of requests not yet written (--queue-mb ${mb(this.byteCapacity)}); retry after 1 s`,
      };
    return undefined;
  }

  /**
   * How many bytes a body may take now (decompressed): all it wants in an empty queue, else what
   * is left of the byte bound. A gzip body is inflated no further than this, so bodies that will
   * be refused for room never take their full size in memory.
   */
  get room(): number {
    return this.held > 0 ? Math.max(0, this.byteCapacity - this.held) : Infinity;
  }

  /** Bytes of request bodies taken and not yet written (reserved, not yet released). */
  get bytes(): number {
    return this.held;
  }

  /**
   * Takes room for a body of `bytes` before it is decoded (its records live until written), or
   * says there is none (false: answer 503 with Retry-After). One request always fits an empty
   * queue, however large (the body limit bounds it). Give the bytes back with `release`.
   */
  reserve(bytes: number): boolean {
    if (this.held > 0 && this.held + bytes > this.byteCapacity) return false;
    this.account();
    this.held += bytes;
    return true;
  }

  /** Gives back a request's room once it is written (or refused): its bytes count as drained. */
  release(bytes: number): void {
    this.account();
    this.releasedAt = this.now();
    this.held = Math.max(0, this.held - bytes);
    this.drained.push({ busyMs: this.busyMs, bytes });
    if (this.drained.length > 32) this.drained.shift();
  }

  get depth(): number {
    return this.waiting;
  }

  get full(): boolean {
    return this.waiting >= this.capacity;
  }

  /** undefined when full: the job was not taken. */
  offer<T>(job: () => Promise<T>): Promise<T> | undefined {
    if (this.full) return undefined;
    this.waiting++;
    const at = this.now();
    const start = () => {
      this.runningSince = at;
      return job();
    };
    const run = this.tail.then(start, start);
    const done = run.finally(() => {
      this.waiting--;
    });
    this.tail = done.catch(() => undefined);
    return run;
  }

  /** Counts a job's write, still under way after the job itself finished, until it settles. */
  track(write: Promise<unknown>): void {
    this.waiting++;
    const since = this.runningSince;
    const settled = write
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.waiting--;
        this.writes.delete(settled);
        const w = this.now() - since;
        this.wait = this.wait === undefined ? w : 0.8 * this.wait + 0.2 * w;
      });
    this.writes.add(settled);
  }

  /** Resolves when every job taken so far, and every tracked write, has finished. */
  async drain(): Promise<void> {
    await this.tail;
    await Promise.all([...this.writes]);
  }
}

const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '');
