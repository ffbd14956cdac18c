import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * File-system cache of analysis results keyed by SHA-256 of (content, options, engine
 * version), with a time-to-live. Writes are atomic (temp file + rename); a corrupt or
 * unreadable entry is a miss, never an error.
 */
export interface ResultCache {
  readonly dir: string;
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
}

export const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;

/** XDG cache location: $XDG_CACHE_HOME/bifrost, else ~/.cache/bifrost. */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'bifrost');
}

export function createResultCache(options: {
  dir: string;
  ttlMs?: number;
  now?: () => number;
}): ResultCache {
  const ttl = options.ttlMs ?? DEFAULT_TTL_MS;
  const now = options.now ?? Date.now;
  const dir = options.dir;
  const file = (key: string) => join(dir, 'results', key.slice(0, 2), `${key}.json`);
  return {
    dir,
    async get<T>(key: string): Promise<T | undefined> {
      try {
        const f = file(key);
        const st = await stat(f);
        if (now() - st.mtimeMs > ttl) return undefined;
        const entry = JSON.parse(await readFile(f, 'utf8')) as { key: string; value: T };
        return entry.key === key ? entry.value : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key: string, value: unknown): Promise<void> {
      const f = file(key);
      await mkdir(join(dir, 'results', key.slice(0, 2)), { recursive: true });
      const tmp = `${f}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await writeFile(tmp, JSON.stringify({ key, value }));
      await rename(tmp, f);
    },
  };
}

/**
 * SHA-256 of files' names and bytes, in order, and a string describing the options (streamed,
 * constant memory). The names are in it because the report quotes them (evidence lines).
 */
export async function contentKey(paths: readonly string[], salt: string): Promise<string> {
  const h = createHash('sha256');
  h.update(salt);
  for (const path of paths) {
    h.update(`\u0000${path}\u0000`);
    let size = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      h.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    // where one file ends and the next begins
    h.update(`\u0000${size}`);
  }
  return h.digest('hex');
}

/** The failed inputs of the last run, for `--retry-failed`. */
export interface LastRun {
  at: string;
  cwd: string;
  failed: string[];
}

export async function readLastRun(dir: string): Promise<LastRun | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'last-run.json'), 'utf8')) as LastRun;
  } catch {
    return undefined;
  }
}

export async function writeLastRun(dir: string, run: LastRun): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `last-run.json.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify(run, null, 2));
  await rename(tmp, join(dir, 'last-run.json'));
}
