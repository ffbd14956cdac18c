/**
 * Root-cause ranking over every Nezha-layout folder of ../shared/data, in process, and the
 * choice of the settings a person would tune by leave-one-dataset-out cross-validation: for
 * each dataset in turn, the grid point that ranks best on the others is chosen and the left-out
 * dataset is scored with it. The pooled left-out figure is what generalises; the in-sample figure
 * (the best grid point on all datasets, looked at together) is printed beside it, labelled so.
 *
 * The ranking is the one `bifrost rca` makes (analyzeRootCause's rankFromData on the data
 * loadInsightData reads), so each grid point costs no store query: the data of a fault is read
 * once. bench/rca.ts runs the real CLI with the shipped configuration.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createStores } from '../src/adapters/wiring.js';
import { workloadOf } from '../src/core/domain/workload.js';
import type { InsightConfig } from '../src/core/engine/insight/insight-config.js';
import { DEFAULT_INSIGHT_CONFIG } from '../src/core/engine/insight/insight-config.js';
import type { InsightData } from '../src/core/use-cases/insight-data.js';
import { loadInsightData } from '../src/core/use-cases/insight-data.js';
import { rankFromData } from '../src/core/use-cases/root-cause-analysis.js';
import { sharedData } from './paths.js';

export interface Fault {
  inject_time: string;
  inject_pod: string;
  inject_type: string;
}

/** A fault with the data `rca --at <inject time>` reads (window 10 min, reference 2 h on each side). */
export interface LoadedFault {
  dataset: string;
  at: string;
  atMs: number;
  service: string;
  type: string;
  window: { fromMs: number; toMs: number };
  data: InsightData;
}

/** Every folder of ../shared/data in the Nezha layout (a fault_list.json beside log/, trace/ or metric/), by name. */
export function nezhaFolders(root = sharedData()): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter(
      (d) =>
        existsSync(join(root, d, 'fault_list.json')) &&
        ['log', 'trace', 'metric'].some((k) => existsSync(join(root, d, k))),
    )
    .sort()
    .map((d) => resolve(root, d));
}

export function faultsOf(folder: string): Fault[] {
  return Object.values(
    JSON.parse(readFileSync(join(folder, 'fault_list.json'), 'utf8')) as Record<string, Fault[]>,
  ).flat();
}

export const injectedMs = (f: Fault) => Date.parse(`${f.inject_time.replace(' ', 'T')}Z`);

/** Reads what rca reads for each fault of a dataset from its imported store. */
export async function loadFaults(
  dataset: string,
  folder: string,
  store: string,
  options: { windowMs?: number; referenceMs?: number; offsetMs?: number } = {},
): Promise<LoadedFault[]> {
  const config = DEFAULT_INSIGHT_CONFIG;
  const windowMs = options.windowMs ?? 10 * 60_000;
  const referenceMs = options.referenceMs ?? 2 * 3_600_000;
  const stores = await createStores({ dataFile: join(store, 'bifrost.duckdb') });
  const out: LoadedFault[] = [];
  try {
    for (const f of faultsOf(folder)) {
      const atMs = injectedMs(f) + (options.offsetMs ?? 0);
      const b = config.bucketMs;
      const fromMs = Math.floor((atMs - windowMs / 10) / b) * b;
      const toMs = Math.ceil((atMs + windowMs) / b) * b;
      const data = await loadInsightData(
        stores.telemetry,
        'default',
        { fromMs: fromMs - referenceMs, toMs: toMs + referenceMs },
        { fromMs, toMs },
        config,
        { metrics: true },
      );
      out.push({
        dataset,
        at: f.inject_time,
        atMs,
        service: workloadOf(f.inject_pod),
        type: f.inject_type,
        window: { fromMs, toMs },
        data,
      });
    }
  } finally {
    await stores.telemetry.close();
  }
  return out;
}

