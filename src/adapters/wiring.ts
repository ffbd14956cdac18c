import type { HistoryStorePort } from '../core/ports/history-store.port.js';
import type { TelemetryStorePort } from '../core/ports/telemetry-store.port.js';
import { createMemoryHistoryStore } from './store/memory/memory-history-store.js';
import { createMemoryTelemetryStore } from './store/memory/memory-telemetry-store.js';

export interface Stores {
  telemetry: TelemetryStorePort;
  history: HistoryStorePort;
}

/** The only place configuration picks the stores: one DuckDB file for both, or memory when no file is given. */
export async function createStores(options: {
  dataFile: string | undefined;
  /** DuckDB's own memory bound (default: DuckDB's, 80% of RAM). */
  memoryLimitMb?: number;
}): Promise<Stores> {
  if (options.dataFile === undefined)
    return { telemetry: createMemoryTelemetryStore(), history: createMemoryHistoryStore() };
  // DuckDB loads only when a store is opened (0.3 s of start-up that `analyze` does not need)
  const [{ duckDbTelemetryStore, openDuckDb }, { duckDbHistoryStore }] = await Promise.all([
    import('./store/duckdb/duckdb-telemetry-store.js'),
    import('./store/duckdb/duckdb-history-store.js'),
  ]);
  const db = await openDuckDb(
    options.dataFile,
    options.memoryLimitMb === undefined ? {} : { memoryLimitMb: options.memoryLimitMb },
  );
  return { telemetry: duckDbTelemetryStore(db), history: duckDbHistoryStore(db) };
}
