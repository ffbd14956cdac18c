import type { BaselineFile } from './data.js';
import { contributions, sweepFile } from './scorer.js';
import type { CostProfile, ProfileName } from './scorer.js';

/**
 * The threshold NAB used for a published result set, recovered from its own per-row scores:
 * at most the lowest score of a row it charged as a false positive, and the highest such
 * value at which our contributions equal NAB's on every row. undefined when none does.
 */
export function recoverNabThreshold(
  files: readonly BaselineFile[],
  windows: ReadonlyMap<string, [number, number][]>,
  name: ProfileName,
  profile: CostProfile,
): { threshold: number; maxDiff: number } | undefined {
  const sweeps = files.map((f) => sweepFile(f.timestamps, windows.get(f.key) ?? [], profile));
  let upper = Infinity;
  files.forEach((f, k) => {
    f.nab[name].forEach((v, i) => {
      if (v < 0 && sweeps[k]!.window[i] === -1 && f.scores[i]! < upper) upper = f.scores[i]!;
    });
  });
  const candidates = [
    ...new Set(files.flatMap((f) => f.scores.filter((x) => x <= upper && x > upper - 0.2))),
  ].sort((a, b) => b - a);
  for (const t of candidates) {
    let maxDiff = 0;
    files.forEach((f, k) => {
      const c = contributions(sweeps[k]!, f.scores, t, profile);
      for (let i = 0; i < c.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs(c[i]! - f.nab[name][i]!));
    });
    if (maxDiff < 1e-9) return { threshold: t, maxDiff };
  }
  return undefined;
}
