import { Lru } from '../core/domain/lru.js';

/** One batch analysis: its progress is observable while it runs (GET /jobs/:id, SSE events). */
export interface Job {
  id: string;
  tenant: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  total: number;
  done: number;
  createdMs: number;
  analysisId?: string;
  error?: string;
}

type Listener = (job: Job) => void;

/**
 * Batch jobs run one at a time, in submission order; the last `keep` jobs are remembered
 * (their results live in the analyses history, not here).
 */
export class JobRunner {
  private readonly listeners = new Map<string, Set<Listener>>();
  // the last `keep` jobs, in submission order (`peek` reads without reordering them)
  private readonly jobs: Lru<string, Job>;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(keep = 1000) {
    this.jobs = new Lru(keep, (id) => this.listeners.delete(id));
  }

  submit(job: Job, run: (progress: () => void) => Promise<string>): Job {
    this.jobs.set(job.id, job);
    const start = async () => {
      job.status = 'running';
      this.emit(job);
      try {
        job.analysisId = await run(() => {
          job.done++;
          this.emit(job);
        });
        job.status = 'done';
      } catch (err) {
        job.status = 'failed';
        job.error = (err as Error).message;
      }
      this.emit(job);
      this.listeners.delete(job.id);
    };
    this.tail = this.tail.then(start, start);
    return job;
  }

  get(tenant: string, id: string): Job | undefined {
    const j = this.jobs.peek(id);
    return j !== undefined && j.tenant === tenant ? j : undefined;
  }

  /** Calls fn on every change until the job ends; returns the unsubscribe. */
  watch(id: string, fn: Listener): () => void {
    let set = this.listeners.get(id);
    if (set === undefined) this.listeners.set(id, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  private emit(job: Job): void {
    for (const fn of this.listeners.get(job.id) ?? []) fn({ ...job });
  }

  /** Resolves when every job submitted so far has ended. */
  drain(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
