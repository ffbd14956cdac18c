import { AppError } from '../core/errors.js';
import type { HistoryStorePort } from '../core/ports/history-store.port.js';
import type { TelemetryStorePort } from '../core/ports/telemetry-store.port.js';
import { createMemoryHistoryStore } from './store/memory/memory-history-store.js';
import { createMemoryTelemetryStore } from './store/memory/memory-telemetry-store.js';

export interface Stores {
  telemetry: TelemetryStorePort;
  history: HistoryStorePort;
}

/**
 * The only place configuration picks the stores: a shared PostgreSQL database when one is given
 * (several nodes write and read it), else one DuckDB file for both, or memory when no file is given.
 */
export async function createStores(options: {
  dataFile: string | undefined;
  /** A shared PostgreSQL store (postgres://…) and the schema its tables live in. */
  shared?: { url: string; schema?: string };
  /** DuckDB's own memory bound (default: DuckDB's, 80% of RAM). */
  memoryLimitMb?: number;
}): Promise<Stores> {
  if (options.shared !== undefined) {
    const [{ openPostgres }, { postgresTelemetryStore }, { postgresHistoryStore }] =
      await Promise.all([
        import('./store/postgres/postgres-db.js'),
        import('./store/postgres/postgres-telemetry-store.js'),
        import('./store/postgres/postgres-history-store.js'),
      ]);
    const db = await openPostgres(options.shared);
    return { telemetry: postgresTelemetryStore(db), history: postgresHistoryStore(db) };
  }
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

/** A shared store's URL must be PostgreSQL's (postgres:// or postgresql://); anything else gets advice. */
export function checkStoreUrl(url: string): void {
  if (!/^postgres(ql)?:\/\/./.test(url))
    throw new AppError(
      'INPUT.BAD_OPTION',
      `--store (BIFROST_STORE) must be a PostgreSQL URL such as postgres://bifrost:secret@db:5432/bifrost, got "${url.replace(/\/\/[^@/]*@/, '//…@')}"`,
      { field: 'store' },
    );
}
