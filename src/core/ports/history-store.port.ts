import type { ApiKeyRecord } from '../domain/api-key.js';
import type { EnrolTokenRecord } from '../domain/enrolment.js';
import type { Incident, IncidentStatus } from '../domain/incident.js';
import type { LogReport } from '../domain/log-report.js';
import type { ExplanationStorePort } from './explanation-store.port.js';

/** A log analysis kept in history: the report as `bifrost analyze --output json` gives it. */
export interface StoredAnalysis {
  id: string;
  tenant: string;
  createdMs: number;
  /** The source names, joined ("api.log" or "3 files"). */
  name: string;
  report: LogReport;
}

export interface AnalysisSummary {
  id: string;
  createdMs: number;
  name: string;
  lines: number;
  findings: number;
}

export interface IncidentQuery {
  status?: IncidentStatus;
  /** Incidents whose first symptom lies in [fromMs, toMs). */
  fromMs?: number;
  toMs?: number;
  limit: number;
  cursor?: string;
}

/** What the server keeps beside telemetry: API keys, analyses, incidents, and the model layer's cache, usage and records. */
export interface HistoryStorePort extends ExplanationStorePort {
  /** Inserts or replaces the tenant's incident with this id. */
  putIncident(tenant: string, incident: Incident): Promise<void>;
  getIncident(tenant: string, id: string): Promise<Incident | undefined>;
  /** Newest first symptom first; cursor from the previous page. */
  listIncidents(tenant: string, q: IncidentQuery): Promise<{ items: Incident[]; next?: string }>;
  addAnalysis(a: StoredAnalysis): Promise<void>;
  getAnalysis(tenant: string, id: string): Promise<StoredAnalysis | undefined>;
  /** Newest first; cursor from the previous page. */
  listAnalyses(
    tenant: string,
    q: { limit: number; cursor?: string },
  ): Promise<{ items: AnalysisSummary[]; next?: string }>;
  /** false when the tenant has no analysis with this id. */
  deleteAnalysis(tenant: string, id: string): Promise<boolean>;
  addKey(key: ApiKeyRecord): Promise<void>;
  /** The key with this id, revoked or not. */
  findKey(id: string): Promise<ApiKeyRecord | undefined>;
  listKeys(): Promise<ApiKeyRecord[]>;
  /** false when no key has this id. */
  revokeKey(id: string, atMs: number): Promise<boolean>;
  addEnrolToken(token: EnrolTokenRecord): Promise<void>;
  /** The token with this id, used, expired or not. */
  findEnrolToken(id: string): Promise<EnrolTokenRecord | undefined>;
  listEnrolTokens(): Promise<EnrolTokenRecord[]>;
  /**
   * Spends the token and stores the key it issued, both or neither: false (nothing changed) when
   * the token is unknown, already used, or expired at `atMs`.
   */
  redeemEnrolToken(id: string, atMs: number, key: ApiKeyRecord): Promise<boolean>;
}
