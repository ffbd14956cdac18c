import { parseDuration } from '../core/domain/time-text.js';
import { AppError } from '../core/errors.js';
import type { LlmConfig } from '../adapters/llm/llm-config.js';
import { loadLlmConfig } from '../adapters/llm/llm-config.js';
import { checkStoreUrl } from '../adapters/wiring.js';

export interface ServerConfig {
  host: string;
  port: number;
  /** Database file; undefined = in memory (nothing kept after exit). */
  dataFile: string | undefined;
  /** A shared PostgreSQL store instead of the file (--store, BIFROST_STORE): several nodes, one store. */
  sharedStore?: { url: string; schema?: string };
  /** The ingest bus (--bus, BIFROST_BUS): a gateway publishes OTLP requests to it, a worker writes them. */
  bus?: { url: string; role: 'gateway' | 'worker'; replicas?: number };
  maxBodyBytes: number;
  maxDecompressedBytes: number;
  queueCapacity: number;
  /** Bytes of request bodies (decompressed) taken and not yet written, before 503 + Retry-After. */
  maxQueuedBytes: number;
  /** How long requests may wait from admission to written (a moving average) before new ones get 503 + Retry-After. */
  maxQueueWaitMs: number;
  /** The store's own memory (DuckDB's buffer pool; it spills to disk past it). */
  storeMemoryMb: number;
  /** Services a tenant may have; records of new services past it are refused (partial success). */
  maxServices: number;
  /** Memory budget of the process: ingest is refused (503) over it, or when the JS heap is over its share; 0: no limiter. */
  memoryLimitMb: number;
  /** Metric series per tenant (name, labels and resource); points of new ones past it are refused. */
  maxSeries: number;
  /** Log templates per tenant; records that need a new one past it are refused. */
  maxTemplates: number;
  shutdownTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Require an API key on every request but health checks (always, beyond loopback). */
  auth: boolean;
  /** Requests per minute per API key (per client address in open mode); OTLP ingest is limited by the two below instead. */
  rateLimitPerMinute: number;
  /** OTLP records (log records, spans, metric points) a second per key; 0: no limit. */
  ingestRecordsPerSecond: number;
  /** OTLP request bytes (as sent) a second per key; 0: no limit. */
  ingestBytesPerSecond: number;
  /** The package version (OpenAPI document). */
  version: string;
  /** Records older than this are deleted on a schedule; undefined keeps everything. */
  retentionMs: number | undefined;
  /** Result cache shared with `bifrost analyze` (undefined: no cache). */
  cacheDir: string | undefined;
  /** How often incidents are looked for in recent data; 0 turns live detection off. */
  detectIntervalMs: number;
  /** Slack incoming webhook for incident changes. */
  slackWebhook: string | undefined;
  /** Generic webhook for incident changes, signed with webhookSecret when set. */
  webhookUrl: string | undefined;
  webhookSecret: string | undefined;
  /** How people reach this server (links in notifications); default http://host:port. */
  publicUrl: string | undefined;
  /** Watch the Kubernetes API (kubeconfig as kubectl finds it) for changes; undefined: off. */
  kubernetes: { namespace: string | undefined; tenant: string } | undefined;
  /** The model layer (provider, limits, redaction, prompts); also redacts notifications. */
  llm: Readonly<LlmConfig>;
  /** Serve https with this certificate chain and key (PEM files, read again on SIGHUP); undefined: plain http. */
  tls: { certFile: string; keyFile: string } | undefined;
  /** Check every answer against its response schema (BIFROST_CHECK_RESPONSES=1: for development and tests). */
  checkResponses: boolean;
}

export { parseDuration };

export const DEFAULT_SERVER_CONFIG: Omit<ServerConfig, 'dataFile'> = {
  host: '127.0.0.1',
  port: 4318,
  maxBodyBytes: 16 * 1024 * 1024,
  maxDecompressedBytes: 64 * 1024 * 1024,
  queueCapacity: 64,
  maxQueuedBytes: 16 * 1024 * 1024,
  maxQueueWaitMs: 500,
  storeMemoryMb: 128,
  maxServices: 2000,
  memoryLimitMb: 600,
  maxSeries: 50_000,
  maxTemplates: 20_000,
  shutdownTimeoutMs: 10_000,
  logLevel: 'info',
  auth: false,
  rateLimitPerMinute: 1200,
  ingestRecordsPerSecond: 200_000,
  ingestBytesPerSecond: 64 * 1024 * 1024,
  version: '0.0.0',
  retentionMs: undefined,
  cacheDir: undefined,
  detectIntervalMs: 60_000,
  slackWebhook: undefined,
  webhookUrl: undefined,
  webhookSecret: undefined,
  publicUrl: undefined,
  checkResponses: false,
  tls: undefined,
  kubernetes: undefined,
  llm: loadLlmConfig({}),
};

function httpUrl(name: string, v: string | undefined): string | undefined {
  if (v === undefined || v === '') return undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new AppError(
      'INPUT.BAD_OPTION',
      `${name} must be an http(s) URL, got something that is not a URL`,
      { field: name },
    );
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new AppError('INPUT.BAD_OPTION', `${name} must be an http(s) URL, got ${u.protocol}`, {
      field: name,
    });
  return v;
}

function retention(name: string, v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined)
    throw new AppError(
      'INPUT.BAD_OPTION',
      `${name} must be a duration like 90m, 12h, 7d or 2w, got "${v}"`,
      { field: name },
    );
  return ms;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

