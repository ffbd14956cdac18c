import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  contentKey,
  createResultCache,
  defaultCacheDir,
  readLastRun,
  writeLastRun,
} from './result-cache.js';

describe('result cache', () => {
  it('stores and returns values, expires them after the TTL, treats corrupt entries as misses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bifrost-cache-'));
    let now = Date.now();
    const cache = createResultCache({ dir, ttlMs: 1000, now: () => now });
    const key = 'ab'.repeat(32);
    await cache.set(key, { x: 1 });
    expect(await cache.get(key)).toEqual({ x: 1 });
    now += 2000;
    expect(await cache.get(key)).toBeUndefined();
    const bad = 'cd'.repeat(32);
    mkdirSync(join(dir, 'results', 'cd'), { recursive: true });
    writeFileSync(join(dir, 'results', 'cd', `${bad}.json`), '{not json');
    now = Date.now();
    expect(await cache.get(bad)).toBeUndefined();
  });

  it("keys on the files' names, content and order, and the options", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bifrost-key-'));
    const [a, b, c] = ['a', 'b', 'c'].map((n) => join(dir, n)) as [string, string, string];
    writeFileSync(a, 'same');
    writeFileSync(b, 'same');
    writeFileSync(c, 'other');
    expect(await contentKey([a], 'o1')).toBe(await contentKey([a], 'o1'));
    expect(await contentKey([a], 'o1')).not.toBe(await contentKey([a], 'o2'));
    expect(await contentKey([a], 'o1')).not.toBe(await contentKey([c], 'o1'));
    // the report quotes the file's name, so a copy under another name is another result
    expect(await contentKey([a], 'o1')).not.toBe(await contentKey([b], 'o1'));
    expect(await contentKey([a, c], 'o1')).not.toBe(await contentKey([c, a], 'o1'));
    // where one file ends and the next begins is part of it
    const [x, y] = ['x', 'y'].map((n) => join(dir, n)) as [string, string];
    writeFileSync(x, 'ab');
    writeFileSync(y, 'c');
    const before = await contentKey([x, y], 'o1');
    writeFileSync(x, 'a');
    writeFileSync(y, 'bc');
    expect(await contentKey([x, y], 'o1')).not.toBe(before);
  });

  it('records the last run and follows XDG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bifrost-last-'));
    expect(await readLastRun(dir)).toBeUndefined();
    await writeLastRun(dir, { at: 'now', cwd: '/', failed: ['/x.log'] });
    expect(await readLastRun(dir)).toEqual({ at: 'now', cwd: '/', failed: ['/x.log'] });
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/tmp/xdg' })).toBe('/tmp/xdg/bifrost');
  });
});
