import type { TelemetryStorePort } from '../core/ports/telemetry-store.port.js';
import { createDuckDbTelemetryStore } from './store/duckdb/duckdb-telemetry-store.js';
import { createMemoryTelemetryStore } from './store/memory/memory-telemetry-store.js';

/** The only place configuration picks a store: a DuckDB file, or memory when no file is given. */
export async function createTelemetryStore(options: { dataFile: string | undefined }): Promise<TelemetryStorePort> {
  return options.dataFile === undefined ? createMemoryTelemetryStore() : createDuckDbTelemetryStore({ path: options.dataFile });
}
