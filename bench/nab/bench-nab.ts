/**
 * NAB benchmark of `bifrost detect`: runs the real CLI over ../shared/data/nab/data with --out,
 * reads back the scored files and scores them with the NAB rules (bench/nab/scorer.ts, validated
 * against NAB's own per-row scores in test/nab-scorer.test.ts): one threshold per profile,
 * optimised over the corpus, normalised against the null detector. Also: the published Numenta
 * HTM and windowed-Gaussian outputs scored the same way, per-category scores, runtime, and the
 * detector's in-process speed.
 * Run: npm run bench:nab   (writes bench/results/nab.json)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeriesDetector } from '../../src/core/engine/metrics/series-detector.js';
import { projectRoot, resultsDir } from '../paths.js';
import { NAB_DIR, loadBaseline, loadNabCorpus, nabTime } from './data.js';
import { PROFILES, optimiseThreshold, sweepFile } from './scorer.js';
import type { ProfileName } from './scorer.js';

const corpus = loadNabCorpus();
const out = mkdtempSync(join(tmpdir(), 'bifrost-nab-'));
const started = performance.now();
const run = spawnSync(
  process.execPath,
  [
    join(projectRoot(), 'bin', 'bifrost.js'),
    'detect',
    join(NAB_DIR, 'data'),
    '--out',
    out,
    '--output',
    'json',
    '--no-progress',
  ],
  { encoding: 'utf8', maxBuffer: 1 << 28 },
);
const cliMs = performance.now() - started;
if (run.status !== 0) {
  console.error(run.stderr);
  throw new Error(`bifrost detect exited ${String(run.status)}`);
}
const summary = JSON.parse(run.stdout) as { files: { file: string; anomalies: unknown[] }[] };

/** Scores read back from the CLI's output files, row by row. */
const scores = corpus.map((f) => {
  const lines = readFileSync(join(out, f.key), 'utf8').trim().split('\n').slice(1);
  if (lines.length !== f.values.length)
    throw new Error(`${f.key}: ${lines.length} scored rows for ${f.values.length} input rows`);
  return lines.map((l, i) => {
    const c = l.split(',');
    if (nabTime(c[0]!) !== f.timestamps[i])
      throw new Error(`${f.key}:${i + 2}: timestamp differs from the input`);
    return Number(c[2]);
  });
});
rmSync(out, { recursive: true, force: true });
const points = corpus.reduce((a, f) => a + f.values.length, 0);

function scoreAll(
  keys: readonly string[],
  perFile: readonly (readonly number[])[],
  files = corpus,
  subset?: (key: string) => boolean,
) {
  const res: Record<
    string,
    { score: number; threshold: number; tp: number; fp: number; fn: number }
  > = {};
  for (const name of Object.keys(PROFILES) as ProfileName[]) {
    const p = PROFILES[name];
    const cf = files.flatMap((f, i) =>
      subset === undefined || subset(keys[i]!)
        ? [{ sweep: sweepFile(f.timestamps, f.windows, p), scores: perFile[i]! }]
        : [],
    );
    const r = optimiseThreshold(cf, p);
    res[name] = {
      score: Math.round(r.normalized * 100) / 100,
      threshold: r.threshold,
      tp: r.tp,
      fp: r.fp,
      fn: r.fn,
    };
  }
  return res;
}

const keys = corpus.map((f) => f.key);
const bifrost = scoreAll(keys, scores);
const categories = [...new Set(keys.map((k) => k.split('/')[0]!))];
const perCategory = Object.fromEntries(
  categories
    .filter((c) => corpus.some((f) => f.key.startsWith(c + '/') && f.windows.length > 0))
    .map((c) => [c, scoreAll(keys, scores, corpus, (k) => k.startsWith(c + '/')).standard!.score]),
);

/**
 * Leave one category out (standard profile): the threshold best on the other categories scores
 * the category left out. The detector's settings are one global configuration; the threshold is
 * the setting a user picks, so this is the figure a series of a kind never seen gets.
 */
function leftOutCategories(perFile: readonly (readonly number[])[]): Record<string, number> {
  const p = PROFILES.standard;
  const cf = (pick: (key: string) => boolean) =>
    corpus.flatMap((f, i) =>
      pick(keys[i]!) ? [{ sweep: sweepFile(f.timestamps, f.windows, p), scores: perFile[i]! }] : [],
    );
  return Object.fromEntries(
    Object.keys(perCategory).map((c) => {
      const inC = (k: string) => k.startsWith(c + '/');
      const chosen = optimiseThreshold(
        cf((k) => !inC(k)),
        p,
      ).threshold;
      return [c, Math.round(optimiseThreshold(cf(inC), p, chosen).normalized * 100) / 100];
    }),
  );
}
const mean = (r: Record<string, number>) => {
  const v = Object.values(r);
  return Math.round((v.reduce((a, b) => a + b, 0) / v.length) * 100) / 100;
};
const leftOut = leftOutCategories(scores);

