import { randomBytes } from 'node:crypto';
import { startBusWorker } from './background/bus-worker.js';
import { createResultCache } from '../adapters/cache/result-cache.js';
import { seriesBudget, serviceBudget } from '../core/use-cases/cardinality-budget.js';
import { nodeKeyCrypto } from '../adapters/crypto/node-key-crypto.js';
import { createStores } from '../adapters/wiring.js';
import { Enrolment } from '../core/use-cases/enrolment.js';
import { hybridEnrolCrypto } from '../adapters/crypto/hybrid-enrolment.js';
import { ApiKeys } from '../core/use-cases/api-keys.js';
import { LogIngest } from '../core/use-cases/ingest-logs.js';
import { MetricIngest } from '../core/use-cases/ingest-metrics.js';
import type { ServerConfig } from './config.js';
import { createServerMetrics } from './context.js';
import type { ServerContext } from './context.js';
import { buildApp } from './app.js';
import { readTls, reloadTls, tlsGroupsNote } from './tls.js';
import { MemoryGuard, fullCollection } from './memory-guard.js';
import type { Server as TlsServer } from 'node:tls';
import { GroupCommit } from './group-commit.js';
import { IngestQueue } from './ingest-queue.js';
import { JobRunner } from './jobs.js';
import { EventHub } from './event-hub.js';
import { createSlackNotifier } from '../adapters/notify/slack-notifier.js';
import { createWebhookNotifier } from '../adapters/notify/webhook-notifier.js';
import { IncidentTracker } from '../core/use-cases/incident-tracker.js';
import { Redactor } from '../core/engine/redaction/redactor.js';
import { IncidentNotifier } from '../core/use-cases/notify-incidents.js';
import { createExplainer } from '../adapters/llm/explainer.js';
import { RecentRequests } from './recent-requests.js';
import type { BackgroundService } from './background/background-service.js';
import { startIncidentDetection } from './background/incident-detection.js';
import { startKubernetesChanges } from './background/kubernetes-changes.js';
import { startRetention } from './background/retention.js';

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
  /** Reads --tls-cert and --tls-key again (SIGHUP); a summary of the new certificate. Throws, keeping the old one, on a bad file; undefined without TLS. */
  reloadTls(): string | undefined;
  /** The certificate served at start ("CN=…, valid until …"); undefined without TLS. */
  tls: string | undefined;
}

