/**
 * Tuning aid, not the benchmark: coordinate search over the detector's global settings on the
 * NAB corpus, with a split-half check of generality (settings tuned on one half of the files,
 * scored on the other), and leave one category out (`--loco`: the settings searched from the
 * shipped point and the threshold chosen on the other categories, the left-out one scored).
 * `npm run build && node dist/bench/nab/tune.js [--cv | --loco]`, or `npm run bench:nab-loco`.
 */
import { DEFAULT_METRIC_DETECTOR_CONFIG } from '../../src/core/engine/metrics/detector-config.js';
import type {
  AnomalyKind,
  MetricDetectorConfig,
} from '../../src/core/engine/metrics/detector-config.js';
import { SeriesDetector } from '../../src/core/engine/metrics/series-detector.js';
import { loadNabCorpus } from './data.js';
import { PROFILES, optimiseThreshold, sweepFile } from './scorer.js';

const corpus = loadNabCorpus();
const p = PROFILES.standard;
const sweeps = corpus.map((f) => sweepFile(f.timestamps, f.windows, p));

/** The detector's score of every point of the i-th file. */
function scoresOfFile(cfg: MetricDetectorConfig, i: number): Float64Array {
  const f = corpus[i]!;
  const d = new SeriesDetector(cfg);
  const s = new Float64Array(f.values.length);
  for (let k = 0; k < s.length; k++) s[k] = d.push(f.timestamps[k]!, f.values[k]!);
  return s;
}

/** The threshold best on the files `chooseOn` picks, scoring the files `score` picks. */
function leftOutScore(
  cfg: MetricDetectorConfig,
  chooseOn: (i: number) => boolean,
  score: (i: number) => boolean,
): number {
  const all = corpus.map((_, i) => scoresOfFile(cfg, i));
  const files = (pick: (i: number) => boolean) =>
    corpus.flatMap((_, i) => (pick(i) ? [{ sweep: sweeps[i]!, scores: all[i]! }] : []));
  const threshold = optimiseThreshold(files(chooseOn), p).threshold;
  return optimiseThreshold(files(score), p, threshold).normalized;
}

export function scoreConfig(
  cfg: MetricDetectorConfig,
  subset: (i: number) => boolean = () => true,
): number {
  const files = corpus.flatMap((_, i) =>
    subset(i) ? [{ sweep: sweeps[i]!, scores: scoresOfFile(cfg, i) }] : [],
  );
  return optimiseThreshold(files, p).normalized;
}

type Step = { key: keyof MetricDetectorConfig | AnomalyKind; factors: number[] };
const STEPS: Step[] = [
  ...(['spike', 'dip', 'level-shift', 'seasonal', 'stuck', 'variance'] as const).map((key) => ({
    key,
    factors: [0.7, 0.85, 1.2, 1.4],
  })),
  { key: 'recordDecay', factors: [0.5, 2] },
  { key: 'baselineRate', factors: [0.6, 1.6] },
  { key: 'shiftRate', factors: [0.6, 1.6] },
  { key: 'componentWarmup', factors: [0.5, 2] },
  { key: 'refractoryIntervals', factors: [0.5, 2] },
];

function tweak(cfg: MetricDetectorConfig, key: Step['key'], f: number): MetricDetectorConfig {
  if (key in cfg.gains)
    return { ...cfg, gains: { ...cfg.gains, [key]: cfg.gains[key as AnomalyKind] * f } };
  return { ...cfg, [key]: (cfg[key as keyof MetricDetectorConfig] as number) * f };
}

export function search(
  start: MetricDetectorConfig,
  subset: (i: number) => boolean,
  log = false,
): MetricDetectorConfig {
  let cur = start;
  let best = scoreConfig(cur, subset);
  for (let round = 0; round < 2; round++)
    for (const { key, factors } of STEPS)
      for (const f of factors) {
        const cand = tweak(cur, key, f);
        const s = scoreConfig(cand, subset);
        if (s > best + 0.05) {
          best = s;
          cur = cand;
          if (log) console.log(`${key} ×${f} → ${best.toFixed(2)}`);
        }
      }
  return cur;
}

if (process.argv[1]?.endsWith('tune.js') && process.argv.includes('--cv')) {
  const a = (i: number) => i % 2 === 0;
  const b = (i: number) => i % 2 === 1;
  const onA = search(DEFAULT_METRIC_DETECTOR_CONFIG, a);
  const onB = search(DEFAULT_METRIC_DETECTOR_CONFIG, b);
  console.log(
    `tuned on A: A ${scoreConfig(onA, a).toFixed(2)}, held-out B ${scoreConfig(onA, b).toFixed(2)}`,
  );
  console.log(
    `tuned on B: B ${scoreConfig(onB, b).toFixed(2)}, held-out A ${scoreConfig(onB, a).toFixed(2)}`,
  );
  console.log(
    `defaults: A ${scoreConfig(DEFAULT_METRIC_DETECTOR_CONFIG, a).toFixed(2)}, B ${scoreConfig(DEFAULT_METRIC_DETECTOR_CONFIG, b).toFixed(2)}, all ${scoreConfig(DEFAULT_METRIC_DETECTOR_CONFIG).toFixed(2)}`,
  );
} else if (process.argv[1]?.endsWith('tune.js') && process.argv.includes('--loco')) {
  const category = (i: number) => corpus[i]!.key.split('/')[0]!;
  const withWindows = [
    ...new Set(corpus.filter((f) => f.windows.length > 0).map((f) => f.key.split('/')[0]!)),
  ];
  const rows: [string, number, number][] = [];
  for (const c of withWindows) {
    const others = (i: number) => category(i) !== c;
    const inC = (i: number) => category(i) === c;
    const tuned = search(DEFAULT_METRIC_DETECTOR_CONFIG, others);
    rows.push([
      c,
      leftOutScore(tuned, others, inC),
      leftOutScore(DEFAULT_METRIC_DETECTOR_CONFIG, others, inC),
    ]);
    const moved = Object.entries(tuned.gains)
      .filter(([k, v]) => DEFAULT_METRIC_DETECTOR_CONFIG.gains[k as AnomalyKind] !== v)
      .map(([k, v]) => `${k} ${v.toFixed(3)}`)
      .concat(
        (
          [
            'recordDecay',
            'baselineRate',
            'shiftRate',
            'componentWarmup',
            'refractoryIntervals',
          ] as const
        )
          .filter((k) => tuned[k] !== DEFAULT_METRIC_DETECTOR_CONFIG[k])
          .map((k) => `${k} ${String(tuned[k])}`),
      );
    console.log(
      `left out ${c}: ${rows.at(-1)![1].toFixed(2)} with settings searched on the others (${moved.length === 0 ? 'the shipped ones' : moved.join(', ')}), ${rows.at(-1)![2].toFixed(2)} with the shipped settings`,
    );
  }
  const m = (k: 1 | 2) => rows.reduce((a, r) => a + r[k], 0) / rows.length;
  console.log(
    `mean of left-out categories: ${m(1).toFixed(2)} settings searched per fold (lowest ${Math.min(...rows.map((r) => r[1])).toFixed(2)}), ${m(2).toFixed(2)} shipped settings (lowest ${Math.min(...rows.map((r) => r[2])).toFixed(2)})`,
  );
} else if (process.argv[1]?.endsWith('tune.js')) {
  console.log(`start ${scoreConfig(DEFAULT_METRIC_DETECTOR_CONFIG).toFixed(2)}`);
  console.log(JSON.stringify(search(DEFAULT_METRIC_DETECTOR_CONFIG, () => true, true)));
}
