import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/run-cli.js';

// The README's benchmark commands must keep working: every `node dist/bench/x.js` an npm
// script runs must have its source bench/x.ts (compiled by `npm run build`). Nothing is run or timed.
describe('npm scripts', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
    bin: Record<string, string>;
  };
  it.each(Object.entries(pkg.scripts).filter(([k]) => k.startsWith('bench:')))(
    '%s runs a bench that exists',
    (_name, cmd) => {
      const files = [...cmd.matchAll(/node dist\/(bench\/[\w/-]+)\.js/g)].map((m) => m[1]!);
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) expect(existsSync(join(ROOT, `${f}.ts`)), `${f}.ts`).toBe(true);
      expect(cmd.startsWith('npm run build && ')).toBe(true);
    },
  );
  it('the bin file exists', () => {
    expect(existsSync(join(ROOT, pkg.bin.bifrost!))).toBe(true);
  });
});
