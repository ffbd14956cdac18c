import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project root (the folder with package.json), from bench/ or dist/bench/ alike. */
export function projectRoot(from = import.meta.dirname): string {
  let d = from;
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error(`no package.json above ${from}`);
    d = up;
  }
  return d;
}

/** ../shared/data beside the project (BIFROST_SHARED_DATA overrides). */
export function sharedData(): string {
  return process.env.BIFROST_SHARED_DATA ?? join(projectRoot(), '..', 'shared', 'data');
}

export function resultsDir(): string {
  return join(projectRoot(), 'bench', 'results');
}
