import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redactor } from '../../src/core/engine/redaction/redactor.js';
import { projectRoot } from '../paths.js';

export interface CorpusEntry {
  text: string;
  /** The secrets in the text (exact substrings); none for a negative. */
  secrets: string[];
}

/** The labelled corpus (test/fixtures/redaction/corpus.jsonl) and the user pattern it assumes. */
export const CORPUS_PATH = join(projectRoot(), 'test', 'fixtures', 'redaction', 'corpus.jsonl');
export const CORPUS_PATTERNS = [{ name: 'EMPLOYEE_ID', pattern: 'EMP-\\d{6}' }];

export function loadCorpus(path: string = CORPUS_PATH): CorpusEntry[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Partial<CorpusEntry>)
    .filter((e): e is CorpusEntry => typeof e.text === 'string' && Array.isArray(e.secrets));
}

export interface RedactionScore {
  secrets: number;
  /** Labelled secrets wholly covered by redacted spans. */
  found: number;
  spans: number;
  /** Redacted spans that overlap a labelled secret. */
  correct: number;
  precision: number;
  recall: number;
  misses: { text: string; secret: string }[];
  falsePositives: { text: string; redacted: string }[];
}

/**
 * Recall: labelled secrets the redactor covers entirely. Precision: redacted spans that overlap
 * a labelled secret. A secret found in two spans (a key split by a separator) counts once.
 */
export function scoreRedaction(
  corpus: readonly CorpusEntry[],
  makeRedactor: () => Redactor,
): RedactionScore {
  let secrets = 0;
  let found = 0;
  let spans = 0;
  let correct = 0;
  const misses: RedactionScore['misses'] = [];
  const falsePositives: RedactionScore['falsePositives'] = [];
  for (const e of corpus) {
    const r = makeRedactor();
    const got = r.find(e.text);
    const labelled = e.secrets.flatMap((s) => {
      const at: [number, number][] = [];
      for (let i = e.text.indexOf(s); i >= 0; i = e.text.indexOf(s, i + 1))
        at.push([i, i + s.length]);
      return at.map(([start, end]) => ({ secret: s, start, end }));
    });
    for (const l of labelled) {
      secrets++;
      let covered = 0;
      for (const g of got)
        covered += Math.max(0, Math.min(g.end, l.end) - Math.max(g.start, l.start));
      if (covered >= l.end - l.start) found++;
      else misses.push({ text: e.text, secret: l.secret });
    }
    for (const g of got) {
      spans++;
      if (labelled.some((l) => g.start < l.end && l.start < g.end)) correct++;
      else
        falsePositives.push({
          text: e.text,
          redacted: `${g.label}: ${e.text.slice(g.start, g.end)}`,
        });
    }
  }
  return {
    secrets,
    found,
    spans,
    correct,
    precision: spans === 0 ? 1 : correct / spans,
    recall: secrets === 0 ? 1 : found / secrets,
    misses,
    falsePositives,
  };
}
