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
    .filter((d) => existsSync(join(root, d, 'fault_list.json')) && ['log', 'trace', 'metric'].some((k) => existsSync(join(root, d, k))))
    .sort()
    .map((d) => resolve(root, d));
}

export function faultsOf(folder: string): Fault[] {
  return Object.values(JSON.parse(readFileSync(join(folder, 'fault_list.json'), 'utf8')) as Record<string, Fault[]>).flat();
}

export const injectedMs = (f: Fault) => Date.parse(`${f.inject_time.replace(' ', 'T')}Z`);

/** Reads what rca reads for each fault of a dataset from its imported store. */
export async function loadFaults(dataset: string, folder: string, store: string, options: { windowMs?: number; referenceMs?: number; offsetMs?: number } = {}): Promise<LoadedFault[]> {
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
      const data = await loadInsightData(stores.telemetry, 'default', { fromMs: fromMs - referenceMs, toMs: toMs + referenceMs }, { fromMs, toMs }, config, { metrics: true });
      out.push({ dataset, at: f.inject_time, atMs, service: workloadOf(f.inject_pod), type: f.inject_type, window: { fromMs, toMs }, data });
    }
  } finally {
    await stores.telemetry.close();
  }
  return out;
}

/** The faulty service's rank (1-based; undefined when it is no candidate) under a configuration. */
export function rankOf(f: LoadedFault, config: InsightConfig): { rank: number | undefined; top3: string[] } {
  const { ranked } = rankFromData(f.data, f.window, f.atMs, config);
  const i = ranked.findIndex((c) => c.service === f.service);
  return { rank: i < 0 ? undefined : i + 1, top3: ranked.slice(0, 3).map((c) => `${c.service} ${c.score.toFixed(2)}`) };
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
  const within = (k: number) => ranks.filter((r) => r !== undefined && r <= k).length / Math.max(n, 1);
  return { faults: n, top1: within(1), top3: within(3), top5: within(5), meanRank: ranks.reduce<number>((a, r) => a + Math.min(r ?? 20, 20), 0) / Math.max(n, 1) };
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
 * Leave one dataset out: for each dataset, the grid point best on the others (pooled over their
 * faults; ties to the earlier point, the shipped one first) scores the left-out dataset.
 * `ranks[g][i]`: grid point g's rank of fault i.
 */
export function leaveOneDatasetOut(faults: LoadedFault[], grid: GridPoint[], ranks: (number | undefined)[][]): { folds: { left: string; chosen: string; score: Score; ranks: (number | undefined)[] }[]; pooled: Score; inSample: { chosen: string; score: Score } } {
  const datasets = [...new Set(faults.map((f) => f.dataset))];
  const pick = (use: (f: LoadedFault) => boolean) => {
    let best = 0;
    let bestScore = scoreRanks(ranks[0]!.filter((_, i) => use(faults[i]!)));
    for (let g = 1; g < grid.length; g++) {
      const s = scoreRanks(ranks[g]!.filter((_, i) => use(faults[i]!)));
      if (better(s, bestScore) < 0) [best, bestScore] = [g, s];
    }
    return best;
  };
  const folds = datasets.map((left) => {
    const g = pick((f) => f.dataset !== left);
    const r = ranks[g]!.filter((_, i) => faults[i]!.dataset === left);
    return { left, chosen: grid[g]!.name, score: scoreRanks(r), ranks: r };
  });
  const all = pick(() => true);
  return { folds, pooled: scoreRanks(folds.flatMap((f) => f.ranks)), inSample: { chosen: grid[all]!.name, score: scoreRanks(ranks[all]!) } };
}
