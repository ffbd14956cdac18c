import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Explanation } from '../../core/domain/explanation.js';
import { createFileExplanationStore } from './file-explanation-store.js';

const e: Explanation = {
  status: 'explained',
  prompt: 'logs@v1',
  cached: false,
  attempts: 1,
  durationMs: 1,
  usage: { inputTokens: 1, outputTokens: 1 },
  context: { chars: 1, tokensEstimate: 1, included: {}, omitted: {}, redacted: {} },
  createdMs: 1,
};

describe('file explanation store', () => {
  it('caches until expiry, adds tokens per day, records and lists; damaged files are misses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bifrost-expl-'));
    const s = createFileExplanationStore(dir);
    const key = 'ab'.repeat(32);
    await s.putCachedExplanation(key, e, 100);
    expect(await s.getCachedExplanation(key, 99)).toEqual(e);
    expect(await s.getCachedExplanation(key, 100)).toBeUndefined();
    await s.addLlmTokens('2026-11-23', 5);
    await s.addLlmTokens('2026-11-23', 6);
    expect(await s.llmTokensUsed('2026-11-23')).toBe(11);
    await s.addExplanation({
      id: 'a',
      tenant: 'local',
      subject: 'logs:x',
      createdMs: 1,
      explanation: e,
    });
    await s.addExplanation({
      id: 'b',
      tenant: 'local',
      subject: 'logs:x',
      createdMs: 2,
      explanation: e,
    });
    expect((await s.listExplanations('local', 'logs:x', 5)).map((r) => r.id)).toEqual(['b', 'a']);
    // the records rotate past 4 MB: the newest stay listable
    writeFileSync(join(dir, 'explanations.jsonl'), 'x'.repeat(5 * 1024 * 1024));
    await s.addExplanation({
      id: 'c',
      tenant: 'local',
      subject: 'logs:x',
      createdMs: 3,
      explanation: e,
    });
    expect(statSync(join(dir, 'explanations.jsonl')).size).toBeLessThan(10_000);
    expect(existsSync(join(dir, 'explanations.jsonl.1'))).toBe(true);
    expect((await s.listExplanations('local', 'logs:x', 5)).map((r) => r.id)).toEqual(['c']);
    writeFileSync(join(dir, 'explanations', 'ab', `${key}.json`), '{broken');
    writeFileSync(join(dir, 'llm-usage.json'), 'nope');
    expect(await s.getCachedExplanation(key, 0)).toBeUndefined();
    expect(await s.llmTokensUsed('2026-11-23')).toBe(0);
  });
});
