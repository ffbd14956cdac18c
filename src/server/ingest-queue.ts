/**
 * Runs ingest jobs one at a time, in arrival order (detector state is per series and ordered),
 * with a bound on how many may wait: a full queue is backpressure (the caller answers 503 with
 * Retry-After), never an unbounded buffer.
 */
export class IngestQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(readonly capacity: number) {}

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

  /** Resolves when every job taken so far has finished. */
  drain(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