/** Composition root of `bifrost serve`: store, use cases, queue, HTTP app; then listen. */
export async function startServer(
  config: Readonly<ServerConfig>,
  log: { stream: NodeJS.WritableStream },
): Promise<RunningServer> {
  // a bad certificate or key fails the start, with the file's name
  const tls = config.tls === undefined ? undefined : readTls(config.tls);
  const { telemetry: store, history } = await createStores({
    dataFile: config.dataFile,
    memoryLimitMb: config.storeMemoryMb,
    ...(config.sharedStore === undefined ? {} : { shared: config.sharedStore }),
  });
  const keys = new ApiKeys(history, nodeKeyCrypto, Date.now);
  const ingest = new MetricIngest({ store });
  // record ids: start time + counter, fixed width so they also order as strings
  const epoch = Date.now().toString(36).padStart(9, '0');
  let seq = 0;
  const newId = () => `${epoch}-${(seq++).toString(36).padStart(8, '0')}`;
  const logIngest = new LogIngest({
    store,
    newId,
    maxTemplates: config.maxTemplates,
    refuseNewTemplates: true,
  });
  const jobs = new JobRunner();
  const memory =
    config.memoryLimitMb > 0
      ? new MemoryGuard(
          config.memoryLimitMb,
          config.storeMemoryMb,
          undefined,
          undefined,
          fullCollection(),
        )
      : undefined;
  const queue = new IngestQueue(
    config.queueCapacity,
    config.maxQueuedBytes,
    config.maxQueueWaitMs,
    undefined,
    (incoming) => memory?.check(incoming),
  );
  const notifiers = [
    ...(config.slackWebhook === undefined ? [] : [createSlackNotifier(config.slackWebhook)]),
    ...(config.webhookUrl === undefined
      ? []
      : [
          createWebhookNotifier(
            config.webhookUrl,
            config.webhookSecret === undefined ? {} : { secret: config.webhookSecret },
          ),
        ]),
  ];
  let publicUrl = config.publicUrl;
  let onNotifyFailure: (name: string, id: string, err: Error) => void = () => undefined;
  const notifier = new IncidentNotifier(notifiers, {
    linkOf: (_tenant, id) =>
      publicUrl === undefined
        ? undefined
        : `${publicUrl.replace(/\/$/, '')}/api/v1/incidents/${id}`,
    onFailure: (name, n, err) => {
      onNotifyFailure(name, n.incident.id, err);
    },
    newRedactor: () => new Redactor(config.llm.redaction),
  });
  const metrics = createServerMetrics(queue, ingest);
  // the ingest bus: NATS loads only when asked for
  let bus: ServerContext['bus'];
  if (config.bus !== undefined) {
    const { openNatsBus } = await import('../adapters/bus/nats-bus.js');
    try {
      bus = {
        port: await openNatsBus({
          url: config.bus.url,
          ...(config.bus.replicas === undefined ? {} : { replicas: config.bus.replicas }),
        }),
        role: config.bus.role,
        token: randomBytes(24).toString('hex'),
      };
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  const ctx: ServerContext = {
    ...(bus === undefined ? {} : { bus }),
    config,
    store,
    ingest,
    logIngest,
    queue,
    metrics,
    keys,
    enrolment: new Enrolment(history, hybridEnrolCrypto, keys, Date.now),
    history,
    jobs,
    newId,
    commits: new GroupCommit(store, (r) => {
      metrics.repeatedSpans.inc(r.repeatedSpans);
    }),
    version: config.version,
    cache: config.cacheDir === undefined ? undefined : createResultCache({ dir: config.cacheDir }),
    events: new EventHub(),
    incidents: new IncidentTracker({ telemetry: store, history }),
    notifier,
    activeTenants: new Set(),
    streams: new Set(),
    services: serviceBudget(config.maxServices),
    series: seriesBudget(config.maxSeries),
    recentRequests: new RecentRequests({ ttlMs: 10 * 60_000, capacity: 10_000, now: Date.now }),
    explainer: createExplainer(config.llm, {
      store: history,
      newId,
      now: Date.now,
      unavailableNote:
        'no model configured: start the server with --llm ollama (or openai, bedrock), or set BIFROST_LLM',
    }),
  };
  const app = buildApp(
    ctx,
    config.logLevel === 'silent' ? false : { level: config.logLevel, stream: log.stream },
    tls,
  );
  onNotifyFailure = (name, id, err) => {
    metrics.notifyFailures.inc();
    app.log.warn({ notifier: name, incident: id }, `notification failed for good: ${err.message}`);
  };
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await bus?.port.close();
    await store.close();
    throw err;
  }
  // background work beside the requests, each stopped on close
  const background: BackgroundService[] = [];
  if (bus?.role === 'worker') background.push(startBusWorker({ bus, metrics }, app, app.log));
  if (config.retentionMs !== undefined)
    background.push(startRetention(store, config.retentionMs, app.log));
  if (config.kubernetes !== undefined)
    background.push(startKubernetesChanges(ctx, config.kubernetes, app.log));
  const addr = app.server.address();
  const port = addr !== null && typeof addr === 'object' ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const scheme = tls === undefined ? 'http' : 'https';
  publicUrl ??= `${scheme}://${host}:${port}`;
  if (config.detectIntervalMs > 0)
    background.push(startIncidentDetection(ctx, config.detectIntervalMs, app.log));
  let closing: Promise<boolean> | undefined;
  return {
    url: `${scheme}://${host}:${port}`,
    tls: tls === undefined ? undefined : `${tls.summary}; key exchange: ${tlsGroupsNote()}`,
    reloadTls() {
      if (config.tls === undefined) return undefined;
      const summary = reloadTls(app.server as unknown as TlsServer, config.tls);
      app.log.info({ certificate: summary }, 'TLS certificate and key reloaded');
      return summary;
    },
    close() {
      closing ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<false>((resolve) => {
          timer = setTimeout(() => {
            resolve(false);
          }, config.shutdownTimeoutMs);
        });
        // timers and watches end now; work under way is awaited after the requests
        const stopped = Promise.all(background.map((b) => b.stop()));
        // a client's keep-alive connection stays open after its last answer and would hold the
        // close until its idle timeout: each one is closed as soon as it is idle (an answer under
        // way is finished first)
        const idle = setInterval(() => {
          app.server.closeIdleConnections();
        }, 100);
        const graceful = (async () => {
          for (const s of ctx.streams) s.end();
          await app.close();
          clearInterval(idle);
          await stopped;
          await bus?.port.close();
          await queue.drain();
          await jobs.drain();
          await store.close();
          return true as const;
        })();
        const ok = await Promise.race([graceful, timeout]);
        clearTimeout(timer);
        clearInterval(idle);
        // out of time: every connection is cut, so nothing keeps the process alive
        if (!ok) app.server.closeAllConnections();
        return ok;
      })();
      return closing;
    },
  };
}
