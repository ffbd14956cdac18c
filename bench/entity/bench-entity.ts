/**
 * Entities with many metrics at once: ASD (12 servers × 19 metrics) and SMD (7 machines × 38
 * metrics) in ../shared/data, in process, on the test rows after each entity's train rows (the
 * train rows are the start of the stream: every detector here is causal):
 * - Bifrost's entity detector (EntityDetector, what `bifrost detect --entity` runs): each
 *   metric's univariate score as its surprise among the scores that metric gave before;
 * - Bifrost's univariate detector on every metric, the entity's score per row the largest of
 *   its metrics' scores (no calibration: what the entity detector improves on);
 * - the robust-z reference: per metric |x − median| / (1.4826 · MAD) of the train rows (the
 *   standard deviation where the MAD is 0), the entity's score the largest.
 * Both measured by point F1 at the best threshold without point adjustment, pooled over a
 * dataset's entities, and HitRate@100% / @150% of the metrics each ranks at every labelled point
 * against the metrics that explain its segment (interpretation_label).
 * Run: npm run bench:entity   (writes bench/results/entity.json)
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  DEFAULT_ENTITY_DETECTOR_CONFIG,
  EntityDetector,
} from '../../src/core/engine/metrics/entity-detector.js';
import { SeriesDetector } from '../../src/core/engine/metrics/series-detector.js';
import { resultsDir, sharedData } from '../paths.js';
import { bestPointF1, hitRate, pointF1At } from './entity-scorer.js';
import type { PointSeries } from './entity-scorer.js';

const STEP_MS = 60_000;

function rows(path: string): number[][] {
  const raw = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => l.split(',').map(Number));
}

/** Per labelled test row, the 0-based metrics that explain its segment (either range convention). */
function truthOf(path: string, labels: Uint8Array): Map<number, number[]> {
  const out = new Map<number, number[]>();
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^(\d+)-(\d+):([\d,]+)$/.exec(line.trim());
    if (m === null) continue;
    const metrics = m[3]!.split(',').map((x) => Number(x) - 1);
    for (let r = Number(m[1]); r <= Number(m[2]) && r < labels.length; r++)
      if (labels[r] === 1) out.set(r, metrics);
  }
  return out;
}

interface Scored {
  entity: PointSeries;
  /** Per labelled row with a truth: every metric's score. */
  ranked: { scores: Float64Array; truth: number[] }[];
}

function score(
  labels: Uint8Array,
  truth: Map<number, number[]>,
  m: readonly Float64Array[],
): Scored {
  const rowsN = labels.length;
  const entity = new Float64Array(rowsN);
  for (let r = 0; r < rowsN; r++) {
    let best = 0;
    for (const s of m) if (s[r]! > best) best = s[r]!;
    entity[r] = best;
  }
  return { entity: { labels, scores: entity }, ranked: rankedAt(truth, m) };
}

/** Every metric's score at each labelled row with a truth (what HitRate ranks). */
function rankedAt(truth: Map<number, number[]>, m: readonly Float64Array[]): Scored['ranked'] {
  return [...truth].map(([r, t]) => ({ scores: Float64Array.from(m, (s) => s[r]!), truth: t }));
}

/** Bifrost's detector on every metric, fed the train rows then the test rows: the test rows' scores. */
function bifrostPerMetric(train: number[][], test: number[][]): Float64Array[] {
  return Array.from({ length: test[0]!.length }, (_, k) => {
    const d = new SeriesDetector();
    let t = 0;
    for (const row of train) d.push((t += STEP_MS), row[k]!);
    return Float64Array.from(test, (row) => d.push((t += STEP_MS), row[k]!));
  });
}

/**
 * Bifrost's entity detector fed the train rows then the test rows: each test row's score and
 * every metric's surprise at it. hold: the train rows are the entity's normal (the datasets'
 * protocol: methods fit on train, score test), the calibration held after them; otherwise it
 * learns on (a stream with no stretch known to be normal).
 */
function bifrostEntity(
  train: number[][],
  test: number[][],
  hold: boolean,
): { row: Float64Array; metrics: Float64Array[] } {
  const width = test[0]!.length;
  const d = new EntityDetector(width, undefined, { baseline: hold });
  let t = 0;
  for (const r of train) d.push((t += STEP_MS), r);
  if (hold) d.holdCalibration();
  const row = new Float64Array(test.length);
  const metrics = Array.from({ length: width }, () => new Float64Array(test.length));
  for (let r = 0; r < test.length; r++) {
    row[r] = d.push((t += STEP_MS), test[r]!);
    const c = d.contributions();
    for (let k = 0; k < width; k++) metrics[k]![r] = c[k]!;
  }
  return { row, metrics };
}

function robustZPerMetric(train: number[][], test: number[][]): Float64Array[] {
  const width = test[0]!.length;
  return Array.from({ length: width }, (_, k) => {
    const v = Float64Array.from(train, (row) => row[k]!).sort();
    const med = v[v.length >> 1]!;
    const dev = v.map((x) => Math.abs(x - med)).sort();
    const mean = v.reduce((a, x) => a + x, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / v.length);
    const scale = 1.4826 * dev[dev.length >> 1]! || sd || 1e-6;
    return Float64Array.from(test, (row) => Math.abs(row[k]! - med) / scale);
  });
}

