import type { DuckDBValue } from '@duckdb/node-api';
import type { ApiKeyRecord, KeyScope } from '../../../core/domain/api-key.js';
import { AppError } from '../../../core/errors.js';
import type { HistoryStorePort } from '../../../core/ports/history-store.port.js';
import type { DuckDbHandle } from './duckdb-telemetry-store.js';

function toKey(row: readonly DuckDBValue[]): ApiKeyRecord {
  const k: ApiKeyRecord = { id: String(row[0]), hash: String(row[1]), tenant: String(row[2]), scope: String(row[3]) as KeyScope, name: String(row[4]), createdMs: Number(row[5]) };
  if (row[6] !== null) k.revokedMs = Number(row[6]);
  return k;
}

/** API keys in the same DuckDB file as the telemetry (table api_keys). */
export function duckDbHistoryStore(db: DuckDbHandle): HistoryStorePort {
  const conn = db.conn;
  const serial = <T>(fn: () => Promise<T>): Promise<T> => db.serial(fn);
  const check = () => {
    if (!db.isOpen()) throw new AppError('STORE.UNAVAILABLE', 'the store is closed');
  };
  const cols = 'id, hash, tenant, scope, name, created_ms, revoked_ms';
  return {
    addKey: (k) =>
      serial(async () => {
        check();
        await conn.run('INSERT INTO api_keys VALUES ($1, $2, $3, $4, $5, $6, NULL)', [k.id, k.hash, k.tenant, k.scope, k.name, k.createdMs]);
      }),
    findKey: (id) =>
      serial(async () => {
        check();
        const rows = (await conn.runAndReadAll(`SELECT ${cols} FROM api_keys WHERE id = $1`, [id])).getRows();
        return rows.length === 0 ? undefined : toKey(rows[0]!);
      }),
    listKeys: () =>
      serial(async () => {
        check();
        return (await conn.runAndReadAll(`SELECT ${cols} FROM api_keys ORDER BY created_ms, id`)).getRows().map(toKey);
      }),
    revokeKey: (id, atMs) =>
      serial(async () => {
        check();
        const found = (await conn.runAndReadAll('SELECT 1 FROM api_keys WHERE id = $1', [id])).getRows().length > 0;
        if (found) await conn.run('UPDATE api_keys SET revoked_ms = coalesce(revoked_ms, $2) WHERE id = $1', [id, atMs]);
        return found;
      }),
  };
}
