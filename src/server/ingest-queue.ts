/**
 * Runs ingest jobs one at a time, in arrival order (detector state is per series and ordered),
 * with bounds on what may be waiting or not yet written (see `track`): how many requests, their
 * bytes, and how long they wait. A full queue is backpressure (the caller answers 503 with
 * Retry-After before it decodes the body), never an unbounded buffer or an unbounded wait.
 */
export class IngestQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private readonly writes = new Set<Promise<void>>();
  private held = 0;
  /** When the job running now was taken (its write's wait is measured from then). */
  private runningSince = 0;
  private wait: number | undefined;

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
  ) {}

  /** The recent wait from admission to written, in ms (a moving average; 0 before any). */
  get waitMs(): number {
    return this.wait ?? 0;
  }

  /**
   * Admission, before a body is decoded: takes room for its bytes (give them back with
   * `release`), or says why there is none (answer 503 with Retry-After). Something always gets
   * into an empty queue.
   */
  admit(bytes: number): string | undefined {
    if (this.full)
      return `the ingest queue is full (${this.capacity} requests waiting); retry after 1 s`;
    if (this.waiting > 0 && this.waitMs > this.maxWaitMs)
      return `the ingest queue's requests wait ${Math.round(this.waitMs)} ms before they are written (--queue-wait-ms ${this.maxWaitMs}); retry after 1 s`;
    if (!this.reserve(bytes))
      return `the ingest queue holds ${mb(this.held)} MB of requests not yet written (--queue-mb ${mb(this.byteCapacity)}); retry after 1 s`;
    return undefined;
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
    this.held += bytes;
    return true;
  }

  release(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
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
