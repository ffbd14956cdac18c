import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHistoryStoreContract } from '../../../../test/contracts/history-store.contract.js';
import { duckDbHistoryStore } from './duckdb-history-store.js';
import { openDuckDb } from './duckdb-telemetry-store.js';

runHistoryStoreContract('duckdb file', async () =>
  duckDbHistoryStore(
    await openDuckDb(join(mkdtempSync(join(tmpdir(), 'bifrost-hist-')), 'b.duckdb')),
  ),
);
