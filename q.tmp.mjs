import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create('/work/rca-store/bifrost.duckdb', { access_mode: 'READ_ONLY' });
const c = await db.connect();
const r = await c.runAndReadAll(process.argv[2]);
console.log(r.columnNames().join('\t'));
for (const row of r.getRows()) console.log(row.map(String).join('\t'));
