/** The parts of the REST API the dashboard reads. Paths and query parameters are checked against /openapi.json (openapi.d.ts, generated; see client.ts apiUrl); incidents, RCA answers, explanations and reports are the server's own types. */

import type { IncidentView } from '../../../src/views/incident.js';
import type { RcaView } from '../../../src/views/rca.js';
import type { Finding as DomainFinding } from '../../../src/core/domain/finding.js';
import type { ServiceSpanStats } from '../../../src/core/ports/telemetry-store.port.js';

/** An incident as GET /api/v1/incidents/{id} answers (the server's own view type, not a copy). */
export type Incident = IncidentView;

export interface Page<T> {
  items: T[];
  next: string | null;
}

/** A finding as GET /api/v1/findings answers: the server's own type with its ISO time. */
export type Finding = DomainFinding & { time: string };

export interface ServiceHealth {
  service: string;
  spans: number;
  /** Spans called by another service or from outside the traces, and those that failed (errorRatio is their ratio). */
  requests?: number;
  failedRequests?: number;
  ratePerMin: number;
  errorRatio: number;
  p50Ms: number;
  p90Ms: number;
  shift: {
    p90Ratio: number | null;
    errorRatioChange: number;
    before: { count: number; p90Ms: number };
  } | null;
}

export interface Graph {
  from: string;
  to: string;
  services: ServiceHealth[];
  /**
   * `unanswered`: calls the caller's client spans made that the callee left unanswered (`unansweredFailed` of them failed); `calls` 0: it answered none.
   * `external`: the callee has no spans of its own (a database, an outside API): calls as the caller saw them.
   */
  edges: {
    caller: string;
    callee: string;
    calls: number;
    errors: number;
    p90Ms: number;
    unanswered?: number;
    unansweredFailed?: number;
    external?: boolean;
    shift?: ServiceHealth['shift'];
  }[];
}

/** A piece of evidence of a ranked cause, as GET /api/v1/rca answers (the server's own type). */
export type { EvidenceItem } from '../../../src/core/use-cases/root-cause-analysis.js';

/** GET /api/v1/rca: ranked root-cause candidates with their evidence (the server's own view type). */
export type Rca = RcaView;

export type { Explanation } from '../../../src/core/domain/explanation.js';
export type { LogReport } from '../../../src/core/domain/log-report.js';
export type { AnalysisSummary } from '../../../src/core/ports/history-store.port.js';

export interface Extent {
  from: string | null;
  to: string | null;
}

export interface LogLine {
  id: string;
  time: string;
  severityText: string;
  body: string;
  resource: { service?: string; pod?: string };
  traceId: string;
  templateId: string;
}

export interface ApiKeyView {
  id: string;
  tenant: string;
  scope: string;
  name: string;
  created: string;
  revoked: string | null;
}

/** One step of GET /api/v1/red: the store's span RED of a service (spans, failed spans, requests, failed and failed in it, p50 and p90) at a time. */
export type RedPoint = Omit<ServiceSpanStats, 'service' | 'bucketMs' | 'count'> & {
  time: string;
  spans: number;
};

/** GET /api/v1/red: RED per step, per operation (or "*" for a whole service). */
export interface Red {
  from: string;
  to: string;
  step: number;
  operations: { service: string; operation: string; points: RedPoint[] }[];
}

/** GET /api/v1/calls: the call paths to and from a service, with the median time a call spent outside its callee. */
export interface CallPaths {
  from: string;
  to: string;
  step: number;
  paths: {
    caller: string;
    callee: string;
    points: { time: string; calls: number; errors: number; gapMs: number }[];
  }[];
}

/** GET /api/v1/peer-calls: the calls to a service as its callers' CLIENT spans name it, answered or not. */
export interface PeerCalls {
  from: string;
  to: string;
  step: number;
  service: string;
  callers: {
    caller: string;
    peer: string;
    points: { time: string; calls: number; answered: number; failed: number }[];
  }[];
}

/** GET /api/v1/metrics: one metric name. */
export interface MetricName {
  name: string;
  series: number;
  points: number;
  first: string;
  last: string;
}

/** GET /api/v1/metrics/series: a metric's series (labels + resource), aggregated per step. */
export interface MetricSeries {
  name: string;
  step: number;
  agg: string;
  series: {
    labels: string;
    resource: Record<string, string | undefined>;
    points: { time: string; value: number; count: number }[];
  }[];
}

/** GET /api/v1/spans: a span with its duration. */
export interface SpanRow {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  start: string;
  durationMs: number;
  statusCode: number;
  statusMessage: string;
  resource: { service?: string; pod?: string };
}

/** GET /api/v1/notifiers: one destination of incident notices (the secret part of its URL hidden). */
export interface NotifierView {
  kind: string;
  name: string;
  sent: number;
  failed: number;
  lastSent: string | null;
  lastFailure: { time: string; message: string } | null;
}