/** The faulty service's rank (1-based; undefined when it is no candidate) under a configuration. */
export function rankOf(
  f: LoadedFault,
  config: InsightConfig,
): { rank: number | undefined; top3: string[] } {
  const { ranked } = rankFromData(f.data, f.window, f.atMs, config);
  const i = ranked.findIndex((c) => c.service === f.service);
  return {
    rank: i < 0 ? undefined : i + 1,
    top3: ranked.slice(0, 3).map((c) => `${c.service} ${c.score.toFixed(2)}`),
  };
}

export interface Score {
  faults: number;
  top1: number;
  top3: number;
  top5: number;
  /** Mean rank, a fault without the service among the candidates counted as rank (candidates + 1), at most 20. */
  meanRank: number;
}

export function scoreRanks(ranks: (number | undefined)[]): Score {
  const n = ranks.length;
  const within = (k: number) =>
    ranks.filter((r) => r !== undefined && r <= k).length / Math.max(n, 1);
  return {
    faults: n,
    top1: within(1),
    top3: within(3),
    top5: within(5),
    meanRank: ranks.reduce<number>((a, r) => a + Math.min(r ?? 20, 20), 0) / Math.max(n, 1),
  };
}

/** Better first: more top-1, then more top-3, then a lower mean rank. */
export function better(a: Score, b: Score): number {
  return b.top1 - a.top1 || b.top3 - a.top3 || a.meanRank - b.meanRank;
}

/** A named grid point: the settings it changes from the shipped configuration. */
export interface GridPoint {
  name: string;
  config: Partial<InsightConfig>;
}

/**
 * Leave one dataset out: for each dataset, the grid points best on the others (pooled over their
 * faults: top-1, then top-3, then mean rank) score the left-out dataset. Where several points tie
 * on the others, the left-out score is their mean (what a choice among them would score on
 * average: no tie is broken by the data left out, nor by the order of the grid).
 * `ranks[g][i]`: grid point g's rank of fault i.
 */
export function leaveOneDatasetOut(
  faults: LoadedFault[],
  grid: GridPoint[],
  ranks: (number | undefined)[][],
): {
  folds: { left: string; chosen: string[]; score: Score }[];
  pooled: Score;
  inSample: { chosen: string[]; score: Score };
} {
  const datasets = [...new Set(faults.map((f) => f.dataset))];
  const bestOn = (use: (f: LoadedFault) => boolean) => {
    const scores = ranks.map((r) => scoreRanks(r.filter((_, i) => use(faults[i]!))));
    const top = scores.reduce((a, s) => (better(s, a) < 0 ? s : a));
    return scores.map((s, g) => (better(s, top) === 0 ? g : -1)).filter((g) => g >= 0);
  };
  const mean = (scores: Score[]): Score => {
    const n = scores.length;
    return {
      faults: scores[0]!.faults,
      top1: scores.reduce((a, s) => a + s.top1, 0) / n,
      top3: scores.reduce((a, s) => a + s.top3, 0) / n,
      top5: scores.reduce((a, s) => a + s.top5, 0) / n,
      meanRank: scores.reduce((a, s) => a + s.meanRank, 0) / n,
    };
  };
  const folds = datasets.map((left) => {
    const chosen = bestOn((f) => f.dataset !== left);
    return {
      left,
      chosen: chosen.map((g) => grid[g]!.name),
      score: mean(
        chosen.map((g) => scoreRanks(ranks[g]!.filter((_, i) => faults[i]!.dataset === left))),
      ),
    };
  });
  // pooled: each fold's figures weighed by its faults
  const total = folds.reduce((a, f) => a + f.score.faults, 0);
  const pooled: Score = {
    faults: total,
    top1: folds.reduce((a, f) => a + f.score.top1 * f.score.faults, 0) / total,
    top3: folds.reduce((a, f) => a + f.score.top3 * f.score.faults, 0) / total,
    top5: folds.reduce((a, f) => a + f.score.top5 * f.score.faults, 0) / total,
    meanRank: folds.reduce((a, f) => a + f.score.meanRank * f.score.faults, 0) / total,
  };
  const all = bestOn(() => true);
  return {
    folds,
    pooled,
    inSample: { chosen: all.map((g) => grid[g]!.name), score: scoreRanks(ranks[all[0]!]!) },
  };
}
