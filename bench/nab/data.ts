import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sharedData } from '../paths.js';

export const NAB_DIR = join(sharedData(), 'nab');

/** "2014-04-10 07:15:00.000000" or "2014-04-10 07:15:00" as UTC epoch ms. */
export function nabTime(t: string): number {
  return Date.parse(t.slice(0, 19).replace(' ', 'T') + 'Z');
}

/** Label windows per data file ("realTweets/Twitter_volume_AAPL.csv"). */
export function loadWindows(dir = NAB_DIR): Map<string, [number, number][]> {
  const raw = JSON.parse(
    readFileSync(join(dir, 'labels', 'combined_windows.json'), 'utf8'),
  ) as Record<string, [string, string][]>;
  return new Map(
    Object.entries(raw).map(([k, v]) => [
      k,
      v.map(([s, e]) => [nabTime(s), nabTime(e)] as [number, number]),
    ]),
  );
}

export interface BaselineFile {
  /** Data file key, e.g. "realTweets/Twitter_volume_AAPL.csv". */
  key: string;
  timestamps: number[];
  scores: number[];
  /** NAB's own per-row scores at its chosen threshold, per profile. */
  nab: Record<'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate', number[]>;
}

/** The published raw outputs of a detector (baselines/<detector>/<category>/<detector>_<file>.csv.gz). */
export function loadBaseline(detector: string, dir = NAB_DIR): BaselineFile[] {
  const root = join(dir, 'baselines', detector);
  const out: BaselineFile[] = [];
  for (const category of readdirSync(root).sort()) {
    for (const f of readdirSync(join(root, category)).sort()) {
      const text = gunzipSync(readFileSync(join(root, category, f)))
        .toString('utf8')
        .trim()
        .split('\n');
      const header = text[0]!.split(',');
      const col = (name: string) => header.indexOf(name);
      const [it, is, iS, iF, iN] = [
        col('timestamp'),
        col('anomaly_score'),
        col('S(t)_standard'),
        col('S(t)_reward_low_FP_rate'),
        col('S(t)_reward_low_FN_rate'),
      ];
      const rows = text.slice(1).map((l) => l.split(','));
      out.push({
        key: `${category}/${f.slice(detector.length + 1).replace(/\.gz$/, '')}`,
        timestamps: rows.map((r) => nabTime(r[it]!)),
        scores: rows.map((r) => Number(r[is])),
        nab: {
          standard: rows.map((r) => Number(r[iS])),
          reward_low_FP_rate: rows.map((r) => Number(r[iF])),
          reward_low_FN_rate: rows.map((r) => Number(r[iN])),
        },
      });
    }
  }
  return out;
}

export interface NabSeries {
  /** "realTweets/Twitter_volume_AAPL.csv" */
  key: string;
  timestamps: number[];
  values: number[];
  windows: [number, number][];
}

/** Every data file of the corpus with its label windows, in a stable order. */
export function loadNabCorpus(dir = NAB_DIR): NabSeries[] {
  const windows = loadWindows(dir);
  const out: NabSeries[] = [];
  for (const category of readdirSync(join(dir, 'data')).sort())
    for (const f of readdirSync(join(dir, 'data', category)).sort()) {
      if (!f.endsWith('.csv')) continue;
      const key = `${category}/${f}`;
      const rows = readFileSync(join(dir, 'data', category, f), 'utf8')
        .trim()
        .split('\n')
        .slice(1);
      const timestamps: number[] = [];
      const values: number[] = [];
      for (const line of rows) {
        const c = line.indexOf(',');
        timestamps.push(nabTime(line.slice(0, c)));
        values.push(Number(line.slice(c + 1)));
      }
      out.push({ key, timestamps, values, windows: windows.get(key) ?? [] });
    }
  return out;
}
