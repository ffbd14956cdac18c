/**
 * The NAB scoring rules (Lavin & Ahmad 2015; numenta/NAB sweeper), written from the rules:
 * - the first 15% of a file (at most 750 rows) is a probation period where nothing counts;
 * - inside a labelled window, the first detection earns the scaled sigmoid of its position
 *   (earliest = tpWeight), later ones nothing; a window without detection costs fnWeight;
 * - outside windows every detection costs fpWeight × the scaled sigmoid of its distance past
 *   the previous window (−1 before any window);
 * - one threshold for the whole corpus, chosen to maximise the total; the score is normalised
 *   100 · (S − S_null) / (S_perfect − S_null), the null detector never firing.
 */
export interface CostProfile {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

export type ProfileName = 'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate';

export const PROFILES: Record<ProfileName, CostProfile> = {
  standard: { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  reward_low_FP_rate: { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  reward_low_FN_rate: { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
};

/** Where each row stands: -2 probation, -1 outside windows, else the window's index in the file. */
export interface FileSweep {
  /** Weighted score a detection on this row would earn (before the "first in window" rule). */
  sweep: Float64Array;
  window: Int32Array;
  windows: number;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function scaledSigmoid(relativePosition: number): number {
  return relativePosition > 3 ? -1 : 2 * sigmoid(-5 * relativePosition) - 1;
}

export function probationLength(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 0.15 * 5000);
}

/** Per-row sweep scores for one file; windows are [startMs, endMs] matching row timestamps. */
export function sweepFile(
  timestamps: readonly number[],
  windows: readonly (readonly [number, number])[],
  profile: CostProfile,
): FileSweep {
  const n = timestamps.length;
  const sweep = new Float64Array(n);
  const window = new Int32Array(n);
  const maxTP = scaledSigmoid(-1);
  const probation = probationLength(n);
  const pending = windows.map(([s, e]) => [s, e] as const);
  let wi = 0;
  let curRight = -1;
  let curWidth = 0;
  let curIndex = -1;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    const t = timestamps[i]!;
    if (wi < pending.length && curIndex < 0 && t === pending[wi]![0]) {
      const end = pending[wi]![1];
      let r = i;
      while (r < n && timestamps[r]! !== end) r++;
      curRight = r < n ? r : n - 1;
      curWidth = curRight - i + 1;
      curIndex = wi;
      wi++;
    }
    let w: number;
    if (curIndex >= 0) {
      const position = -(curRight - i + 1) / curWidth;
      w = (scaledSigmoid(position) * profile.tpWeight) / maxTP;
      window[i] = curIndex;
    } else {
      const unweighted =
        prevRight < 0 ? -1 : scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1));
      w = unweighted * profile.fpWeight;
      window[i] = -1;
    }
    if (i < probation) window[i] = -2;
    sweep[i] = w;
    if (i === curRight && curIndex >= 0) {
      prevRight = i;
      prevWidth = curWidth;
      curIndex = -1;
      curRight = -1;
    }
  }
  return { sweep, window, windows: windows.length };
}

/**
 * Per-row contributions at a threshold, laid out as NAB's result files do: each window's outcome
 * sits on its first row (the sweep score of its first detection, or −fnWeight when it has none),
 * and every detection outside windows costs its (negative) sweep score on its own row.
 */
export function contributions(
  s: FileSweep,
  scores: ArrayLike<number>,
  threshold: number,
  profile: CostProfile,
): Float64Array {
  const out = new Float64Array(s.sweep.length);
  const earned = new Map<number, number>();
  const firstRow = new Map<number, number>();
  for (let i = 0; i < out.length; i++) {
    const w = s.window[i]!;
    if (w >= 0 && !firstRow.has(w)) firstRow.set(w, i);
    if (w === -2 || scores[i]! < threshold) continue;
    if (w === -1) out[i] = s.sweep[i]!;
    else if (!earned.has(w)) earned.set(w, s.sweep[i]!);
  }
  for (const [w, row] of firstRow) out[row] = out[row]! + (earned.get(w) ?? -profile.fnWeight);
  return out;
}

export interface CorpusFile {
  sweep: FileSweep;
  scores: ArrayLike<number>;
}

export interface CorpusScore {
  threshold: number;
  raw: number;
  normalized: number;
  nullScore: number;
  perfectScore: number;
  tp: number;
  fp: number;
  fn: number;
}

/**
 * Best threshold over the corpus: every distinct anomaly score is tried (the total only
 * changes there), in one pass over all rows sorted by score, as NAB's sweeper does.
 */
/**
 * The threshold that scores best over `files`, with its score; or, given `at`, the score of
 * alarming at `at` and above (a threshold chosen elsewhere: a left-out figure).
 */
export function optimiseThreshold(
  files: readonly CorpusFile[],
  profile: CostProfile,
  at?: number,
): CorpusScore {
  interface Ev {
    score: number;
    file: number;
    row: number;
  }
  const events: Ev[] = [];
  let windows = 0;
  files.forEach((f, fi) => {
    windows += f.sweep.windows;
    for (let i = 0; i < f.sweep.sweep.length; i++)
      if (f.sweep.window[i] !== -2) events.push({ score: f.scores[i]!, file: fi, row: i });
  });
  events.sort((a, b) => b.score - a.score);
  const nullScore = -profile.fnWeight * windows;
  const perfectScore = profile.tpWeight * windows;
  // best sweep per window so far (undefined = missed)
  const best = new Map<string, number>();
  let windowSum = nullScore;
  let fpSum = 0;
  let fp = 0;
  let result: CorpusScore = {
    threshold: Infinity,
    raw: nullScore,
    normalized: 0,
    nullScore,
    perfectScore,
    tp: 0,
    fp: 0,
    fn: windows,
  };
  for (let k = 0; k < events.length;) {
    const score = events[k]!.score;
    if (at !== undefined && score < at) break;
    for (; k < events.length && events[k]!.score === score; k++) {
      const e = events[k]!;
      const s = files[e.file]!.sweep;
      const w = s.window[e.row]!;
      const v = s.sweep[e.row]!;
      if (w === -1) {
        fpSum += v;
        fp++;
      } else {
        const key = `${e.file}:${w}`;
        const prev = best.get(key);
        if (prev === undefined) {
          best.set(key, v);
          windowSum += v + profile.fnWeight;
        } else if (v > prev) {
          best.set(key, v);
          windowSum += v - prev;
        }
      }
    }
    const raw = windowSum + fpSum;
    if (raw > result.raw || at !== undefined)
      result = {
        threshold: score,
        raw,
        normalized: 0,
        nullScore,
        perfectScore,
        tp: best.size,
        fp,
        fn: windows - best.size,
      };
  }
  result.normalized = (100 * (result.raw - nullScore)) / (perfectScore - nullScore);
  return result;
}
