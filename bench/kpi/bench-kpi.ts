/**
 * KPI anomaly detection on the AIOps Challenge 2018 KPIs (../shared/data/kpi-aiops2018): runs the
 * real CLI (`bifrost detect <dir> --out <tmp>`), reads every point's score back, and scores it
 * with the challenge's segment F1 (delay 7: a labelled segment counts, all its points, when an
 * alarm falls within its first 8 points; precision and recall over the points of all series
 * pooled). Bifrost at its default threshold (0.53) and at the best one; Spectral Residual (SR,
 * KDD 2019) and a rolling robust z-score computed here on the same files as references, at their
 * best threshold. No setting is chosen here: every figure is of the shipped configuration.
 * Run: npm run bench:kpi   (writes bench/results/kpi.json)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DEFAULT_METRIC_DETECTOR_CONFIG } from '../../src/core/engine/metrics/detector-config.js';
import { projectRoot, resultsDir, sharedData } from '../paths.js';
import { robustZScores, spectralResidualScores } from './references.js';
import { bestSegmentF1, f1Of, segmentCounts } from './segment-f1.js';
import type { ScoredSeries } from './segment-f1.js';

const DELAY = 7;
const dir = join(sharedData(), 'kpi-aiops2018');
const files = readdirSync(dir)
  .filter((f) => /\.csv(\.gz)?$/.test(f))
  .sort();
if (files.length === 0) {
  process.stderr.write(`no KPI series (*.csv.gz) in ${dir}\n`);
  process.exit(2);
}

interface Kpi {
  key: string;
  values: number[];
  labels: Uint8Array;
}
const kpis: Kpi[] = files.map((f) => {
  const raw = readFileSync(join(dir, f));
  const text = (f.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  const rows = text.trim().split('\n').slice(1);
  const values: number[] = [];
  const labels = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    const c = r.split(',');
    values.push(Number(c[1]));
    labels[i] = c[2]?.trim() === '1' ? 1 : 0;
  });
  return { key: f.replace(/\.gz$/, ''), values, labels };
});
const points = kpis.reduce((a, k) => a + k.values.length, 0);
process.stderr.write(`${kpis.length} KPIs, ${points.toLocaleString('en-US')} points\n`);

// Bifrost: the CLI over the folder, every point's score read back from --out
const out = mkdtempSync(join(tmpdir(), 'bifrost-kpi-'));
const t0 = performance.now();
const run = spawnSync(
  process.execPath,
  [
    join(projectRoot(), 'bin', 'bifrost.js'),
    'detect',
    dir,
    '--out',
    out,
    '--output',
    'json',
    '--no-progress',
  ],
  { encoding: 'utf8', maxBuffer: 1 << 28 },
);
const cliMs = performance.now() - t0;
if (run.status !== 0) {
  process.stderr.write(run.stderr);
  throw new Error(`bifrost detect exited ${String(run.status)}`);
}
const bifrost: ScoredSeries[] = kpis.map((k) => {
  const lines = readFileSync(join(out, k.key), 'utf8').trim().split('\n').slice(1);
  if (lines.length !== k.values.length)
    throw new Error(`${k.key}: ${lines.length} scored rows for ${k.values.length} input rows`);
  return {
    labels: k.labels,
    scores: Float64Array.from(lines, (l) => Number(l.split(',')[2]) || 0),
  };
});
rmSync(out, { recursive: true, force: true });

const t1 = performance.now();
const sr: ScoredSeries[] = kpis.map((k) => ({
  labels: k.labels,
  scores: spectralResidualScores(k.values),
}));
const srMs = performance.now() - t1;
const z: ScoredSeries[] = kpis.map((k) => ({ labels: k.labels, scores: robustZScores(k.values) }));

const fmt = (x: number) => x.toFixed(3);
const bestB = bestSegmentF1(bifrost, DELAY);
const atDefault = f1Of(segmentCounts(bifrost, DEFAULT_METRIC_DETECTOR_CONFIG.threshold, DELAY));
const bestSr = bestSegmentF1(sr, DELAY);
const bestZ = bestSegmentF1(z, DELAY);

console.log(
  `\nAIOps 2018 KPIs: ${kpis.length} series, ${points.toLocaleString('en-US')} points, segment F1 with delay ${DELAY}, pooled\n`,
);
console.log(`${'detector'.padEnd(44)} F1     precision recall  threshold`);
const row = (
  name: string,
  r: { f1: number; precision: number; recall: number },
  t: number | string,
) => {
  console.log(
    `${name.padEnd(44)} ${fmt(r.f1)}  ${fmt(r.precision)}     ${fmt(r.recall)}   ${typeof t === 'number' ? t.toPrecision(4) : t}`,
  );
};
row('Bifrost detect, default threshold', atDefault, DEFAULT_METRIC_DETECTOR_CONFIG.threshold);
row('Bifrost detect, best threshold', bestB, bestB.threshold);
row('Spectral Residual (window 512), best', bestSr, bestSr.threshold);
row('rolling robust z (a day, refreshed hourly), best', bestZ, bestZ.threshold);
console.log(
  `\nBifrost / SR: ${(bestB.f1 / Math.max(bestSr.f1, 1e-9)).toFixed(2)}× (target ≥ 1.2×, and F1 ≥ 0.75)`,
);

console.log(`\nper series (each at the pooled best threshold of its detector):\n`);
console.log(
  `${'KPI'.padEnd(22)} ${'points'.padStart(8)} ${'anomalous'.padStart(9)}  Bifrost  SR     robust z`,
);
const perSeries = kpis.map((k, i) => {
  const one = (s: ScoredSeries, t: number) => f1Of(segmentCounts([s], t, DELAY)).f1;
  const r = {
    key: k.key,
    points: k.values.length,
    anomalous: k.labels.reduce((a, v) => a + v, 0),
    bifrost: one(bifrost[i]!, bestB.threshold),
    sr: one(sr[i]!, bestSr.threshold),
    z: one(z[i]!, bestZ.threshold),
  };
  console.log(
    `${r.key.padEnd(22)} ${String(r.points).padStart(8)} ${String(r.anomalous).padStart(9)}  ${fmt(r.bifrost)}    ${fmt(r.sr)}  ${fmt(r.z)}`,
  );
  return r;
});
console.log(
  `\nbifrost detect over the folder: ${(cliMs / 1000).toFixed(1)} s (${Math.round(points / (cliMs / 1000)).toLocaleString('en-US')} points/s, start-up and writing included); SR here ${(srMs / 1000).toFixed(1)} s`,
);
console.log('(published, on the challenge test split: SR 0.675, SR-CNN 0.749, delay 7)');

mkdirSync(resultsDir(), { recursive: true });
writeFileSync(
  join(resultsDir(), 'kpi.json'),
  JSON.stringify(
    {
      delay: DELAY,
      series: kpis.length,
      points,
      bifrost: { default: atDefault, best: bestB },
      sr: bestSr,
      robustZ: bestZ,
      perSeries,
      cliMs: Math.round(cliMs),
    },
    null,
    2,
  ),
);
