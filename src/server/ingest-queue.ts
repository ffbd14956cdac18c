/**
 * Runs ingest jobs one at a time, in arrival order (detector state is per series and ordered),
 * with a bound on how many may be waiting or not yet written (see `track`): a full queue is
 * backpressure (the caller answers 503 with Retry-After), never an unbounded buffer.
 */
export class IngestQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private readonly writes = new Set<Promise<void>>();
  private held = 0;

  /** capacity: requests waiting or not yet written; byteCapacity: their decoded bodies' bytes. */
  constructor(
    readonly capacity: number,
    readonly byteCapacity = Infinity,
  ) {}

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
    const run = this.tail.then(job, job);
    const done = run.finally(() => {
      this.waiting--;
    });
    this.tail = done.catch(() => undefined);
    return run;
  }

  /** Counts a job's write, still under way after the job itself finished, until it settles. */
  track(write: Promise<unknown>): void {
    this.waiting++;
    const settled = write
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.waiting--;
        this.writes.delete(settled);
      });
    this.writes.add(settled);
  }

  /** Resolves when every job taken so far, and every tracked write, has finished. */
  async drain(): Promise<void> {
    await this.tail;
    await Promise.all([...this.writes]);
  }
}