const baselines: Record<string, Record<string, number>> = {};
const baselinesLeftOut: Record<string, Record<string, number>> = {};
for (const det of ['numenta', 'windowedGaussian']) {
  const files = loadBaseline(det);
  const byKey = new Map(files.map((f) => [f.key, f]));
  const ordered = corpus.map((f) => byKey.get(f.key)!);
  const r = scoreAll(
    keys,
    ordered.map((f) => f.scores),
    corpus,
  );
  baselines[det] = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.score]));
  baselinesLeftOut[det] = leftOutCategories(ordered.map((f) => f.scores));
}

// in-process speed of the detector alone (the corpus replayed 10×, median of 3)
const speeds: number[] = [];
for (let rep = 0; rep < 3; rep++) {
  const t0 = performance.now();
  let n = 0;
  for (let k = 0; k < 10; k++)
    for (const f of corpus) {
      const d = new SeriesDetector();
      for (let i = 0; i < f.values.length; i++) d.push(f.timestamps[i]!, f.values[i]!);
      n += f.values.length;
    }
  speeds.push(n / ((performance.now() - t0) / 1000));
}
speeds.sort((a, b) => a - b);

const result = {
  corpus: {
    files: corpus.length,
    points,
    windows: corpus.reduce((a, f) => a + f.windows.length, 0),
    categories,
  },
  bifrost,
  perCategoryStandard: perCategory,
  leftOutCategoriesStandard: { ...leftOut, mean: mean(leftOut) },
  publishedLeftOutCategories: Object.fromEntries(
    Object.entries(baselinesLeftOut).map(([d, r]) => [d, { ...r, mean: mean(r) }]),
  ),
  publishedOnTheseCategories: baselines,
  cli: {
    seconds: Math.round(cliMs) / 1000,
    pointsPerSecond: Math.round(points / (cliMs / 1000)),
    anomaliesReported: summary.files.reduce((a, f) => a + f.anomalies.length, 0),
  },
  detectorPointsPerSecond: Math.round(speeds[1]!),
};
mkdirSync(resultsDir(), { recursive: true });
writeFileSync(join(resultsDir(), 'nab.json'), JSON.stringify(result, null, 2) + '\n');
const row = (name: string, r: Record<string, number>) =>
  `| ${name} | ${r.standard!.toFixed(2)} | ${r.reward_low_FP_rate!.toFixed(2)} | ${r.reward_low_FN_rate!.toFixed(2)} |`;
console.log(
  `NAB, ${corpus.length} files, ${points.toLocaleString('en-US')} points, ${result.corpus.windows} windows (${categories.join(', ')})\n`,
);
console.log('| detector | standard | reward low FP | reward low FN |\n|---|---|---|---|');
console.log(
  row(
    'Bifrost `detect`',
    Object.fromEntries(Object.entries(bifrost).map(([k, v]) => [k, v.score])),
  ),
);
console.log(row('Numenta HTM (published outputs)', baselines.numenta!));
console.log(row('windowed Gaussian (published outputs)', baselines.windowedGaussian!));
console.log(
  `\nstandard profile: threshold ${bifrost.standard!.threshold}, ${bifrost.standard!.tp} windows hit, ${bifrost.standard!.fn} missed, ${bifrost.standard!.fp} false positives`,
);
const line = (r: Record<string, number>) =>
  `${Object.entries(r)
    .map(([c, v]) => `${c} ${v.toFixed(2)}`)
    .join(', ')}; mean ${mean(r).toFixed(2)}, lowest ${Math.min(...Object.values(r)).toFixed(2)}`;
console.log(
  `\nleft out (standard; the threshold best on the other categories scores each one):\n  Bifrost      ${line(leftOut)}\n  Numenta HTM  ${line(baselinesLeftOut.numenta!)}\n  (in sample, each category at its own best threshold: ${Object.entries(
    perCategory,
  )
    .map(([c, v]) => `${c} ${v.toFixed(2)}`)
    .join(', ')})\n`,
);
console.log(
  `bifrost detect (CLI, whole corpus): ${result.cli.seconds} s, ${result.cli.pointsPerSecond.toLocaleString('en-US')} points/s; detector alone ${result.detectorPointsPerSecond.toLocaleString('en-US')} points/s (one core)`,
);
