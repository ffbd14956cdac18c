import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTelemetryStoreContract } from '../../../../test/contracts/telemetry-store.contract.js';
import { createDuckDbTelemetryStore } from './duckdb-telemetry-store.js';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'bifrost-duckdb-')), 'store', 'bifrost.duckdb');

runTelemetryStoreContract('duckdb file', () => createDuckDbTelemetryStore({ path: fresh() }));

describe('DuckDB store', () => {
  it('keeps what was committed across a reopen', async () => {
    const path = fresh();
    const a = await createDuckDbTelemetryStore({ path });
    await a.append('t', { metrics: [{ timeMs: 1, name: 'x', kind: 'sum', value: 5, labels: '{}', resource: { host: 'h' } }], findings: [] });
    await a.close();
    const b = await createDuckDbTelemetryStore({ path });
    expect(await b.metricPoints('t', { name: 'x', limit: 5 })).toEqual([{ timeMs: 1, name: 'x', kind: 'sum', value: 5, labels: '{}', resource: { host: 'h' } }]);
    await b.close();
  });
});
