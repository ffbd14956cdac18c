import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { AppError } from '../../core/errors.js';
import { parseDuration } from '../../core/domain/time-text.js';
import type { CliContext } from '../context.js';
import { defaultDataDir } from '../data-dir.js';
import { addLlmOptions, llmConfigOf } from './llm-options.js';
import type { LlmFlags } from './llm-options.js';

interface ServeFlags extends Omit<LlmFlags, 'llmCache'> {
  host?: string;
  port?: number;
  data?: string;
  memory?: boolean;
  store?: string;
  bus?: string;
  role?: 'gateway' | 'worker';
  busReplicas?: number;
  logLevel?: string;
  queue?: number;
  queueMb?: number;
  queueWaitMs?: number;
  storeMemoryMb?: number;
  maxServices?: number;
  memoryLimitMb?: number;
  maxSeries?: number;
  maxTemplates?: number;
  maxBodyMb?: number;
  shutdownTimeout?: number;
  auth?: boolean;
  rateLimit?: number;
  ingestRecordsPerS?: number;
  ingestMbPerS?: number;
  retention?: number;
  cache: boolean;
  cacheDir?: string;
  detectEvery?: number;
  slackWebhook?: string;
  webhookUrl?: string;
  publicUrl?: string;
  kubernetes?: boolean;
  kubeNamespace?: string;
  kubeTenant: string;
  tlsCert?: string;
  tlsKey?: string;
}

