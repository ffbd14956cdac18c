/**
 * Leave-one-dataset-out choice of the root-cause settings that were chosen by looking at results.
 * Imports every Nezha-layout folder of ../shared/data once (bifrost import --format nezha, into
 * --stores <dir>, kept for the next run), reads what `rca --at <inject time>` reads for each
 * fault, and ranks with every point of the grid below (in process: the same rankFromData the CLI
 * runs). For each dataset in turn, the point best on the other datasets (top-1, then top-3, then
 * mean rank; ties to the earlier point) scores it. Prints each point's figures per dataset, the
 * left-out folds, the pooled left-out figure (the headline) and the in-sample best, labelled so.
 *
 * Run: npm run bench:rca-cv [-- --stores <dir>] [-- --grid shipped] [-- --try '<json>']   (writes bench/results/rca-cv.json)
 *   --grid shipped  only the shipped configuration (per dataset and per fault kind, no choice)
 *   --try <json>    other points instead of the grid, beside the shipped one: [["name", {"networkPrior": 0.5}], …]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DEFAULT_INSIGHT_CONFIG } from '../src/core/engine/insight/insight-config.js';
import type { InsightConfig } from '../src/core/engine/insight/insight-config.js';
import type { GridPoint, LoadedFault } from './rca-cv.js';
import { leaveOneDatasetOut, loadFaults, nezhaFolders, rankOf, scoreRanks } from './rca-cv.js';
import { importedStore } from './nezha.js';
import { resultsDir } from './paths.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const stores = arg('--stores') ?? join(tmpdir(), 'bifrost-rca-stores');
const tried = arg('--try');

/**
 * The settings chosen by looking at these results: which metrics the metric-shift signal judges
 * and its weight (how long a shift must hold is read from the references, no setting: the fixed
 * holds of the round before and the metric's references alone are points beside it); what a path
 * with no other at one end says (networkPrior); the ratio at which latency is full evidence
 * (latencyRatioFull). How sure a slowed path is comes from its own reference (no setting); the
 * round before's call-count scale stands beside it. The shipped configuration is the first point.
 */
function grid(): GridPoint[] {
  const points: GridPoint[] = [{ name: 'shipped', config: {} }];
  if (arg('--grid') === 'shipped') return points;
  if (tried !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(tried);
    } catch (err) {
      process.stderr.write(
        `--try: not JSON (${(err as Error).message}); expected [["name", {"setting": value}], …]\n`,
      );
      process.exit(2);
    }
    if (
      !Array.isArray(parsed) ||
      !parsed.every(
        (p) =>
          Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'object' && p[1] !== null,
      )
    ) {
      process.stderr.write('--try: expected [["name", {"setting": value}], …]\n');
      process.exit(2);
    }
    return [
      ...points,
      ...(parsed as [string, Partial<InsightConfig>][]).map(([name, config]) => ({ name, config })),
    ];
  }
  points.push({ name: 'no metric shift', config: { metricShiftWeight: 0 } });
  // how sure a slowed path is: the chance of its slowed buckets given its own reference (shipped,
  // no setting), or its calls against a scale (the round before)
  for (const networkCountScale of [5, 20])
    points.push({
      name: `slowed path sure by its calls, scale ${networkCountScale}`,
      config: { networkConfidence: 'calls', networkCountScale },
    });
  // how long a metric shift must hold is no setting: each metric's reference says it
  // (metricHoldFrom); the fixed holds of the round before stand beside for comparison
  points.push({ name: 'fixed hold 1 min', config: { metricHoldFrom: 'setting' } });
  points.push({
    name: 'fixed hold 3 min',
    config: { metricHoldFrom: 'setting', metricMinBuckets: 3 },
  });
  points.push({ name: "hold from the metric's references", config: { metricHoldFrom: 'metric' } });
  for (const metricShiftOf of ['resource', 'all'] as const)
    for (const metricShiftWeight of [0.5, 0.8])
      for (const networkPrior of [0.25, 0.5])
        for (const latencyRatioFull of [3, 4, 5])
          points.push({
            name: `${metricShiftOf} weight ${metricShiftWeight}, prior ${networkPrior}, latency full 2^${latencyRatioFull}`,
            config: { metricShiftOf, metricShiftWeight, networkPrior, latencyRatioFull },
          });
  // the shipped configuration is one of them: it stands once (a copy would weigh twice in a tie)
  const shipped = (c: Partial<InsightConfig>) =>
    Object.entries(c).every(([k, v]) => DEFAULT_INSIGHT_CONFIG[k as keyof InsightConfig] === v);
  return points.filter((p, i) => i === 0 || !shipped(p.config));
}

