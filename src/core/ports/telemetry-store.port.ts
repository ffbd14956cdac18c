import type { Finding, FindingKind } from '../domain/finding.js';
import type { LogResource } from '../domain/log-record.js';
import type { MetricPoint } from '../domain/metric-point.js';
import type { Span } from '../domain/span.js';
import type {
  ServiceTemplateCount,
  ServiceMention,
  ServiceSpanStats,
  OperationStats,
  ServiceEdge,
  EdgeStats,
  ServiceMetricStats,
  PeerCallStats,
  WindowQuery,
} from '../domain/telemetry-aggregates.js';
import type { StoredLog, TemplateCount } from '../domain/stored-log.js';

export interface FindingQuery {
  fromMs?: number;
  toMs?: number;
  kind?: FindingKind;
  /** At most this many (newest first). */
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface MetricQuery {
  name: string;
  fromMs?: number;
  toMs?: number;
  limit: number;
}

export type StepAggregation = 'avg' | 'min' | 'max' | 'sum' | 'count';

export interface SeriesQuery {
  name: string;
  fromMs?: number;
  toMs?: number;
  /** Bucket width in ms. */
  stepMs: number;
  agg: StepAggregation;
  service?: string;
  /** Data-point labels that must match exactly. */
  labels?: Readonly<Record<string, string>>;
  /** At most this many series. */
  limit: number;
}

export interface SeriesResult {
  labels: string;
  resource: LogResource;
  points: { bucketMs: number; value: number; count: number }[];
}

export interface Page<T> {
  items: T[];
  /** Cursor of the next page, when there is one. */
  next?: string;
}

export interface LogQuery {
  fromMs?: number;
  toMs?: number;
  service?: string;
  /** Only records at least this severe (OTel number, e.g. 17 = ERROR). */
  minSeverity?: number;
  templateId?: string;
  /** Case-insensitive substring of the body. */
  text?: string;
  /** At most this many (newest first). */
  limit: number;
  cursor?: string;
}

export interface TemplateCountQuery {
  fromMs?: number;
  toMs?: number;
  service?: string;
  /** Bucket width in ms. */
  bucketMs: number;
  /** At most this many rows. */
  limit: number;
}

export interface SpanQuery {
  traceId?: string;
  service?: string;
  operation?: string;
  fromMs?: number;
  toMs?: number;
  /** Only spans that lasted at least this long. */
  minDurationMs?: number;
  /** Only spans with status error. */
  errorsOnly?: boolean;
  /** Only spans of this OTLP SpanKind (3: CLIENT, a call to another service). */
  kind?: number;
  /** Only CLIENT spans that name this peer, as peerCalls names it (lower case): the calls to a database, say. */
  peer?: string;
  /** 'start' (default): in start order; 'duration': the longest first. */
  order?: 'start' | 'duration';
  /** At most this many (the first in the order asked). */
  limit: number;
}

export interface MetricNameQuery {
  service?: string;
  fromMs?: number;
  toMs?: number;
  limit: number;
}

/** A metric name in the store: how many series (labels + resource) and points it has, and its time span. */
export interface MetricName {
  name: string;
  series: number;
  points: number;
  firstMs: number;
  lastMs: number;
}

export interface ServiceSummary {
  service: string;
  logs: number;
  spans: number;
  metricPoints: number;
}

/** A time range cut into buckets, for the aggregates the insight engine compares. */
export type {
  WindowQuery,
  ServiceTemplateCount,
  ServiceMention,
  ServiceSpanStats,
  OperationStats,
  ServiceEdge,
  EdgeStats,
  ServiceMetricStats,
  PeerCallStats,
} from '../domain/telemetry-aggregates.js';

/**
 * What a write left out: a span sent again (the same tenant, trace, span id and start as one
 * stored, or as one before it in the write: an exporter's retry, overlapping exports) is stored
 * once, so that no request or call counts twice.
 */
export interface AppendResult {
  repeatedSpans: number;
  /** Entries left out because their key had been written before (none: absent). */
  alreadyWritten?: number;
}

/** One tenant's batch in a write. */
export interface AppendEntry {
  tenant: string;
  batch: TelemetryBatch;
  /**
   * Written once: an entry whose key the store already holds (or that an earlier entry of the
   * same write has) is left out whole, in the transaction that would have written it (a bus
   * message delivered again after a worker died between writing and acknowledging). Keys are
   * kept until retention passes the time they were written.
   */
  key?: string;
}

/** A batch to write in one transaction: acknowledged only once durable. */
export interface TelemetryBatch {
  metrics?: readonly MetricPoint[];
  logs?: readonly StoredLog[];
  spans?: readonly Span[];
  findings?: readonly Finding[];
}

/**
 * Telemetry and findings, scoped by tenant: every read and write names its tenant and never
 * sees another's rows. Three ports, one per kind of use, so that a use case names what it needs:
 * writing (ingest, retention), reading records back (the API, evidence), and the aggregates the
 * insight engine compares (src/core/engine/aggregates computes each for reference).
 */
export interface TelemetryWriterPort {
  /** Writes the whole batch or nothing; resolves once it is durable. */
  append(tenant: string, batch: TelemetryBatch): Promise<AppendResult>;
  /** Several tenants' batches in one transaction (group commit): all or nothing, in order. */
  appendMany(entries: readonly AppendEntry[]): Promise<AppendResult>;
  /** Deletes every tenant's records older than the cutoff (retention); returns how many of each. */
  deleteBefore(
    cutoffMs: number,
  ): Promise<{ metrics: number; logs: number; spans: number; findings: number }>;
}

/** Records as stored: findings, logs, spans and metric points, by tenant, time and filters. */
export interface TelemetryRecordsPort {
  findings(tenant: string, query: FindingQuery): Promise<Page<Finding>>;
  metricPoints(tenant: string, query: MetricQuery): Promise<MetricPoint[]>;
  /** A metric's series (one per labels + resource), aggregated per time step. */
  metricSeries(tenant: string, query: SeriesQuery): Promise<SeriesResult[]>;
  logs(tenant: string, query: LogQuery): Promise<Page<StoredLog>>;
  /** Metric names with their series and point counts, by name. */
  metricNames(tenant: string, query: MetricNameQuery): Promise<MetricName[]>;
  /** Spans by trace, or by service/operation, time, duration and status; in start order or the longest first. */
  spans(tenant: string, query: SpanQuery): Promise<Span[]>;
  /** Every service seen in logs, spans or metrics, with record counts. */
  services(tenant: string): Promise<ServiceSummary[]>;
  /** Records per template and time bucket, busiest first within a bucket. */
  templateCounts(tenant: string, query: TemplateCountQuery): Promise<TemplateCount[]>;
  /** The first and last record time of logs, spans and metric points; undefined for an empty store. */
  timeRange(tenant: string): Promise<{ fromMs: number; toMs: number } | undefined>;
}

/** The aggregates the insight engine reads (rca, incident scans, the dashboard's RED and graph views). */
export interface TelemetryInsightPort {
  /** Log counts per service, template and time bucket (the engine's log evidence). */
  serviceTemplateCounts(tenant: string, query: WindowQuery): Promise<ServiceTemplateCount[]>;
  /**
   * Records at or above minSeverity that name one of `names` other than their own service (as a
   * whole word), per service, template, named service and time bucket.
   */
  serviceMentions(
    tenant: string,
    query: WindowQuery & { names: readonly string[]; minSeverity: number },
  ): Promise<ServiceMention[]>;
  /** Span counts, errors and duration percentiles per service and time bucket (RED), for one service or all. */
  spanStats(tenant: string, query: WindowQuery & { service?: string }): Promise<ServiceSpanStats[]>;
  /** Span counts, errors and duration percentiles per service, operation and time bucket, for one service or all. */
  operationStats(
    tenant: string,
    query: WindowQuery & { service?: string },
  ): Promise<OperationStats[]>;
  /** The service graph of the spans that started in [fromMs, toMs): caller → callee with call and error counts. */
  serviceEdges(tenant: string, query: { fromMs: number; toMs: number }): Promise<ServiceEdge[]>;
  /** Calls between services per time bucket, with the time spent outside the callee (the network, queueing); `service`: only its calls, made or answered. */
  edgeStats(tenant: string, query: WindowQuery & { service?: string }): Promise<EdgeStats[]>;
  /**
   * spanStats (all services), serviceEdges and edgeStats of one window at once, as rca reads them:
   * equal to the three asked one by one; a store may find each span's parent once for all three.
   */
  spanAggregates(
    tenant: string,
    query: WindowQuery,
  ): Promise<{ spans: ServiceSpanStats[]; edges: ServiceEdge[]; calls: EdgeStats[] }>;
  /** CLIENT spans that name their peer, per caller, peer, answering service and time bucket (PeerCallStats). */
  peerCalls(tenant: string, query: WindowQuery): Promise<PeerCallStats[]>;
  /** Each service's metrics per time bucket (means; not cumulative counters): for comparing a window with the service's own usual. */
  serviceMetricStats(tenant: string, query: WindowQuery): Promise<ServiceMetricStats[]>;
}

/** A telemetry store: all three ports, and its own health and end. */
export interface TelemetryStorePort
  extends TelemetryWriterPort, TelemetryRecordsPort, TelemetryInsightPort {
  /** True while the store can take writes. */
  healthy(): boolean;
  close(): Promise<void>;
}