export function serveCommand(ctx: CliContext): Command {
  const cmd = new Command('serve')
    .description(
      'Run the server: OTLP/HTTP metrics, logs and traces in (metrics scored as they arrive); incidents with ranked root causes, findings, logs, templates and traces over REST and Server-Sent Events; alerts to Slack or a webhook',
    )
    .option(
      '--host <host>',
      'address to listen on; beyond loopback API keys are always required [env BIFROST_HOST]',
      undefined,
    )
    .option('--auth', 'require API keys on loopback too [env BIFROST_AUTH=required]')
    .option(
      '--tls-cert <file>',
      'serve https with this PEM certificate chain (read again on SIGHUP) [env BIFROST_TLS_CERT]',
    )
    .option('--tls-key <file>', 'the PEM private key of --tls-cert [env BIFROST_TLS_KEY]')
    .option(
      '--retention <duration>',
      'delete records older than this (90m, 12h, 7d, 2w) on a schedule; default: keep everything [env BIFROST_RETENTION]',
      (v: string) => {
        const ms = parseDuration(v);
        if (ms === undefined)
          throw new InvalidArgumentError(
            `--retention takes a duration like 90m, 12h, 7d or 2w, got "${v}"`,
          );
        return ms;
      },
    )
    .option(
      '--rate-limit <n>',
      'requests per minute per API key to the REST API (429 + Retry-After beyond); OTLP ingest has its own limits',
      ctx.parseIntOption('--rate-limit', 1),
      1200,
    )
    .option(
      '--ingest-records-per-s <n>',
      'OTLP log records, spans and metric points a second per API key (per address in open mode), 2 s of burst; past it 429 + Retry-After; 0: no limit',
      ctx.parseIntOption('--ingest-records-per-s', 0),
      200_000,
    )
    .option(
      '--ingest-mb-per-s <n>',
      'OTLP request megabytes (as sent, compressed or not) a second per API key, 2 s of burst; past it 429 + Retry-After; 0: no limit',
      ctx.parseIntOption('--ingest-mb-per-s', 0),
      64,
    )
    .option(
      '--port <port>',
      'port (4318 is the OTLP/HTTP port; 0 picks a free one) [env BIFROST_PORT]',
      ctx.parseIntOption('--port', 0),
    )
    .option(
      '--data <dir>',
      'where the store lives [env BIFROST_DATA; default $XDG_DATA_HOME/bifrost]',
    )
    .option('--memory', 'keep everything in memory (nothing survives a restart)')
    .option(
      '--bus <urls>',
      "the NATS JetStream ingest bus (nats://host:4222, a cluster's nodes separated by commas): OTLP requests are acknowledged once JetStream stores them and written by workers; needs --store [env BIFROST_BUS]",
    )
    .addOption(
      new Option(
        '--role <role>',
        "with --bus: gateway (takes OTLP requests and puts them on the bus) or worker (takes its share of the bus's partitions and writes them)",
      )
        .choices(['gateway', 'worker'])
        .default('gateway'),
    )
    .option(
      '--bus-replicas <n>',
      'copies JetStream keeps of each request (3 in a cluster of three or more nodes)',
      ctx.parseIntOption('--bus-replicas', 1),
      1,
    )
    .option(
      '--store <url>',
      'a shared PostgreSQL store (postgres://user:password@host:5432/db) instead of --data: several nodes take ingest and answer the API from one store [env BIFROST_STORE; its schema: env BIFROST_STORE_SCHEMA, default bifrost]',
    )
    .option(
      '--no-cache',
      "analyses are not cached (by default they share bifrost analyze's result cache)",
    )
    .option('--cache-dir <dir>', 'result cache directory [env BIFROST_CACHE_DIR]')
    .option(
      '--log-level <level>',
      'fatal|error|warn|info|debug|trace|silent [env BIFROST_LOG_LEVEL]',
    )
    .option(
      '--queue <n>',
      'ingest requests that may wait before 503 + Retry-After',
      ctx.parseIntOption('--queue', 1),
      64,
    )
    .option(
      '--queue-mb <n>',
      'megabytes of request bodies (decompressed) not yet written before 503 + Retry-After: bounds the memory ingest holds (a JSON body takes about 25× its size while it is stored)',
      ctx.parseIntOption('--queue-mb', 1),
      16,
    )
    .option(
      '--queue-wait-ms <n>',
      'milliseconds requests may wait before they are written (recent average) before new ones get 503 + Retry-After: accepted writes are acknowledged in about that time under overload',
      ctx.parseIntOption('--queue-wait-ms', 1),
      500,
    )
    .option(
      '--store-memory-mb <n>',
      "the store's own memory (DuckDB's buffer pool, which spills to disk past it; DuckDB alone would take up to 80% of RAM)",
      ctx.parseIntOption('--store-memory-mb', 64),
      128,
    )
    .option(
      '--max-services <n>',
      'services a tenant may have; records of new services past it are refused (OTLP partial success) and counted',
      ctx.parseIntOption('--max-services', 1),
      2000,
    )
    .option(
      '--memory-limit-mb <n>',
      "the process's memory budget: new ingest is refused (503 + Retry-After) while its resident set is over it, or its JS heap over the share left after --store-memory-mb and about 100 MB of native memory; 0 turns the limiter off",
      ctx.parseIntOption('--memory-limit-mb', 0),
      600,
    )
    .option(
      '--max-series <n>',
      'metric series (name, labels, resource) a tenant may have; points of new series past it are refused and counted',
      ctx.parseIntOption('--max-series', 1),
      50_000,
    )
    .option(
      '--max-templates <n>',
      'log templates a tenant may have; records that need a new template past it are refused and counted',
      ctx.parseIntOption('--max-templates', 1),
      20_000,
    )
    .option(
      '--max-body-mb <n>',
      'largest request body (compressed; 4× that decompressed)',
      ctx.parseIntOption('--max-body-mb', 1),
      16,
    )
    .option(
      '--detect-every <duration>',
      'how often incidents are looked for in recent data (30s, 1m, …; "off" to stop)',
      (v: string) => {
        if (v === 'off') return 0;
        const ms = parseDuration(v);
        if (ms === undefined)
          throw new InvalidArgumentError(
            `--detect-every takes a duration like 30s or 1m, or "off"; got "${v}"`,
          );
        return ms;
      },
    )
    .option(
      '--slack-webhook <url>',
      'post incident changes to this Slack incoming webhook [env BIFROST_SLACK_WEBHOOK]',
    )
    .option(
      '--webhook-url <url>',
      'POST incident changes as JSON here, signed with BIFROST_WEBHOOK_SECRET (HMAC-SHA256) when set [env BIFROST_WEBHOOK_URL]',
    )
    .option(
      '--public-url <url>',
      'how people reach this server, for links in notifications [env BIFROST_PUBLIC_URL]',
    )
    .option(
      '--kubernetes',
      'watch the Kubernetes API (kubeconfig as kubectl finds it: in-cluster, $KUBECONFIG, ~/.kube/config) for rollouts, restarts, OOM kills, scaling, failed scheduling',
    )
    .option('--kube-namespace <ns>', 'watch only this namespace (default: all)')
    .option('--kube-tenant <name>', 'whose data the cluster changes become', 'default')
    .option(
      '--shutdown-timeout <seconds>',
      'how long SIGTERM/SIGINT waits for in-flight work',
      ctx.parseIntOption('--shutdown-timeout', 1),
      10,
    );
  addLlmOptions(
    cmd,
    'incidents and analyses on request (POST /api/v1/incidents/:id/explain, llm on POST /api/v1/analyses)',
    { cacheFlag: false },
  );
  cmd.addHelpText(
    'after',
    `
Endpoints (one listener):
  POST /v1/metrics, /v1/logs, /v1/traces   OTLP/HTTP, protobuf or JSON, gzip accepted
  GET  /api/v1/findings     findings with reasons: metric anomalies, error bursts, new and rare messages,
                            latency shifts, call delays, span error rates, cluster changes (?from&to&kind&limit&cursor)
  GET  /api/v1/metrics/points?name=…   stored points of a metric
  GET  /api/v1/logs, /api/v1/templates, /api/v1/traces/:id, /api/v1/spans, /api/v1/services
  GET  /api/v1/incidents[/:id[/timeline|/graph]]   incidents with ranked causes; POST …/acknowledge, …/resolve
  POST /api/v1/incidents/scan   look for incidents in stored data of a past period (after bifrost import)
  GET  /api/v1/rca?at=…, /api/v1/graph, /api/v1/red, /api/v1/calls, /api/v1/mttr   root causes, service graph with
                            RED and shifts, RED per operation, a service's call paths, MTTD/MTTR
  POST /api/v1/incidents/:id/explain   the model's explanation citing the evidence (--llm; SSE with
                            Accept: text/event-stream); GET …/explanations: recorded answers (A/B)
  GET  /api/v1/llm          the model behind explanations: provider, model, reachable, models offered
  GET  /api/v1/stream       Server-Sent Events of findings and incident changes (Last-Event-ID resume)
  POST/GET/DELETE /api/v1/keys         the tenant's API keys (admin scope)
  POST/GET /api/v1/keys/enrol-tokens   one-time enrolment tokens (admin); POST /api/v1/enrol/hello,
                            /api/v1/enrol/confirm: a host's enrolment (bifrost enrol)
  GET  /healthz /readyz /metrics      liveness, readiness, Prometheus metrics
Logs: JSON lines (pino) on stdout, with request ids. SIGTERM/SIGINT stop gracefully; SIGHUP reloads TLS.

Point an OpenTelemetry SDK or Collector at it:
  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf

Incidents are looked for every minute in the last 30 minutes of each tenant that sends
telemetry; each change (opened, updated, acknowledged, resolved, reopened) is one event on the
stream and one message to the notifiers, retried with back-off.

Examples:
  bifrost serve
  bifrost serve --port 0 --memory --log-level warn
  BIFROST_WEBHOOK_SECRET=… bifrost serve --webhook-url https://hooks.example.com/bifrost`,
  );
  cmd.action(async (flags: ServeFlags) => {
    const t = ctx.terminal;
    const dataDir = flags.data ?? defaultDataDir(ctx.env);
    const busUrl = flags.bus ?? (ctx.env.BIFROST_BUS || undefined);
    // the server's modules (Fastify, the OTLP decoders, the Kubernetes client) load only for `serve`: every other command starts faster
    const { loadServerConfig, startServer } = await import('../../server/main.js');
    const config = loadServerConfig(ctx.env, {
      dataFile: flags.memory === true ? undefined : join(dataDir, 'bifrost.duckdb'),
      ...(busUrl === undefined
        ? {}
        : {
            bus: { url: busUrl, role: flags.role ?? 'gateway', replicas: flags.busReplicas ?? 1 },
          }),
      ...(flags.store === undefined
        ? {}
        : {
            sharedStore: {
              url: flags.store,
              ...(ctx.env.BIFROST_STORE_SCHEMA ? { schema: ctx.env.BIFROST_STORE_SCHEMA } : {}),
            },
          }),
      cacheDir: flags.cache
        ? (flags.cacheDir ?? ctx.env.BIFROST_CACHE_DIR ?? ctx.defaultCacheDir)
        : undefined,
      ...(flags.host === undefined ? {} : { host: flags.host }),
      ...(flags.port === undefined ? {} : { port: flags.port }),
      ...(flags.logLevel === undefined ? {} : { logLevel: flags.logLevel as 'info' }),
      queueCapacity: flags.queue ?? 64,
      maxQueuedBytes: (flags.queueMb ?? 16) * 1024 * 1024,
      maxQueueWaitMs: flags.queueWaitMs ?? 500,
      storeMemoryMb: flags.storeMemoryMb ?? 128,
      maxServices: flags.maxServices ?? 2000,
      memoryLimitMb: flags.memoryLimitMb ?? 600,
      maxSeries: flags.maxSeries ?? 50_000,
      maxTemplates: flags.maxTemplates ?? 20_000,
      maxBodyBytes: (flags.maxBodyMb ?? 16) * 1024 * 1024,
      maxDecompressedBytes: (flags.maxBodyMb ?? 16) * 4 * 1024 * 1024,
      shutdownTimeoutMs: (flags.shutdownTimeout ?? 10) * 1000,
      rateLimitPerMinute: flags.rateLimit ?? 1200,
      ingestRecordsPerSecond: flags.ingestRecordsPerS ?? 200_000,
      ingestBytesPerSecond: (flags.ingestMbPerS ?? 64) * 1024 * 1024,
      version: ctx.version,
      ...(flags.retention === undefined ? {} : { retentionMs: flags.retention }),
      ...(flags.auth === true ? { auth: true } : {}),
      ...(flags.tlsCert === undefined && flags.tlsKey === undefined
        ? {}
        : { tls: { certFile: flags.tlsCert ?? '', keyFile: flags.tlsKey ?? '' } }),
      ...(flags.detectEvery === undefined ? {} : { detectIntervalMs: flags.detectEvery }),
      ...(flags.slackWebhook === undefined ? {} : { slackWebhook: flags.slackWebhook }),
      ...(flags.webhookUrl === undefined ? {} : { webhookUrl: flags.webhookUrl }),
      ...(flags.publicUrl === undefined ? {} : { publicUrl: flags.publicUrl }),
      ...(flags.kubernetes === true
        ? { kubernetes: { namespace: flags.kubeNamespace, tenant: flags.kubeTenant } }
        : {}),
      llm: llmConfigOf({ ...flags, llmCache: true }, ctx),
    });
    if (
      flags.logLevel !== undefined &&
      !['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(flags.logLevel)
    )
      throw new AppError(
        'INPUT.BAD_OPTION',
        `--log-level must be one of fatal, error, warn, info, debug, trace, silent; got "${flags.logLevel}"`,
      );
    const server = await startServer(config, { stream: ctx.stdout });
    t.err(
      `bifrost serve: listening on ${server.url} — OTLP/HTTP metrics at ${server.url}/v1/metrics, findings at ${server.url}/api/v1/findings`,
    );
    if (server.tls !== undefined)
      t.err(`tls: ${server.tls} (SIGHUP reads --tls-cert and --tls-key again)`);
    ctx.onReload(() => {
      try {
        const summary = server.reloadTls();
        if (summary !== undefined) t.err(`SIGHUP: TLS certificate reloaded: ${summary}`);
      } catch (err) {
        t.err(`SIGHUP: TLS not reloaded, the old certificate stays: ${(err as Error).message}`);
      }
    });
    const notify = [
      config.slackWebhook === undefined ? '' : 'Slack',
      config.webhookUrl === undefined
        ? ''
        : `webhook${config.webhookSecret === undefined ? ' (unsigned: set BIFROST_WEBHOOK_SECRET)' : ' (signed)'}`,
    ].filter((x) => x !== '');
    if (config.kubernetes !== undefined)
      t.err(
        `kubernetes: watching ${config.kubernetes.namespace ?? 'all namespaces'} for changes (tenant ${config.kubernetes.tenant})`,
      );
    t.err(
      `explanations: ${config.llm.provider === undefined ? 'off (--llm ollama|openai|bedrock)' : `${config.llm.provider}${config.llm.model === undefined ? '' : ` ${config.llm.model}`}, redacted first${config.llm.dailyTokens === undefined ? '' : `, ${config.llm.dailyTokens} tokens a day`}`}`,
    );
    t.err(
      `incidents: ${config.detectIntervalMs > 0 ? `looked for every ${config.detectIntervalMs / 1000} s` : 'live detection off'} · notifications ${notify.length > 0 ? `to ${notify.join(' and ')}` : 'off (--slack-webhook, --webhook-url)'}`,
    );
    if (config.bus !== undefined)
      t.err(
        `bus: ${config.bus.role === 'gateway' ? 'gateway: OTLP requests acknowledged once JetStream has stored them on' : 'worker: writes its share of the partitions of'} ${config.bus.url} (${config.bus.replicas ?? 1} ${(config.bus.replicas ?? 1) === 1 ? 'copy' : 'copies'})`,
      );
    t.err(
      `store: ${config.sharedStore !== undefined ? `PostgreSQL ${config.sharedStore.url.replace(/\/\/[^@/]*@/, '//')}, schema ${config.sharedStore.schema ?? 'bifrost'} (shared)` : (config.dataFile ?? 'in memory (nothing is kept after exit)')} · retention ${config.retentionMs === undefined ? 'off (everything kept)' : `${config.retentionMs / 60_000} min`} · ${config.auth ? 'API keys required (bifrost keys create --data … --scope ingest|read|admin --tenant …)' : 'open access on loopback: no API key needed, everything goes to tenant "default" (--auth to require keys)'}`,
    );
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        t.err(`${signal}: stopping (answering in-flight requests, flushing the store)…`);
        void server.close().then((ok) => {
          if (!ok) {
            t.err(
              `error: the shutdown took longer than ${config.shutdownTimeoutMs / 1000} s; exiting anyway`,
            );
            ctx.setExitCode(1);
          } else t.err('stopped.');
          resolve();
        });
      };
      ctx.onSignals(stop);
    });
  });
  return cmd;
}
