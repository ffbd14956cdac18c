import type { ApiKeyRecord } from '../domain/api-key.js';
import type { LogReport } from '../domain/log-report.js';

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

/** What the server keeps beside telemetry: API keys and analyses (incidents and the model cache later). */
export interface HistoryStorePort {
  addAnalysis(a: StoredAnalysis): Promise<void>;
  getAnalysis(tenant: string, id: string): Promise<StoredAnalysis | undefined>;
  /** Newest first; cursor from the previous page. */
  listAnalyses(tenant: string, q: { limit: number; cursor?: string }): Promise<{ items: AnalysisSummary[]; next?: string }>;
  /** false when the tenant has no analysis with this id. */
  deleteAnalysis(tenant: string, id: string): Promise<boolean>;
  addKey(key: ApiKeyRecord): Promise<void>;
  /** The key with this id, revoked or not. */
  findKey(id: string): Promise<ApiKeyRecord | undefined>;
  listKeys(): Promise<ApiKeyRecord[]>;
  /** false when no key has this id. */
  revokeKey(id: string, atMs: number): Promise<boolean>;
}
