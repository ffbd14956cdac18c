import type { HistoryStorePort } from '../core/ports/history-store.port.js';
import type { TelemetryStorePort } from '../core/ports/telemetry-store.port.js';
import { duckDbHistoryStore } from './store/duckdb/duckdb-history-store.js';
import { duckDbTelemetryStore, openDuckDb } from './store/duckdb/duckdb-telemetry-store.js';
import { createMemoryHistoryStore } from './store/memory/memory-history-store.js';
import { createMemoryTelemetryStore } from './store/memory/memory-telemetry-store.js';

export interface Stores {
  telemetry: TelemetryStorePort;
  history: HistoryStorePort;
}

/** The only place configuration picks the stores: one DuckDB file for both, or memory when no file is given. */
export async function createStores(options: { dataFile: string | undefined }): Promise<Stores> {
  if (options.dataFile === undefined) return { telemetry: createMemoryTelemetryStore(), history: createMemoryHistoryStore() };
  const db = await openDuckDb(options.dataFile);
  return { telemetry: duckDbTelemetryStore(db), history: duckDbHistoryStore(db) };
}