const LABELS = {
  entity: 'Bifrost entity, train as its normal (held)',
  'entity learning': 'Bifrost entity, learning on (no baseline)',
  bifrost: 'Bifrost univariate per metric, max',
  'robust z': 'robust z of the train rows, max (reference)',
} as const;

const fmt = (x: number) => x.toFixed(3);
const results: Record<string, unknown> = {};
const entitySeries = new Map<string, { series: PointSeries[]; best: number }>();
for (const name of ['asd', 'smd']) {
  const dir = join(sharedData(), name);
  if (!existsSync(join(dir, 'test'))) {
    console.log(`${name}: not in ${sharedData()}, left out`);
    continue;
  }
  const entities = readdirSync(join(dir, 'test'))
    .filter((f) => f.endsWith('.txt.gz') || f.endsWith('.txt'))
    .sort();
  const by: Record<keyof typeof LABELS, Scored[]> = {
    entity: [],
    'entity learning': [],
    bifrost: [],
    'robust z': [],
  };
  let rowsTotal = 0;
  let width = 0;
  let entityMs = 0;
  for (const f of entities) {
    const id = f.replace(/\.txt(\.gz)?$/, '');
    const train = rows(join(dir, 'train', f));
    const test = rows(join(dir, 'test', f));
    const labels = Uint8Array.from(
      readFileSync(join(dir, 'test_label', `${id}.txt`), 'utf8')
        .trim()
        .split(/\s+/),
      Number,
    );
    if (labels.length !== test.length)
      throw new Error(`${name}/${id}: ${labels.length} labels for ${test.length} test rows`);
    const truth = truthOf(join(dir, 'interpretation_label', `${id}.txt`), labels);
    rowsTotal += train.length + test.length;
    width = test[0]!.length;
    const t0 = performance.now();
    const ent = bifrostEntity(train, test, true);
    entityMs += performance.now() - t0;
    by.entity.push({
      entity: { labels, scores: ent.row },
      ranked: rankedAt(truth, ent.metrics),
    });
    const on = bifrostEntity(train, test, false);
    by['entity learning'].push({
      entity: { labels, scores: on.row },
      ranked: rankedAt(truth, on.metrics),
    });
    by.bifrost.push(score(labels, truth, bifrostPerMetric(train, test)));
    by['robust z'].push(score(labels, truth, robustZPerMetric(train, test)));
  }
  console.log(
    `\n${name.toUpperCase()}: ${entities.length} entities × ${width} metrics, ${rowsTotal.toLocaleString('en-US')} rows (train then test)`,
  );
  console.log(`${'detector'.padEnd(44)} F1     precision recall  HitRate@100% @150%`);
  const summary: Record<string, unknown> = {};
  for (const [det, scored] of Object.entries(by)) {
    const f = bestPointF1(scored.map((s) => s.entity));
    const ranked = scored.flatMap((s) => s.ranked);
    const h100 = hitRate(ranked, 1);
    const h150 = hitRate(ranked, 1.5);
    const label = LABELS[det as keyof typeof LABELS];
    console.log(
      `${label.padEnd(44)} ${fmt(f.f1)}  ${fmt(f.precision)}     ${fmt(f.recall)}   ${fmt(h100)}        ${fmt(h150)}`,
    );
    summary[det] = {
      ...f,
      hitRate100: h100,
      hitRate150: h150,
      labelledPointsRanked: ranked.length,
    };
  }
  const e = summary.entity as { f1: number; threshold: number };
  const z = summary['robust z'] as { f1: number };
  const atDefault = pointF1At(
    by.entity.map((x) => x.entity),
    DEFAULT_ENTITY_DETECTOR_CONFIG.threshold,
  );
  console.log(
    `entity detector at its default threshold ${DEFAULT_ENTITY_DETECTOR_CONFIG.threshold}: F1 ${fmt(atDefault.f1)} (precision ${fmt(atDefault.precision)}, recall ${fmt(atDefault.recall)}); best threshold ${e.threshold.toFixed(2)}`,
  );
  console.log(
    `entity / robust z: ${(e.f1 / Math.max(z.f1, 1e-9)).toFixed(2)}× (target ≥ 1.2×; HitRate@150% target ≥ 0.85); ${Math.round(rowsTotal / (entityMs / 1000)).toLocaleString('en-US')} rows/s of ${width} metrics (${Math.round((rowsTotal * width) / (entityMs / 1000)).toLocaleString('en-US')} metric points/s), one core`,
  );
  results[name] = { ...summary, entityAtDefault: atDefault };
  entitySeries.set(name, { series: by.entity.map((x) => x.entity), best: e.threshold });
}
// the threshold chosen on one dataset, scored on the other (leave one dataset out)
if (entitySeries.size === 2) {
  console.log('\nleft out: the entity threshold chosen (best F1) on the other dataset');
  const lodo: Record<string, unknown> = {};
  for (const [name, { series }] of entitySeries) {
    const other = [...entitySeries].find(([n]) => n !== name)![1];
    const f = pointF1At(series, other.best);
    console.log(
      `${name.toUpperCase()}: threshold ${other.best.toFixed(2)} -> F1 ${fmt(f.f1)} (precision ${fmt(f.precision)}, recall ${fmt(f.recall)})`,
    );
    lodo[name] = { threshold: other.best, ...f };
  }
  results.leftOut = lodo;
}
mkdirSync(resultsDir(), { recursive: true });
writeFileSync(join(resultsDir(), 'entity.json'), JSON.stringify(results, null, 2));