function int(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new AppError(
      'INPUT.BAD_OPTION',
      `${name} must be a whole number from ${min} to ${max}, got "${v}"`,
      { field: name },
    );
  return n;
}

/**
 * Defaults, then the environment (BIFROST_HOST, BIFROST_PORT, BIFROST_LOG_LEVEL), then the
 * command line: validated and frozen. A bad value fails at start with its name.
 */
export function loadServerConfig(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Partial<ServerConfig> & { dataFile: string | undefined; cacheDir: string | undefined },
): Readonly<ServerConfig> {
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const envLevel = env.BIFROST_LOG_LEVEL;
  if (
    envLevel !== undefined &&
    envLevel !== '' &&
    !(levels as readonly string[]).includes(envLevel)
  )
    throw new AppError(
      'INPUT.BAD_OPTION',
      `BIFROST_LOG_LEVEL must be one of ${levels.join(', ')}, got "${envLevel}"`,
      { field: 'BIFROST_LOG_LEVEL' },
    );
  const c: ServerConfig = {
    ...DEFAULT_SERVER_CONFIG,
    ...(env.BIFROST_HOST ? { host: env.BIFROST_HOST } : {}),
    ...(int('BIFROST_PORT', env.BIFROST_PORT, 0, 65535) === undefined
      ? {}
      : { port: int('BIFROST_PORT', env.BIFROST_PORT, 0, 65535)! }),
    ...(envLevel ? { logLevel: envLevel as ServerConfig['logLevel'] } : {}),
    ...(env.BIFROST_AUTH === 'required' ? { auth: true } : {}),
    ...(env.BIFROST_RETENTION
      ? { retentionMs: retention('BIFROST_RETENTION', env.BIFROST_RETENTION) }
      : {}),
    ...(env.BIFROST_SLACK_WEBHOOK ? { slackWebhook: env.BIFROST_SLACK_WEBHOOK } : {}),
    ...(env.BIFROST_WEBHOOK_URL ? { webhookUrl: env.BIFROST_WEBHOOK_URL } : {}),
    ...(env.BIFROST_WEBHOOK_SECRET ? { webhookSecret: env.BIFROST_WEBHOOK_SECRET } : {}),
    ...(env.BIFROST_PUBLIC_URL ? { publicUrl: env.BIFROST_PUBLIC_URL } : {}),
    ...(env.BIFROST_CHECK_RESPONSES === '1' ? { checkResponses: true } : {}),
    ...(env.BIFROST_TLS_CERT || env.BIFROST_TLS_KEY
      ? { tls: { certFile: env.BIFROST_TLS_CERT ?? '', keyFile: env.BIFROST_TLS_KEY ?? '' } }
      : {}),
    llm: loadLlmConfig(env),
    ...(env.BIFROST_STORE
      ? {
          sharedStore: {
            url: env.BIFROST_STORE,
            ...(env.BIFROST_STORE_SCHEMA ? { schema: env.BIFROST_STORE_SCHEMA } : {}),
          },
        }
      : {}),
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
    dataFile: overrides.dataFile,
    cacheDir: overrides.cacheDir,
  };
  if (c.sharedStore !== undefined) checkStoreUrl(c.sharedStore.url);
  if (c.bus !== undefined) {
    if (!/^nats:\/\/./.test(c.bus.url))
      throw new AppError(
        'INPUT.BAD_OPTION',
        `--bus must be NATS URLs such as nats://nats-0:4222,nats://nats-1:4222, got "${c.bus.url}"`,
        { field: 'bus' },
      );
    if (c.sharedStore === undefined)
      throw new AppError(
        'INPUT.BAD_OPTION',
        '--bus needs a shared store (--store postgres://…): workers write where every node reads',
        { field: 'bus' },
      );
  }
  if (
    env.BIFROST_AUTH !== undefined &&
    env.BIFROST_AUTH !== '' &&
    env.BIFROST_AUTH !== 'required' &&
    env.BIFROST_AUTH !== 'loopback-open'
  )
    throw new AppError(
      'INPUT.BAD_OPTION',
      `BIFROST_AUTH must be "required" or "loopback-open", got "${env.BIFROST_AUTH}"`,
      { field: 'BIFROST_AUTH' },
    );
  httpUrl('--slack-webhook / BIFROST_SLACK_WEBHOOK', c.slackWebhook);
  httpUrl('--webhook-url / BIFROST_WEBHOOK_URL', c.webhookUrl);
  httpUrl('--public-url / BIFROST_PUBLIC_URL', c.publicUrl);
  if (c.tls !== undefined && (c.tls.certFile === '' || c.tls.keyFile === ''))
    throw new AppError(
      'INPUT.BAD_OPTION',
      'TLS needs both a certificate and its key: --tls-cert and --tls-key (or BIFROST_TLS_CERT and BIFROST_TLS_KEY)',
      { field: c.tls.certFile === '' ? '--tls-cert' : '--tls-key' },
    );
  // beyond loopback nobody gets in without a key
  if (!isLoopback(c.host)) c.auth = true;
  if (c.maxDecompressedBytes < c.maxBodyBytes)
    throw new AppError(
      'INPUT.BAD_OPTION',
      'the decompressed body limit must be at least the body limit',
      { field: 'maxDecompressedBytes' },
    );
  return Object.freeze(c);
}
