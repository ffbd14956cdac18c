import type {
  AppendResult,
  TelemetryBatch,
  TelemetryWriterPort,
} from '../core/ports/telemetry-store.port.js';

interface Pending {
  tenant: string;
  batch: TelemetryBatch;
  key: string | undefined;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: batches handed over while a transaction is running are written together in the
 * next one, in the order they came; each caller's promise settles when the transaction holding
 * its batch has committed (or failed). One transaction at a time, so order is kept. A group that
 * fails is written again one batch at a time, so a batch the store cannot hold fails its own
 * caller only.
 */
export class GroupCommit {
  private pending: Pending[] = [];
  private running = false;
  private idle: Promise<void> = Promise.resolve();

  /** `onWritten`: what each transaction left out (spans sent again), for the server's metrics. */
  constructor(
    private readonly store: TelemetryWriterPort,
    private readonly onWritten: (result: AppendResult) => void = () => undefined,
  ) {}

  /** `key`: the batch is written once (AppendEntry.key: a bus message's), whatever redelivers it. */
  commit(tenant: string, batch: TelemetryBatch, key?: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ tenant, batch, key, resolve, reject });
      if (!this.running) this.idle = this.flush();
    });
  }

  /** Resolves when everything handed over so far is written. */
  drain(): Promise<void> {
    return this.idle;
  }

  private async alone(g: Pending): Promise<void> {
    try {
      this.onWritten(await this.store.appendMany([entryOf(g)]));
      g.resolve();
    } catch (err) {
      g.reject(err);
    }
  }

  private async flush(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0);
        try {
          const result = await this.store.appendMany(group.map(entryOf));
          this.onWritten(result);
          for (const g of group) g.resolve();
        } catch (err) {
          if (group.length === 1) group[0]!.reject(err);
          // one bad batch must not fail the others that shared its transaction: each alone
          else for (const g of group) await this.alone(g);
        }
      }
    } finally {
      this.running = false;
    }
  }
}

const entryOf = (g: Pending) =>
  g.key === undefined
    ? { tenant: g.tenant, batch: g.batch }
    : { tenant: g.tenant, batch: g.batch, key: g.key };
