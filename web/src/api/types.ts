/** The parts of the REST API (/openapi.json) the dashboard reads; incidents and explanations are the server's own types. */

import type { incidentView } from '../../../src/core/domain/incident.js';

/** An incident as GET /api/v1/incidents/{id} answers (the server's own view type, not a copy). */
export type Incident = ReturnType<typeof incidentView>;

export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface Finding {
  id: string;
  kind: string;
  time: string;
  score: number;
  reason: string;
  metric: string;
  resource?: Record<string, string | undefined>;
}

export interface ServiceHealth {
  service: string;
  spans: number;
  ratePerMin: number;
  errorRatio: number;
  p50Ms: number;
  p90Ms: number;
  shift: { p90Ratio: number | null; errorRatioChange: number; before: { count: number; p90Ms: number } } | null;
}

export interface Graph {
  from: string;
  to: string;
  services: ServiceHealth[];
  edges: { caller: string; callee: string; calls: number; errors: number; p90Ms: number; shift?: ServiceHealth['shift'] }[];
}

export interface EvidenceItem {
  id: string;
  signal: string;
  reason: string;
  ref: { type: string; templateId?: string; template?: string };
  examples?: { logId: string; timeMs: number; body: string; traceId: string }[];
  spans?: { traceId: string; spanId: string; operation: string; startMs: number; durationMs: number; statusCode: number }[];
}

export interface Rca {
  at: string;
  window: { from: string; to: string };
  candidates: { service: string; score: number; reasons: string[]; explains: string[]; explainedBy: string[]; evidence: EvidenceItem[] }[];
  notes: string[];
}

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
