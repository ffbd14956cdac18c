import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { sharedData } from './paths.js';

/** Loghub-2k systems and layouts, read from ../shared/data/loghub-2k. */
export const LOGHUB_DIR = join(sharedData(), 'loghub-2k');

export interface LoghubSystem {
  name: string;
  layout: string;
  lines: string[];
  truthIds: string[];
  truthTemplates: string[];
}

interface Setting {
  log_file: string;
  log_format: string;
}

export function loadLoghub(dir = LOGHUB_DIR): LoghubSystem[] {
  const settings = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as Record<
    string,
    Setting
  >;
  return Object.entries(settings).map(([name, s]) => {
    const lines = readFileSync(join(dir, s.log_file), 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const rows = parse<Record<string, string>>(
      readFileSync(join(dir, `${s.log_file}_structured_corrected.csv`), 'utf8'),
      { columns: true, skip_empty_lines: true, relax_quotes: true },
    );
    return {
      name,
      layout: s.log_format,
      lines: lines.map((l) => l.replace(/\r$/, '')),
      truthIds: rows.map((r) => r.EventId!),
      truthTemplates: rows.map((r) => normalizeSpaces(r.EventTemplate!)),
    };
  });
}

export function normalizeSpaces(t: string): string {
  return t.trim().replace(/\s+/g, ' ');
}

export interface Accuracy {
  GA: number;
  PA: number;
  FGA: number;
  FTA: number;
  groups: number;
  truthGroups: number;
}

/** Loghub-2.0 metrics: grouping accuracy, parsing accuracy, F1 of groups and of groups with the right template. */
export function scoreParse(
  pred: readonly string[],
  predTemplates: readonly string[],
  truthIds: readonly string[],
  truthTemplates: readonly string[],
): Accuracy {
  const n = truthIds.length;
  const predGroups = new Map<string, number[]>();
  const truthGroups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    push(predGroups, pred[i]!, i);
    push(truthGroups, truthIds[i]!, i);
  }
  let gaLines = 0;
  let correctGroups = 0;
  let correctTemplates = 0;
  for (const lines of predGroups.values()) {
    const t = truthIds[lines[0]!]!;
    const truth = truthGroups.get(t)!;
    if (truth.length === lines.length && lines.every((i) => truthIds[i] === t)) {
      gaLines += lines.length;
      correctGroups++;
      if (normalizeSpaces(predTemplates[lines[0]!]!) === truthTemplates[lines[0]!])
        correctTemplates++;
    }
  }
  let pa = 0;
  for (let i = 0; i < n; i++) if (normalizeSpaces(predTemplates[i]!) === truthTemplates[i]) pa++;
  const f1 = (c: number) => {
    const p = c / predGroups.size;
    const r = c / truthGroups.size;
    return p + r === 0 ? 0 : (2 * p * r) / (p + r);
  };
  return {
    GA: gaLines / n,
    PA: pa / n,
    FGA: f1(correctGroups),
    FTA: f1(correctTemplates),
    groups: predGroups.size,
    truthGroups: truthGroups.size,
  };
}

function push(m: Map<string, number[]>, k: string, i: number): void {
  const a = m.get(k);
  if (a === undefined) m.set(k, [i]);
  else a.push(i);
}
