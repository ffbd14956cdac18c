/**
 * Root-cause ranking on the Nezha TrainTicket data (../shared/data/nezha-trainticket): imports it
 * with `bifrost import --format nezha` into a fresh store, then for every fault of
 * fault_list.json runs `bifrost rca --at <inject_time> --output json` (the real CLI) and checks
 * where the injected pod's service ranks. Reports top-1 and top-3 accuracy, per service and per
 * fault type (a view of how it does on services and fault kinds other than the one at hand).
 * Run: npm run bench:rca [-- --store <dir>] [-- --window 10m] [-- --offset 60s] [-- --reference 6h] [-- --nezha <dir>]   (writes bench/results/rca.json)
 *   --store <dir>     reuse (or create once) the imported store there instead of a temporary one
 *   --nezha <dir>     another folder in the same layout (another day, the Online Boutique half, a
 *                     part kept aside) instead of ../shared/data/nezha-trainticket
 *   --offset <±N s|m> ask at this long after the injection (before it, negative): an alert that
 *                     lags the fault, or a clock that runs ahead (robustness, not tuning)
 *   --reference <dur> rca's --reference (usual behaviour learnt from this much data on each side;
 *                     rca's default when not given)
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseDuration } from '../src/core/domain/time-text.js';
import { workloadOf } from '../src/core/domain/workload.js';
import { baselineRange, bifrost, nezhaData as data, nezhaStore } from './nezha.js';
import { resultsDir } from './paths.js';

interface Fault {
  inject_time: string;
  inject_pod: string;
  inject_type: string;
}

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

// the options are checked before anything is imported or run
const window = arg('--window') ?? '10m';
const reference = arg('--reference');
for (const [name, value] of [['--window', window], ['--reference', reference]] as const) {
  if (value !== undefined && parseDuration(value) === undefined) {
    process.stderr.write(`${name} ${value}: expected a duration such as 30s, 10m, 2h or 1d\n`);
    process.exit(2);
  }
}
const offsetArg = arg('--offset') ?? '0s';
const offsetMatch = /^([+-]?\d+)(s|m)$/.exec(offsetArg);
if (offsetMatch === null) {
  process.stderr.write(`--offset ${offsetArg}: expected a signed whole number of seconds or minutes, e.g. 60s, -30s, 2m\n`);
  process.exit(2);
}
const offsetMs = Number(offsetMatch[1]) * (offsetMatch[2] === 'm' ? 60_000 : 1000);

const keep = arg('--store');
const { store, temporary, importSeconds } = nezhaStore(keep);
const faults: Fault[] = Object.values(JSON.parse(readFileSync(join(data, 'fault_list.json'), 'utf8')) as Record<string, Fault[]>).flat();
const injected = (f: Fault) => Date.parse(`${f.inject_time.replace(' ', 'T')}Z`);
interface Row {
  at: string;
  service: string;
  type: string;
  rank: number | undefined;
  top3: string[];
  incident?: string;
  /** The detected incident's first cause is the faulty service. */
  incidentRight?: boolean;
  seconds: number;
}
const rows: Row[] = [];
for (const f of faults) {
  const service = workloadOf(f.inject_pod);
  const t0 = performance.now();
  const out = JSON.parse(bifrost(['rca', '--at', new Date(injected(f) + offsetMs).toISOString(), '--window', window, ...(reference === undefined ? [] : ['--reference', reference]), '--output', 'json', '--top', '50', '--data', store])) as { candidates: { service: string; score: number }[] };
  const seconds = (performance.now() - t0) / 1000;
  const i = out.candidates.findIndex((c) => c.service === service);
  rows.push({ at: f.inject_time, service, type: f.inject_type, rank: i < 0 ? undefined : i + 1, top3: out.candidates.slice(0, 3).map((c) => `${c.service} ${c.score.toFixed(2)}`), seconds });
}
// incidents over the whole store, then: which faults had one opened near them, and how many
// opened in the fault-free baseline period
const incidents = (JSON.parse(bifrost(['incidents', '--output', 'json', '--data', store])) as { incidents: { id: string; firstSymptomMs: number; detectedMs: number; services: string[]; causes: { service: string }[] }[] }).incidents;
if (temporary) rmSync(store, { recursive: true, force: true });
const NEAR_BEFORE = 2 * 60_000;
const NEAR_AFTER = 5 * 60_000;
const detected = faults.map((f) => {
  const t = injected(f);
  return incidents.find((i) => i.detectedMs >= t - NEAR_BEFORE && i.detectedMs <= t + NEAR_AFTER);
});
detected.forEach((d, i) => {
  if (d === undefined) return;
  rows[i]!.incident = d.id;
  rows[i]!.incidentRight = d.causes[0]?.service === rows[i]!.service;
});
const baseline = baselineRange();
const hasBaseline = Number.isFinite(baseline.fromMs);
const baselineIncidents = incidents.filter((i) => i.firstSymptomMs < baseline.toMs && i.detectedMs >= baseline.fromMs);

