import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppError } from '../../core/errors.js';
import type { PromptTemplate } from '../../core/engine/explain/prompt.js';
import { parsePromptFile } from '../../core/engine/explain/prompt.js';

/** The prompts/ folder of the package (beside package.json), from src/ or dist/ alike. */
export function defaultPromptDir(from = import.meta.dirname): string {
  let d = from;
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) return join(from, 'prompts');
    d = up;
  }
  return join(d, 'prompts');
}

const versionNumber = (v: string) => Number(/^v(\d+)$/.exec(v)?.[1] ?? -1);

/** Versions of a prompt kind on disk, oldest first (`v1`, `v2`…). */
export function promptVersions(dir: string, kind: PromptTemplate['kind']): string[] {
  try {
    return readdirSync(join(dir, kind))
      .filter((f) => /^v\d+\.md$/.test(f))
      .map((f) => f.slice(0, -3))
      .sort((a, b) => versionNumber(a) - versionNumber(b));
  } catch {
    return [];
  }
}

/**
 * Reads `prompts/<kind>/<version>.md`; the newest version when none is named. A missing or
 * malformed file is a configuration error naming the file and the versions there are.
 */
export function loadPrompt(
  dir: string,
  kind: PromptTemplate['kind'],
  version?: string,
): PromptTemplate {
  const versions = promptVersions(dir, kind);
  const v = version ?? versions.at(-1);
  if (v === undefined)
    throw new AppError(
      'INPUT.NOT_FOUND',
      `no prompt files in ${join(dir, kind)} (expected v1.md, v2.md…)`,
      { field: 'prompt' },
    );
  if (!versions.includes(v))
    throw new AppError(
      'INPUT.BAD_OPTION',
      `prompt version "${v}" of "${kind}" does not exist; there are: ${versions.join(', ')}`,
      { field: 'prompt' },
    );
  const file = join(dir, kind, `${v}.md`);
  const parsed = parsePromptFile(kind, v, readFileSync(file, 'utf8'));
  if (typeof parsed === 'string')
    throw new AppError('INPUT.BAD_LAYOUT', `${file}: ${parsed}`, { field: 'prompt' });
  return parsed;
}
