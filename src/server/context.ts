import type { IngestBusPort } from '../core/ports/ingest-bus.port.js';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ResultCache } from '../adapters/cache/result-cache.js';
import type { HistoryStorePort } from '../core/ports/history-store.port.js';
import type { TelemetryStorePort } from '../core/ports/telemetry-store.port.js';
import type { ApiKeys, AuthContext } from '../core/use-cases/api-keys.js';
import type { Enrolment } from '../core/use-cases/enrolment.js';
import type { LogIngest } from '../core/use-cases/ingest-logs.js';
import type { MetricIngest } from '../core/use-cases/ingest-metrics.js';
import type { IncidentTracker } from '../core/use-cases/incident-tracker.js';
import type { IncidentNotifier } from '../core/use-cases/notify-incidents.js';
import type { ServerConfig } from './config.js';
import type { EventHub } from './event-hub.js';
import type { Explainer } from '../adapters/llm/explainer.js';
import type { GroupCommit } from './group-commit.js';
import type { IngestQueue } from './ingest-queue.js';
import type { JobRunner } from './jobs.js';
import type { CardinalityBudget } from '../core/use-cases/cardinality-budget.js';
import type { MetricPoint } from '../core/domain/metric-point.js';
import type { RecentRequests } from './recent-requests.js';

export interface ServerMetrics {
  registry: Registry;
  records: Counter<'signal'>;
  bytes: Counter<'signal'>;
  rejected: Counter<'signal' | 'reason'>;
  findings: Counter<'kind'>;
  incidentChanges: Counter<'type'>;
  notifyFailures: Counter;
  /** Spans left out as copies of one already stored. */
  repeatedSpans: Counter;
  /** OTLP requests received again (byte for byte) and answered without storing them twice. */
  repeatedRequests: Counter<'signal'>;
  /** OTLP requests a gateway handed to the bus (stored by JetStream), per signal. */
  busPublished: Counter<'signal'>;
  /** Requests a worker took from the bus, by outcome (done, retry, drop). */
  busDelivered: Counter<'outcome'>;
  storeLatency: Histogram;
  http: Histogram<'method' | 'route' | 'status'>;
}

/** What the routes share: built once in main.ts (tests build their own). */
export interface ServerContext {
  config: ServerConfig;
  store: TelemetryStorePort;
  ingest: MetricIngest;
  logIngest: LogIngest;
  queue: IngestQueue;
  /** Writes ingest batches, several per transaction when they queue up. */
  commits: GroupCommit;
  metrics: ServerMetrics;
  keys: ApiKeys;
  /** Enrolment tokens and the hybrid exchange that turns one into a key. */
  enrolment: Enrolment;
  history: HistoryStorePort;
  jobs: JobRunner;
  /** The result cache `bifrost analyze` uses (same files, same TTL); undefined = none. */
  cache: ResultCache | undefined;
  /** Unique, increasing ids (records, analyses, jobs). */
  newId: () => string;
  /** The package version, for the OpenAPI document. */
  version: string;
  /** Findings and incident changes for /api/v1/stream. */
  events: EventHub;
  incidents: IncidentTracker;
  notifier: IncidentNotifier;
  /** Tenants that sent telemetry since start (live incident detection looks at these). */
  activeTenants: Set<string>;
  /** Open event streams: ended at shutdown (they would hold the server open). */
  streams: Set<NodeJS.WritableStream & { end(): unknown }>;
  /** Explanations by the configured model (or a note that there is none). */
  explainer: Explainer;
  /** OTLP requests received lately: one sent again is answered, not stored twice. */
  recentRequests: RecentRequests<OtlpOutcome>;
  /** How many services each tenant may have (records of new ones past it are refused). */
  services: CardinalityBudget<{ resource: { service?: string } }>;
  /** How many metric series each tenant may have (points of new ones past it are refused). */
  series: CardinalityBudget<Pick<MetricPoint, 'name' | 'labels' | 'resource'>>;
  /**
   * The ingest bus (--bus): a gateway publishes OTLP requests to it; a worker takes them from it
   * and writes them through its own routes, proving itself with `token` (random per process).
   */
  bus?: { port: IngestBusPort; role: 'gateway' | 'worker'; token: string };
}

