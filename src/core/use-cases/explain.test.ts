import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLlmStandIn } from '../../../test/helpers/llm-stand-in.js';
import type { StandIn } from '../../../test/helpers/llm-stand-in.js';
import { createOllamaLlm } from '../../adapters/llm/ollama/ollama-llm.js';
import { loadPrompt, defaultPromptDir } from '../../adapters/llm/prompt-files.js';
import { createMemoryHistoryStore } from '../../adapters/store/memory/memory-history-store.js';
import type { LogReport } from '../domain/log-report.js';
import { Redactor } from '../engine/redaction/redactor.js';
import type { HistoryStorePort } from '../ports/history-store.port.js';
import type { ExplainDeps } from './explain.js';
import { explainContext } from './explain.js';
import { logsContext } from './explain-inputs.js';

const SECRETS = [
  'jane.doe@example.com',
  'AKIAIOSFODNN7EXAMPLE',
  'S3cr3tPa55',
  'hunter2hunter2',
  '203.0.113.45',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
];

function report(): LogReport {
  const line = (n: number, text: string) => ({ source: 'api.log', line: n, text });
  return {
    engineVersion: 'test',
    summary: {
      lines: 100,
      records: 100,
      templates: 3,
      severityCounts: {
        UNSPECIFIED: 0,
        TRACE: 0,
        DEBUG: 0,
        INFO: 90,
        WARN: 0,
        ERROR: 10,
        FATAL: 0,
      },
      truncatedLines: 0,
      evictedTemplates: 0,
      sources: [],
    },
    findings: [
      {
        kind: 'error-template',
        severity: 'ERROR',
        score: 0.9,
        reason: 'ERROR "db connect failed for <*>" 8 times',
        template: 'db connect failed for <*>',
        count: 8,
        sources: ['api.log'],
        evidence: [
          line(
            3,
            `ERROR db connect failed for postgres://app:${SECRETS[2]}@db:5432 from ${SECRETS[4]}`,
          ),
          line(4, `ERROR login of ${SECRETS[0]} with key ${SECRETS[1]} password=${SECRETS[3]}`),
        ],
      },
      {
        kind: 'exception',
        severity: 'ERROR',
        score: 0.7,
        reason: 'SQLException thrown 2 times',
        count: 2,
        sources: ['api.log'],
        evidence: [line(9, `Authorization: Bearer ${SECRETS[5]} rejected`)],
      },
    ],
    templates: [],
  };
}

describe('explainContext (Ollama adapter against the stand-in)', () => {
  let s: StandIn;
  let store: HistoryStorePort;
  let n = 0;
  const deps = (over: Partial<ExplainDeps> = {}): ExplainDeps => ({
    llm: createOllamaLlm({ host: s.url, model: 'llama3.1' }),
    store,
    redactor: new Redactor(),
    sha256: (t) => createHash('sha256').update(t).digest('hex'),
    now: () => Date.UTC(2026, 10, 23, 12, 0, 0),
    newId: () => `x${++n}`,
    cacheTtlMs: 24 * 3600_000,
    maxOutputTokens: 512,
    temperature: 0.1,
    ...over,
  });
  const prompt = loadPrompt(defaultPromptDir(), 'logs');
  const ctx = () => logsContext('api.log', report(), [], 20_000);

  beforeAll(async () => {
    s = await startLlmStandIn();
  });
  afterAll(async () => {
    await s.close();
  });
  beforeEach(() => {
    store = createMemoryHistoryStore();
    s.requests.length = 0;
  });

  it('no planted secret reaches the model; the answer shown locally has them restored', async () => {
    const e = await explainContext(
      { tenant: 't', subject: 'logs:1', context: ctx(), prompt },
      deps(),
    );
    expect(e.status).toBe('explained');
    const sent = s.allBodies();
    for (const secret of SECRETS) expect(sent).not.toContain(secret);
    expect(sent).toContain('<EMAIL_1>');
    expect(e.context.redacted).toMatchObject({
      EMAIL: 1,
      AWS_KEY: 1,
      PASSWORD: 1,
      SECRET: 1,
      IP: 1,
      JWT: 1,
    });
    expect(e.answer!.issues[0]!.citations).toEqual(['f1']);
    expect(e).toMatchObject({
      provider: 'ollama',
      model: 'llama3.1',
      prompt: 'logs@v1',
      cached: false,
      attempts: 1,
    });
    expect(e.usage.inputTokens).toBeGreaterThan(0);
    // the record and the cache hold placeholders only
    const recs = await store.listExplanations('t', 'logs:1', 10);
    expect(JSON.stringify(recs)).not.toContain('jane.doe');
  });

  it('a second identical request is served from the cache without calling the model; tokens are counted once', async () => {
    await explainContext({ tenant: 't', subject: 'logs:1', context: ctx(), prompt }, deps());
    const again = await explainContext(
      { tenant: 't', subject: 'logs:1', context: ctx(), prompt },
      deps(),
    );
    expect(again.cached).toBe(true);
    expect(again.status).toBe('explained');
    expect(s.requests).toHaveLength(1);
    expect(await store.llmTokensUsed('2026-11-23')).toBeGreaterThan(0);
  });

  it("an uncited answer gets one retry with the validator's message", async () => {
    s.script.push('uncited');
    const e = await explainContext(
      { tenant: 't', subject: 'logs:2', context: ctx(), prompt },
      deps(),
    );
    expect(e).toMatchObject({ status: 'explained', attempts: 2 });
    expect(s.requests[1]!.body).toMatch(/cites nothing/);
  });

  it('two invalid answers give "inconclusive" with the reason; nothing is cached', async () => {
    s.script.push('not-json', 'wrong-cite');
    const e = await explainContext(
      { tenant: 't', subject: 'logs:3', context: ctx(), prompt },
      deps(),
    );
    expect(e.status).toBe('inconclusive');
    expect(e.note).toMatch(/did not pass validation.*"e99"/);
    s.script.push('good');
    const next = await explainContext(
      { tenant: 't', subject: 'logs:3', context: ctx(), prompt },
      deps(),
    );
    expect(next).toMatchObject({ status: 'explained', cached: false });
  });

  it('the model may say the evidence is inconclusive', async () => {
    s.script.push('inconclusive');
    const e = await explainContext(
      { tenant: 't', subject: 'logs:4', context: ctx(), prompt },
      deps(),
    );
    expect(e).toMatchObject({
      status: 'inconclusive',
      answer: { verdict: 'inconclusive', confidence: 'low' },
    });
  });

  it('a failing provider or no provider gives "unavailable" with the reason, never an exception', async () => {
    s.script.push('error500');
    const e = await explainContext(
      { tenant: 't', subject: 'logs:5', context: ctx(), prompt },
      deps(),
    );
    expect(e.status).toBe('unavailable');
    expect(e.note).toMatch(/ollama \(llama3\.1\): .*500/);
    const none = await explainContext(
      { tenant: 't', subject: 'logs:5', context: ctx(), prompt },
      deps({ llm: undefined, unavailableNote: 'no model configured: use --llm ollama' }),
    );
    expect(none).toMatchObject({
      status: 'unavailable',
      note: 'no model configured: use --llm ollama',
    });
  });

  it('streams the answer text as it arrives', async () => {
    const pieces: string[] = [];
    const e = await explainContext(
      { tenant: 't', subject: 'logs:6', context: ctx(), prompt, fresh: true },
      deps({ onText: (t) => pieces.push(t) }),
    );
    expect(e.status).toBe('explained');
    expect(pieces.length).toBeGreaterThan(3);
  });
});
