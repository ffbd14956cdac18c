import { appendFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Explanation } from '../../core/domain/explanation.js';
import type {
  ExplanationRecord,
  ExplanationStorePort,
} from '../../core/ports/explanation-store.port.js';

const MAX_RECORDS_BYTES = 4 * 1024 * 1024;

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * The model layer's cache, daily usage and records as files in the CLI's cache directory, for
 * `bifrost analyze --llm` (which runs without a store). A damaged file is a miss, never an
 * error; a read-only directory only costs the cache. Records rotate at 4 MB; usage keeps 30 days.
 */
export function createFileExplanationStore(dir: string): ExplanationStorePort {
  const cacheFile = (key: string) => join(dir, 'explanations', key.slice(0, 2), `${key}.json`);
  const usageFile = join(dir, 'llm-usage.json');
  const recordsFile = join(dir, 'explanations.jsonl');
  const quietly = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch {
      // the cache is a convenience
    }
  };
  return {
    async getCachedExplanation(key, nowMs) {
      const e = await readJson<{ key: string; expiresMs: number; value: Explanation }>(
        cacheFile(key),
      );
      return e !== undefined && e.key === key && e.expiresMs > nowMs ? e.value : undefined;
    },
    putCachedExplanation: (key, value, expiresMs) =>
      quietly(async () => {
        await mkdir(join(dir, 'explanations', key.slice(0, 2)), { recursive: true });
        await writeAtomic(cacheFile(key), JSON.stringify({ key, expiresMs, value }));
      }),
    async llmTokensUsed(day) {
      return (await readJson<Record<string, number>>(usageFile))?.[day] ?? 0;
    },
    addLlmTokens: (day, tokens) =>
      quietly(async () => {
        await mkdir(dir, { recursive: true });
        const u = (await readJson<Record<string, number>>(usageFile)) ?? {};
        // keep a month of days
        const days = Object.keys(u).sort().slice(-30);
        const kept: Record<string, number> = Object.fromEntries(days.map((d) => [d, u[d] ?? 0]));
        kept[day] = (kept[day] ?? 0) + tokens;
        await writeAtomic(usageFile, JSON.stringify(kept));
      }),
    addExplanation: (rec) =>
      quietly(async () => {
        await mkdir(dir, { recursive: true });
        // bounded: past 4 MB the records move to explanations.jsonl.1 (the one before is dropped)
        const size = await stat(recordsFile).then(
          (st) => st.size,
          () => 0,
        );
        if (size > MAX_RECORDS_BYTES) await rename(recordsFile, `${recordsFile}.1`);
        await appendFile(recordsFile, `${JSON.stringify(rec)}\n`);
      }),
    async listExplanations(tenant, subject, limit) {
      let text: string;
      try {
        text = await readFile(recordsFile, 'utf8');
      } catch {
        return [];
      }
      const out: ExplanationRecord[] = [];
      for (const line of text.split('\n')) {
        if (line === '') continue;
        try {
          const r = JSON.parse(line) as ExplanationRecord;
          if (r.tenant === tenant && r.subject === subject) out.push(r);
        } catch {
          // a torn last line
        }
      }
      return out.sort((a, b) => b.createdMs - a.createdMs).slice(0, limit);
    },
  };
}
