// Regenerates examples/metrics/ (deterministic): node examples/generate-metrics.mjs
// Seven days at 5-minute steps ending on 2026-01-12 of a checkout service, with three problems:
// - checkout-latency-p95-ms.csv: p95 latency with a daily pattern; from 2026-01-12 10:40 it
//   shifts from ~180 ms to ~420 ms (a slow dependency);
// - orders-per-minute.jsonl: orders follow the day; on 2026-01-11 the evening peak is missing;
// - payments-queue-depth.csv: a queue gauge that normally moves; it freezes for 4 hours on
//   2026-01-10 (the exporter stopped updating).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

let seed = 42;
const u = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
const g = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
const dir = join(import.meta.dirname, 'metrics');
const T0 = Date.UTC(2026, 0, 5, 0, 0);
const N = 7 * 288 + 12 * 14;
const ts = (i) => new Date(T0 + i * 300_000).toISOString().slice(0, 19) + 'Z';
const hourOf = (i) => ((i % 288) / 288) * 24;
const day = (h) => 0.5 - 0.5 * Math.cos(((h - 3) / 24) * 2 * Math.PI);

let csv = 'timestamp,value\n';
for (let i = 0; i < N; i++) {
  const shifted = T0 + i * 300_000 >= Date.UTC(2026, 0, 12, 10, 40);
  csv += `${ts(i)},${(120 + 80 * day(hourOf(i)) + 6 * g() + (shifted ? 240 : 0)).toFixed(1)}\n`;
}
writeFileSync(join(dir, 'checkout-latency-p95-ms.csv'), csv);

let jl = '';
for (let i = 0; i < N; i++) {
  const h = hourOf(i);
  const evening = h >= 17 && h < 22 ? 1 : 0;
  const missing = i >= 6 * 288 && i < 7 * 288 && evening;
  jl += JSON.stringify({ timestamp: ts(i), value: Math.max(0, Math.round(40 + 200 * day(h) + (missing ? 0 : 160 * evening) + 8 * g())) }) + '\n';
}
writeFileSync(join(dir, 'orders-per-minute.jsonl'), jl);

let q = 'timestamp,value\n';
let frozen = 0;
for (let i = 0; i < N; i++) {
  const stuck = i >= 5 * 288 + 100 && i < 5 * 288 + 148;
  const v = stuck ? frozen : Math.max(0, Math.round(30 + 10 * g()));
  if (!stuck) frozen = v;
  q += `${ts(i)},${v}\n`;
}
writeFileSync(join(dir, 'payments-queue-depth.csv'), q);

// examples/entity/checkout-node-7.csv: the node under the checkout pods, five metrics at 5-minute
// steps over the same week (bifrost detect --entity). disk_io_mbps bursts every 2 hours (a backup
// job: routine, not news); from 2026-01-12 08:00 memory leaks ~60 MB per step on top of its usual
// sawtooth while CPU stays normal.
const edir = join(import.meta.dirname, 'entity');
mkdirSync(edir, { recursive: true });
let e = 'timestamp,cpu_pct,mem_used_mb,disk_io_mbps,net_rx_mbps,load1\n';
const leakFrom = (Date.UTC(2026, 0, 12, 8, 0) - T0) / 300_000;
for (let i = 0; i < N; i++) {
  const d = day(hourOf(i));
  const cpu = 20 + 45 * d + 3 * g();
  const mem = 5200 + 10 * (i % 72) + 30 * g() + (i >= leakFrom ? 60 * (i - leakFrom) : 0);
  const disk = 12 + 3 * g() + (i % 24 === 0 ? 160 + 20 * g() : 0);
  const net = 30 + 60 * d + 5 * g();
  const load = 1 + 4 * d + 0.3 * g();
  e += `${ts(i)},${cpu.toFixed(1)},${mem.toFixed(0)},${disk.toFixed(1)},${net.toFixed(1)},${load.toFixed(2)}\n`;
}
writeFileSync(join(edir, 'checkout-node-7.csv'), e);
