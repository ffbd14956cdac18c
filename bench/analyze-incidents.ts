/**
 * Incidents from logs alone (`bifrost analyze`) on the Nezha TrainTicket faults: for every fault
 * of fault_list.json, the log minutes given for it (the injection minute and the two after) are
 * given to `bifrost analyze --output json` (the real CLI) two ways: written out one file per pod,
 * as `kubectl logs` per pod or /var/log/pods would hold them (the container runtime's JSON lines
 * of the `Log` column: services from the file names), and as one CSV export of the three minutes
 * (services from its PodName column). The faulty pod's service is looked for among the
 * incidents' ranked causes (all incidents' causes by score). No traces, no metrics, no time
 * before the fault: a baseline for what logs alone tell, not a tuning target.
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
const faults = Object.values(
  JSON.parse(readFileSync(join(data, 'fault_list.json'), 'utf8')) as Record<string, Fault[]>,
).flat();
const work = mkdtempSync(join(tmpdir(), 'bifrost-analyze-incidents-'));
const two = (n: number) => String(n).padStart(2, '0');
type Mode = 'pods' | 'export';
const MODES: Mode[] = ['pods', 'export'];
const rows: {
  mode: Mode;
  at: string;
  service: string;
  type: string;
  rank: number | null;
  incidents: number;
  files: number;
  seconds: number;
  top3: string;
}[] = [];

/** Runs analyze on `inputs` and records where the faulty service ranks among the incidents' causes. */
function measure(mode: Mode, f: Fault, inputs: string[]): void {
  const t0 = performance.now();
  const report = JSON.parse(
    bifrost(['analyze', ...inputs, '--output', 'json', '--no-cache', '--no-progress']),
  ) as LogReport;
  const seconds = (performance.now() - t0) / 1000;
  const want = workloadOf(f.inject_pod);
  const causes = (report.incidents ?? [])
    .flatMap((i) => i.causes)
    .sort((a, b) => b.score - a.score);
  const at = [...new Set(causes.map((c) => c.service))].indexOf(want);
  rows.push({
    mode,
    at: f.inject_time,
    service: want,
    type: f.inject_type,
    rank: at < 0 ? null : at + 1,
    incidents: report.incidents?.length ?? 0,
    files: inputs.length,
    seconds,
    top3: causes
      .slice(0, 3)
      .map((c) => `${c.service} ${c.score.toFixed(2)}`)
      .join(' · '),
  });
}

try {
  for (const f of faults) {
    const atMs = Date.parse(`${f.inject_time.replace(' ', 'T')}Z`);
    const dir = join(work, f.inject_time.slice(11).replace(/:/g, ''));
    mkdirSync(dir, { recursive: true });
    const byPod = new Map<string, { ns: string; line: string }[]>();
    const csv: string[] = [];
    for (let m = 0; m < MINUTES; m++) {
      const d = new Date(atMs + m * 60_000);
      const file = join(
        data,
        'log',
        `${two(d.getUTCHours())}_${two(d.getUTCMinutes())}_log.csv.gz`,
      );
      if (!existsSync(file)) continue;
      const text = gunzipSync(readFileSync(file)).toString('utf8');
      csv.push(csv.length === 0 ? text : text.slice(text.indexOf('\n') + 1));
      // a few records of the export are broken across lines: skipped, as a reader of the files would
      const records = parse<Record<string, string>>(text, {
        columns: true,
        relax_quotes: true,
        relax_column_count: true,
        skip_records_with_error: true,
      });
      for (const r of records) {
        if (r.PodName === undefined || r.Log === undefined) continue;
        let list = byPod.get(r.PodName);
        if (list === undefined) byPod.set(r.PodName, (list = []));
        list.push({ ns: r.TimeUnixNano ?? '', line: r.Log });
      }
    }
    for (const [pod, lines] of byPod)
      writeFileSync(
        join(dir, `${pod}.log`),
        lines
          .sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0))
          .map((x) => x.line)
          .join('\n') + '\n',
      );
    measure('pods', f, [dir]);
    const exportFile = join(work, `${f.inject_time.slice(11).replace(/:/g, '')}.csv`);
    writeFileSync(exportFile, csv.map((t) => (t.endsWith('\n') ? t : `${t}\n`)).join(''));
    measure('export', f, [exportFile]);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const within = (mode: Mode, k: number) => {
  const mine = rows.filter((r) => r.mode === mode);
  return mine.filter((r) => r.rank !== null && r.rank <= k).length / mine.length;
};
console.log(
  `\nIncidents from logs alone (bifrost analyze, ${MINUTES} min from each injection), Nezha TrainTicket: one file per pod | one CSV export\n`,
);
console.log(
  `${'injected'.padEnd(20)} ${'faulty service'.padEnd(28)} ${'type'.padEnd(15)} ${'rank'.padEnd(9)} top 3 causes (per pod | export)`,
);
for (const r of rows.filter((x) => x.mode === 'pods')) {
  const e = rows.find((x) => x.mode === 'export' && x.at === r.at)!;
  console.log(
    `${r.at.padEnd(20)} ${r.service.padEnd(28)} ${r.type.padEnd(15)} ${`${r.rank ?? '—'} | ${e.rank ?? '—'}`.padEnd(9)} ${r.top3} | ${e.top3}`,
  );
}
const summary = Object.fromEntries(
  MODES.map((mode) => {
    const mine = rows.filter((r) => r.mode === mode);
    return [
      mode,
      {
        faults: mine.length,
        top1: within(mode, 1),
        top3: within(mode, 3),
        top5: within(mode, 5),
        analyzeSecondsMean: mine.reduce((a, r) => a + r.seconds, 0) / mine.length,
      },
    ];
  }),
) as Record<
  Mode,
  { faults: number; top1: number; top3: number; top5: number; analyzeSecondsMean: number }
>;
console.log('');
for (const mode of MODES) {
  const x = summary[mode];
  console.log(
    `${mode === 'pods' ? 'one file per pod' : 'one CSV export  '}  top-1 ${x.top1.toFixed(3)}   top-3 ${x.top3.toFixed(3)}   top-5 ${x.top5.toFixed(3)}   (${x.faults} faults; analyze ${x.analyzeSecondsMean.toFixed(2)} s per fault)`,
  );
}
console.log('(bench:rca, with traces and ±2 h of reference: 0.929 / 1.000)');
mkdirSync(resultsDir(), { recursive: true });
writeFileSync(
  join(resultsDir(), 'analyze-incidents.json'),
  JSON.stringify({ minutes: MINUTES, summary, rows }, null, 2),
);
