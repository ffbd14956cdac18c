import { readFileSync } from 'node:fs';

/**
 * Bifrost's version, from its package.json (the one file that states it): the first package.json
 * above this module named "bifrost" (src/cli in a clone, dist/src/cli once built or installed).
 */
function packageVersion(): string {
  let dir = new URL('.', import.meta.url);
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'bifrost' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here (or not one to read): look one level up
    }
    dir = new URL('..', dir);
  }
  return 'unknown';
}

export const VERSION = packageVersion();