/** Who a request handed over by the bus acts as (auth), and the headers it comes with. */
export const BUS_KEY_ID = 'bus';
export const BUS_HEADERS = {
  token: 'x-bifrost-bus-token',
  tenant: 'x-bifrost-bus-tenant',
  key: 'x-bifrost-bus-key',
} as const;

/** What an OTLP request's answer says: the records it rejected and why. */
export interface OtlpOutcome {
  rejected: number;
  reasons: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking: the API key's tenant and scope (open mode: tenant "default", admin). */
    auth: AuthContext;
  }
}

/** The server's own Prometheus metrics, in a registry of its own (not the global one). */
export function createServerMetrics(queue: IngestQueue, ingest: MetricIngest): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'bifrost_' });
  const m: ServerMetrics = {
    registry,
    records: new Counter({
      name: 'bifrost_received_records_total',
      help: 'Records received and stored, per signal',
      labelNames: ['signal'],
      registers: [registry],
    }),
    bytes: new Counter({
      name: 'bifrost_received_bytes_total',
      help: 'Bytes received (decompressed), per signal',
      labelNames: ['signal'],
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'bifrost_rejected_total',
      help: 'Requests or records rejected, per signal and reason',
      labelNames: ['signal', 'reason'],
      registers: [registry],
    }),
    findings: new Counter({
      name: 'bifrost_findings_total',
      help: 'Findings produced, per kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    incidentChanges: new Counter({
      name: 'bifrost_incident_changes_total',
      help: 'Incident changes (opened, updated, acknowledged, resolved, reopened)',
      labelNames: ['type'],
      registers: [registry],
    }),
    notifyFailures: new Counter({
      name: 'bifrost_notification_failures_total',
      help: 'Notifications that failed after every retry',
      registers: [registry],
    }),
    repeatedSpans: new Counter({
      name: 'bifrost_repeated_spans_total',
      help: 'Spans received again (the same trace, span id and start as one stored: retries, overlapping exports) and left out; counted in bifrost_received_records_total too',
      registers: [registry],
    }),
    repeatedRequests: new Counter({
      name: 'bifrost_repeated_requests_total',
      help: 'OTLP requests received again byte for byte (an exporter retrying after a lost answer) and answered as the first was, without storing their records twice; per signal',
      labelNames: ['signal'],
      registers: [registry],
    }),
    busPublished: new Counter({
      name: 'bifrost_bus_published_requests_total',
      help: 'OTLP requests this gateway handed to the ingest bus (acknowledged once JetStream stored them), per signal',
      labelNames: ['signal'],
      registers: [registry],
    }),
    busDelivered: new Counter({
      name: 'bifrost_bus_delivered_requests_total',
      help: 'Requests this worker took from the ingest bus, by outcome: done (written, acknowledged), retry (not written now: delivered again), drop (never storable: malformed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    storeLatency: new Histogram({
      name: 'bifrost_store_write_seconds',
      help: 'Time to score and durably write one ingest request',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    http: new Histogram({
      name: 'bifrost_http_request_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'bifrost_ingest_queue_depth',
    help: 'Ingest requests waiting or running',
    registers: [registry],
    collect() {
      this.set(queue.depth);
    },
  });
  new Gauge({
    name: 'bifrost_metric_series_tracked',
    help: 'Metric series with detector state',
    registers: [registry],
    collect() {
      this.set(ingest.trackedSeries);
    },
  });
  new Gauge({
    name: 'bifrost_metric_series_evicted',
    help: 'Metric series evicted from detector state (least recently seen)',
    registers: [registry],
    collect() {
      this.set(ingest.evictedSeries);
    },
  });
  return m;
}
