import type { ApiKeyRecord } from '../domain/api-key.js';

/** What the server keeps beside telemetry: API keys so far (analyses, incidents and the model cache later). */
export interface HistoryStorePort {
  addKey(key: ApiKeyRecord): Promise<void>;
  /** The key with this id, revoked or not. */
  findKey(id: string): Promise<ApiKeyRecord | undefined>;
  listKeys(): Promise<ApiKeyRecord[]>;
  /** false when no key has this id. */
  revokeKey(id: string, atMs: number): Promise<boolean>;
}