const share = (rs: Row[], k: number) => rs.filter((r) => r.rank !== undefined && r.rank <= k).length / Math.max(rs.length, 1);
const pad = (s: string, n: number) => s.padEnd(n);
console.log(`\nRoot-cause ranking, Nezha ${basename(resolve(data))} (${faults.length} faults, window ${window}${reference === undefined ? '' : `, reference ${reference}`}${offsetMs === 0 ? '' : `, asked ${offsetArg} from the injection`})\n`);
const printRows = () => {
  console.log(`${pad('inject time', 20)} ${pad('service', 30)} ${pad('type', 15)} rank  ${pad('incident', 11)} top 3`);
  for (const r of rows) console.log(`${pad(r.at, 20)} ${pad(r.service, 30)} ${pad(r.type, 15)} ${pad(String(r.rank ?? '—'), 5)} ${pad(r.incident ?? '—', 11)} ${r.top3.join(' · ')}`);
};
printRows();
const groups = (key: (r: Row) => string) => {
  const m = new Map<string, Row[]>();
  for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
  return [...m].map(([k, rs]) => ({ group: k, faults: rs.length, top1: share(rs, 1), top3: share(rs, 3) }));
};
const byService = groups((r) => r.service);
const byType = groups((r) => r.type);
console.log('\nper service:', byService.map((g) => `${g.group} ${g.top1.toFixed(2)}/${g.top3.toFixed(2)} (${g.faults})`).join(' · '));
console.log('per type:   ', byType.map((g) => `${g.group} ${g.top1.toFixed(2)}/${g.top3.toFixed(2)} (${g.faults})`).join(' · '));
const recall = detected.filter((d) => d !== undefined).length / faults.length;
const summary = { faults: faults.length, window, offset: offsetArg, incidents: incidents.length, detectionRecall: recall, incidentCauseRight: rows.filter((r) => r.incidentRight === true).length, baselineIncidents: hasBaseline ? baselineIncidents.length : null, baseline: hasBaseline ? { from: new Date(baseline.fromMs).toISOString(), to: new Date(baseline.toMs).toISOString() } : null, top1: share(rows, 1), top3: share(rows, 3), top5: share(rows, 5), rcaSecondsMean: rows.reduce((a, r) => a + r.seconds, 0) / rows.length, importSeconds };
console.log(`\ntop-1 ${summary.top1.toFixed(3)}   top-3 ${summary.top3.toFixed(3)}   top-5 ${summary.top5.toFixed(3)}   (Nezha, FSE 2023, on 45 TrainTicket faults: 0.867 / 0.978)`);
console.log(`incidents: ${incidents.length} found; detection recall ${recall.toFixed(3)} (an incident opened from 2 min before to 5 min after the injection: ${detected.filter((d) => d !== undefined).length} of ${faults.length}), its first cause the faulty service for ${rows.filter((r) => r.incidentRight === true).length}; ${summary.baseline === null ? 'no baseline/ folder (no fault-free period to check)' : `${baselineIncidents.length} in the fault-free baseline period ${summary.baseline.from.slice(11, 19)}–${summary.baseline.to.slice(11, 19)}`}`);
console.log(`rca ${summary.rcaSecondsMean.toFixed(2)} s per fault (CLI, including start-up)${importSeconds === undefined ? '' : `; import ${importSeconds.toFixed(1)} s`}`);
mkdirSync(resultsDir(), { recursive: true });
writeFileSync(join(resultsDir(), 'rca.json'), JSON.stringify({ summary, byService, byType, rows, incidents: incidents.map((i) => ({ id: i.id, detected: new Date(i.detectedMs).toISOString(), services: i.services, topCause: i.causes[0]?.service })) }, null, 2));

