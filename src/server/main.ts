import { createResultCache } from '../adapters/cache/result-cache.js';
import { nodeKeyCrypto } from '../adapters/crypto/node-key-crypto.js';
import { createStores } from '../adapters/wiring.js';
import { ApiKeys } from '../core/use-cases/api-keys.js';
import { LogIngest } from '../core/use-cases/ingest-logs.js';
import { MetricIngest } from '../core/use-cases/ingest-metrics.js';
import type { ServerConfig } from './config.js';
import { createServerMetrics } from './context.js';
import type { ServerContext } from './context.js';
import { buildApp } from './app.js';
import { GroupCommit } from './group-commit.js';
import { IngestQueue } from './ingest-queue.js';
import { JobRunner } from './jobs.js';

export { isLoopback, loadServerConfig, parseDuration } from './config.js';
export type { ServerConfig } from './config.js';

export interface RunningServer {
  /** http://host:port actually bound (port 0 picks a free one). */
  url: string;
  /**
   * Graceful stop: no new connections, in-flight requests answered, the ingest queue drained,
   * the store flushed and closed. Resolves false when it took longer than the shutdown timeout.
   */
  close(): Promise<boolean>;
}

/** Composition root of `bifrost serve`: store, use cases, queue, HTTP app; then listen. */
export async function startServer(config: Readonly<ServerConfig>, log: { stream: NodeJS.WritableStream }): Promise<RunningServer> {
  const { telemetry: store, history } = await createStores({ dataFile: config.dataFile });
  const keys = new ApiKeys(history, nodeKeyCrypto, Date.now);
  const ingest = new MetricIngest({ store });
  // record ids: start time + counter, fixed width so they also order as strings
  const epoch = Date.now().toString(36).padStart(9, '0');
  let seq = 0;
  const newId = () => `${epoch}-${(seq++).toString(36).padStart(8, '0')}`;
  const logIngest = new LogIngest({ store, newId });
  const jobs = new JobRunner();
  const queue = new IngestQueue(config.queueCapacity);
  const ctx: ServerContext = { config, store, ingest, logIngest, queue, metrics: createServerMetrics(queue, ingest), keys, history, jobs, newId, commits: new GroupCommit(store), version: config.version, cache: config.cacheDir === undefined ? undefined : createResultCache({ dir: config.cacheDir }) };
  const app = buildApp(ctx, config.logLevel === 'silent' ? false : { level: config.logLevel, stream: log.stream });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await store.close();
    throw err;
  }
  // retention: at start, then about 60 times per retention period (at least every second, at most hourly)
  let sweeper: NodeJS.Timeout | undefined;
  if (config.retentionMs !== undefined) {
    const retentionMs = config.retentionMs;
    const sweep = () => {
      if (!store.healthy()) return;
      store.deleteBefore(Date.now() - retentionMs).then(
        (n) => {
          if (n.metrics + n.logs + n.spans + n.findings > 0) app.log.info({ deleted: n }, 'retention: deleted old records');
        },
        (err: unknown) => {
          app.log.error({ err }, 'retention failed');
        },
      );
    };
    sweep();
    sweeper = setInterval(sweep, Math.min(Math.max(retentionMs / 60, 1000), 3_600_000));
    sweeper.unref();
  }
  const addr = app.server.address();
  const port = addr !== null && typeof addr === 'object' ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<boolean> | undefined;
  return {
    url: `http://${host}:${port}`,
    close() {
      closing ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<false>((resolve) => {
          timer = setTimeout(() => { resolve(false); }, config.shutdownTimeoutMs);
        });
        clearInterval(sweeper);
        const graceful = (async () => {
          await app.close();
          await queue.drain();
          await jobs.drain();
          await store.close();
          return true as const;
        })();
        const ok = await Promise.race([graceful, timeout]);
        clearTimeout(timer);
        return ok;
      })();
      return closing;
    },
  };
}
