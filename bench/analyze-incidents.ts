/**
 * Incidents from logs alone (`bifrost analyze`) on the Nezha TrainTicket faults: for every fault
 * of fault_list.json, the log minutes given for it (the injection minute and the two after) are
 * written out one file per pod, as `kubectl logs` per pod or /var/log/pods would hold them (the
 * container runtime's JSON lines of the `Log` column), then `bifrost analyze <dir> --output json`
 * (the real CLI) runs on them; the faulty pod's service is looked for among the incidents'
 * ranked causes (all incidents' causes by score). No traces, no metrics, no time before the
 * fault: a baseline for what logs alone tell, not a tuning target.
 * Run: npm run bench:analyze-incidents   (writes bench/results/analyze-incidents.json)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import type { LogReport } from '../src/core/domain/log-report.js';
import { workloadOf } from '../src/core/domain/workload.js';
import { bifrost, nezhaData as data } from './nezha.js';
import { resultsDir } from './paths.js';

interface Fault {
  inject_time: string;
  inject_pod: string;
  inject_type: string;
}

const MINUTES = 3;
const faults = Object.values(JSON.parse(readFileSync(join(data, 'fault_list.json'), 'utf8')) as Record<string, Fault[]>).flat();
const work = mkdtempSync(join(tmpdir(), 'bifrost-analyze-incidents-'));
const two = (n: number) => String(n).padStart(2, '0');
const rows: { at: string; service: string; type: string; rank: number | null; incidents: number; files: number; seconds: number; top3: string }[] = [];

try {
  for (const f of faults) {
    const atMs = Date.parse(`${f.inject_time.replace(' ', 'T')}Z`);
    const dir = join(work, f.inject_time.slice(11).replace(/:/g, ''));
    mkdirSync(dir, { recursive: true });
    const byPod = new Map<string, { ns: string; line: string }[]>();
    for (let m = 0; m < MINUTES; m++) {
      const d = new Date(atMs + m * 60_000);
      const file = join(data, 'log', `${two(d.getUTCHours())}_${two(d.getUTCMinutes())}_log.csv.gz`);
      if (!existsSync(file)) continue;
      // a few records of the export are broken across lines: skipped, as a reader of the files would
      const records = parse<Record<string, string>>(gunzipSync(readFileSync(file)), { columns: true, relax_quotes: true, relax_column_count: true, skip_records_with_error: true });
      for (const r of records) {
        if (r.PodName === undefined || r.Log === undefined) continue;
        let list = byPod.get(r.PodName);
        if (list === undefined) byPod.set(r.PodName, (list = []));
        list.push({ ns: r.TimeUnixNano ?? '', line: r.Log });
      }
    }
    for (const [pod, lines] of byPod) writeFileSync(join(dir, `${pod}.log`), lines.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0)).map((x) => x.line).join('\n') + '\n');
    const t0 = performance.now();
    const report = JSON.parse(bifrost(['analyze', dir, '--output', 'json', '--no-cache', '--no-progress'])) as LogReport;
    const seconds = (performance.now() - t0) / 1000;
    const want = workloadOf(f.inject_pod);
    const causes = (report.incidents ?? []).flatMap((i) => i.causes).sort((a, b) => b.score - a.score);
    const ranked = [...new Set(causes.map((c) => c.service))];
    const at = ranked.indexOf(want);
    rows.push({ at: f.inject_time, service: want, type: f.inject_type, rank: at < 0 ? null : at + 1, incidents: report.incidents?.length ?? 0, files: byPod.size, seconds, top3: causes.slice(0, 3).map((c) => `${c.service} ${c.score.toFixed(2)}`).join(' · ') });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const within = (k: number) => rows.filter((r) => r.rank !== null && r.rank <= k).length / rows.length;
console.log(`\nIncidents from logs alone (bifrost analyze on one file per pod, ${MINUTES} min from each injection), Nezha TrainTicket\n`);
console.log(`${'injected'.padEnd(20)} ${'faulty service'.padEnd(28)} ${'type'.padEnd(15)} ${'rank'.padEnd(5)} ${'inc.'.padEnd(5)} top 3 causes`);
for (const r of rows) console.log(`${r.at.padEnd(20)} ${r.service.padEnd(28)} ${r.type.padEnd(15)} ${String(r.rank ?? '—').padEnd(5)} ${String(r.incidents).padEnd(5)} ${r.top3}`);
const summary = { faults: rows.length, minutes: MINUTES, top1: within(1), top3: within(3), top5: within(5), analyzeSecondsMean: rows.reduce((a, r) => a + r.seconds, 0) / rows.length, filesMean: rows.reduce((a, r) => a + r.files, 0) / rows.length };
console.log(`\ntop-1 ${summary.top1.toFixed(3)}   top-3 ${summary.top3.toFixed(3)}   top-5 ${summary.top5.toFixed(3)}   (${rows.length} faults; analyze ${summary.analyzeSecondsMean.toFixed(2)} s per fault on ${summary.filesMean.toFixed(0)} files; bench:rca with traces and a reference: 0.929 / 1.000)`);
mkdirSync(resultsDir(), { recursive: true });
writeFileSync(join(resultsDir(), 'analyze-incidents.json'), JSON.stringify({ summary, rows }, null, 2));