const folders = nezhaFolders();
if (folders.length === 0) {
  process.stderr.write(
    'no Nezha-layout folder (fault_list.json with log/, trace/ or metric/) under ../shared/data: nothing to rank\n',
  );
  process.exit(2);
}
const faults: LoadedFault[] = [];
const t0 = performance.now();
for (const folder of folders) {
  const name = basename(folder);
  const { store } = importedStore(folder, join(stores, name));
  faults.push(...(await loadFaults(name, folder, store)));
}
process.stderr.write(
  `read ${faults.length} faults of ${folders.length} datasets in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
);

const points = grid();
const fmt = (x: number) => x.toFixed(3);
const datasets = [...new Set(faults.map((f) => f.dataset))];

// the shipped configuration: per dataset, per fault kind, pooled
const shipped = faults.map((f) => ({
  f,
  ...rankOf(f, { ...DEFAULT_INSIGHT_CONFIG, ...points[0]!.config }),
}));
console.log(
  '\nShipped configuration (one global configuration; in-sample where a setting was chosen on these data):\n',
);
console.log(`${'dataset'.padEnd(34)} faults  top-1  top-3  top-5  mean rank`);
const line = (name: string, ranks: (number | undefined)[]) => {
  const s = scoreRanks(ranks);
  console.log(
    `${name.padEnd(34)} ${String(s.faults).padStart(6)}  ${fmt(s.top1)}  ${fmt(s.top3)}  ${fmt(s.top5)}  ${s.meanRank.toFixed(2)}`,
  );
  return s;
};
const perDataset = datasets.map((d) => ({
  dataset: d,
  ...line(
    d,
    shipped.filter((r) => r.f.dataset === d).map((r) => r.rank),
  ),
}));
const pooledShipped = line(
  'pooled',
  shipped.map((r) => r.rank),
);
console.log(`\n${'fault kind'.padEnd(34)} faults  top-1  top-3  top-5  mean rank`);
const kinds = [...new Set(faults.map((f) => f.type))].sort();
const perKind = kinds.map((k) => ({
  kind: k,
  ...line(
    k,
    shipped.filter((r) => r.f.type === k).map((r) => r.rank),
  ),
}));
console.log('\nMisses (rank > 1):');
for (const r of shipped)
  if (r.rank !== 1)
    console.log(
      `  ${r.f.dataset.padEnd(32)} ${r.f.at.slice(11)} ${r.f.service.padEnd(28)} ${r.f.type.padEnd(15)} rank ${String(r.rank ?? '—').padEnd(3)} ${r.top3.join(' · ')}`,
    );

let cv: ReturnType<typeof leaveOneDatasetOut> | undefined;
if (points.length > 1) {
  console.log(`\nGrid (${points.length} points), top-1 / top-3 per dataset:\n`);
  console.log(
    `${'point'.padEnd(64)} ${datasets.map((d) => d.replace('nezha-', '').slice(0, 24).padEnd(24)).join(' ')} pooled`,
  );
  const ranks = points.map((p) =>
    faults.map((f) => rankOf(f, { ...DEFAULT_INSIGHT_CONFIG, ...p.config }).rank),
  );
  points.forEach((p, g) => {
    const cells = datasets.map((d) => {
      const s = scoreRanks(ranks[g]!.filter((_, i) => faults[i]!.dataset === d));
      return `${fmt(s.top1)} / ${fmt(s.top3)}`.padEnd(24);
    });
    const s = scoreRanks(ranks[g]!);
    console.log(`${p.name.padEnd(64)} ${cells.join(' ')} ${fmt(s.top1)} / ${fmt(s.top3)}`);
  });
  if (tried !== undefined) {
    console.log('\nFaults ranked differently from the shipped configuration:');
    points.slice(1).forEach((p, i) => {
      faults.forEach((f, j) => {
        const a = ranks[0]![j];
        const b = ranks[i + 1]![j];
        if (a !== b)
          console.log(
            `  ${p.name.padEnd(24)} ${f.dataset.replace('nezha-', '').padEnd(30)} ${f.at.slice(11)} ${f.service.padEnd(26)} ${f.type.padEnd(15)} ${a ?? '—'} -> ${b ?? '—'}`,
          );
      });
    });
  }
  cv = leaveOneDatasetOut(faults, points, ranks);
  console.log('\nLeave one dataset out (the point best on the other two scores the third):\n');
  for (const f of cv.folds)
    console.log(
      `  left out ${f.left.padEnd(34)} top-1 ${fmt(f.score.top1)}  top-3 ${fmt(f.score.top3)}  top-5 ${fmt(f.score.top5)}  (${f.score.faults} faults), chosen on the others: ${f.chosen.length === 1 ? `"${f.chosen[0]!}"` : `${f.chosen.length} points tied (their mean): ${f.chosen.map((c) => `"${c}"`).join(', ')}`}`,
    );
  console.log(
    `\n  pooled left-out: top-1 ${fmt(cv.pooled.top1)}  top-3 ${fmt(cv.pooled.top3)}  top-5 ${fmt(cv.pooled.top5)}  mean rank ${cv.pooled.meanRank.toFixed(2)}  (${cv.pooled.faults} faults)   <- the headline`,
  );
  console.log(
    `  in sample (best on all, looked at together): top-1 ${fmt(cv.inSample.score.top1)}  top-3 ${fmt(cv.inSample.score.top3)}: ${cv.inSample.chosen.map((c) => `"${c}"`).join(', ')}`,
  );
}
console.log(
  `\n(Nezha, FSE 2023: TrainTicket top-1 0.867 / top-3 0.978, Online Boutique 0.929 / 0.964)`,
);
mkdirSync(resultsDir(), { recursive: true });
writeFileSync(
  join(resultsDir(), 'rca-cv.json'),
  JSON.stringify(
    {
      shipped: {
        perDataset,
        perKind,
        pooled: pooledShipped,
        rows: shipped.map((r) => ({
          dataset: r.f.dataset,
          at: r.f.at,
          service: r.f.service,
          type: r.f.type,
          rank: r.rank ?? null,
          top3: r.top3,
        })),
      },
      ...(cv === undefined ? {} : { leaveOneDatasetOut: cv }),
    },
    null,
    2,
  ),
);
