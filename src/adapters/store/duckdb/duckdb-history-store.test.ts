import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHistoryStoreContract } from '../../../../test/contracts/history-store.contract.js';
import { duckDbHistoryStore } from './duckdb-history-store.js';
import { openDuckDb } from './duckdb-telemetry-store.js';

runHistoryStoreContract('duckdb file', async () =>
  duckDbHistoryStore(
    await openDuckDb(join(mkdtempSync(join(tmpdir(), 'bifrost-hist-')), 'b.duckdb')),
  ),
);

describe('duckdb history store, a file from before enrolment', () => {
  it('gains the origin column and the token table; its keys read as made by hand', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bifrost-hist-')), 'old.duckdb');
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    await conn.run(`CREATE TABLE api_keys (
     id VARCHAR PRIMARY KEY, hash VARCHAR NOT NULL, tenant VARCHAR NOT NULL, scope VARCHAR NOT NULL, name VARCHAR NOT NULL,
     created_ms DOUBLE NOT NULL, revoked_ms DOUBLE)`);
    await conn.run(
      `INSERT INTO api_keys VALUES ('AAAAAAAA', 'ab', 'shop', 'read', 'old', 1, NULL)`,
    );
    conn.closeSync();
    instance.closeSync();
    const db = await openDuckDb(path);
    const s = duckDbHistoryStore(db);
    expect(await s.findKey('AAAAAAAA')).toEqual({
      id: 'AAAAAAAA',
      hash: 'ab',
      tenant: 'shop',
      scope: 'read',
      name: 'old',
      createdMs: 1,
    });
    expect(await s.listEnrolTokens()).toEqual([]);
    await db.close();
  });
});
