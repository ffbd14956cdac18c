import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentKey, createResultCache, defaultCacheDir, readLastRun, writeLastRun } from './result-cache.js';

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

  it('keys on content and options', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bifrost-key-'));
    writeFileSync(join(dir, 'a'), 'same');
    writeFileSync(join(dir, 'b'), 'same');
    writeFileSync(join(dir, 'c'), 'other');
    expect(await contentKey(join(dir, 'a'), 'o1')).toBe(await contentKey(join(dir, 'b'), 'o1'));
    expect(await contentKey(join(dir, 'a'), 'o1')).not.toBe(await contentKey(join(dir, 'a'), 'o2'));
    expect(await contentKey(join(dir, 'a'), 'o1')).not.toBe(await contentKey(join(dir, 'c'), 'o1'));
  });

  it('records the last run and follows XDG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bifrost-last-'));
    expect(await readLastRun(dir)).toBeUndefined();
    await writeLastRun(dir, { at: 'now', cwd: '/', failed: ['/x.log'] });
    expect(await readLastRun(dir)).toEqual({ at: 'now', cwd: '/', failed: ['/x.log'] });
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/tmp/xdg' })).toBe('/tmp/xdg/bifrost');
  });
});
