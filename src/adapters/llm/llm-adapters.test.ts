import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLlmContract } from '../../../test/contracts/llm.contract.js';
import { STAND_IN_MODELS, startLlmStandIn } from '../../../test/helpers/llm-stand-in.js';
import type { StandIn } from '../../../test/helpers/llm-stand-in.js';
import { createBedrockLlm } from './bedrock/bedrock-llm.js';
import { createOllamaLlm, ollamaHost } from './ollama/ollama-llm.js';
import { createOpenAiLlm } from './openai/openai-llm.js';

// the SDK's own credential chain reads these (this test file runs in a process of its own)
process.env.AWS_ACCESS_KEY_ID = 'AKIDSTANDIN';
process.env.AWS_SECRET_ACCESS_KEY = 'stand-in-secret';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

runLlmContract('ollama', {
  create: (url) => createOllamaLlm({ host: url, model: 'llama3.1' }),
  streams: true,
  models: STAND_IN_MODELS,
});
runLlmContract('openai-compatible', {
  create: (url) => createOpenAiLlm({ baseUrl: `${url}/v1`, model: 'gpt-4o-mini' }),
  streams: true,
  models: ['gpt-4o-mini', 'local-model'],
});
runLlmContract('bedrock (SDK against a local endpoint)', {
  create: (url) =>
    createBedrockLlm({ model: 'anthropic.claude-test', region: 'us-east-1', endpoint: url }),
  streams: false,
  models: ['anthropic.claude-test'],
});

describe('OLLAMA_HOST, read as the ollama CLI reads it', () => {
  it.each([
    [undefined, 'http://127.0.0.1:11434'],
    ['', 'http://127.0.0.1:11434'],
    ['0.0.0.0', 'http://0.0.0.0:11434'],
    ['gpu-box:8080', 'http://gpu-box:8080'],
    ['http://gpu-box', 'http://gpu-box'],
    ['https://ollama.example.com', 'https://ollama.example.com'],
    ['https://ollama.example.com:8443/', 'https://ollama.example.com:8443'],
    ['[::1]:11434', 'http://[::1]:11434'],
    ['host:notaport', 'http://127.0.0.1:11434'],
  ])('%s → %s', (v, want) => {
    expect(ollamaHost(v)).toBe(want);
  });
});

describe('provider specifics', () => {
  let s: StandIn;
  beforeAll(async () => {
    s = await startLlmStandIn({ apiKey: 'sk-test-123' });
  });
  afterAll(async () => {
    await s.close();
  });
  const req = {
    system: 's',
    messages: [{ role: 'user' as const, content: '[e1] x' }],
    maxTokens: 64,
    temperature: 0,
  };

  it('Ollama: an unknown model fails with the advice to pull it', async () => {
    const r = await createOllamaLlm({ host: s.url, model: 'nope' }).complete(req);
    expect(r).toMatchObject({ status: 'failed', error: { code: 'LLM.REJECTED' } });
    if (r.status === 'failed') expect(r.error.message).toMatch(/ollama pull nope/);
  });

  it('OpenAI: the key is sent as a bearer token; a wrong key fails and names OPENAI_API_KEY', async () => {
    expect(
      (await createOpenAiLlm({ baseUrl: `${s.url}/v1`, apiKey: 'sk-test-123' }).complete(req))
        .status,
    ).toBe('ok');
    const r = await createOpenAiLlm({ baseUrl: `${s.url}/v1`, apiKey: 'wrong' }).complete(req);
    expect(r).toMatchObject({ status: 'failed', error: { code: 'LLM.REJECTED', status: 401 } });
    if (r.status === 'failed') {
      expect(r.error.message).toMatch(/OPENAI_API_KEY/);
      expect(r.error.message).not.toContain('wrong');
    }
  });

  it('OpenAI: the Retry-After of a 429 is kept', async () => {
    s.script.push('rate429');
    const r = await createOpenAiLlm({ baseUrl: `${s.url}/v1`, apiKey: 'sk-test-123' }).complete(
      req,
    );
    expect(r).toMatchObject({ status: 'retryable', error: { retryAfterMs: 1000 } });
  });

  it.each(['ollama', 'openai'])(
    '%s: an answer of 5 MB is refused, streamed or not, without reading it all into memory',
    async (kind) => {
      const llm =
        kind === 'ollama'
          ? createOllamaLlm({ host: s.url })
          : createOpenAiLlm({ baseUrl: `${s.url}/v1`, apiKey: 'sk-test-123' });
      s.script.push('huge', 'huge');
      expect(await llm.complete(req)).toMatchObject({
        status: 'failed',
        error: { code: 'LLM.BAD_RESPONSE' },
      });
      expect(await llm.complete({ ...req, onText: () => undefined })).toMatchObject({
        status: 'failed',
        error: { code: 'LLM.BAD_RESPONSE' },
      });
    },
  );

  it.each(['ollama', 'openai'])(
    '%s: embeddings, one vector per text in order, with the configured embedding model',
    async (kind) => {
      const mk = (embedModel: string) =>
        kind === 'ollama'
          ? createOllamaLlm({ host: s.url, embedModel })
          : createOpenAiLlm({ baseUrl: `${s.url}/v1`, apiKey: 'sk-test-123', embedModel });
      const r = await mk('nomic-embed-text').embed!([
        'disk full on node-1',
        'disk full on node-2',
        'login failed',
      ]);
      expect(r.status).toBe('ok');
      if (r.status !== 'ok') return;
      expect(r.value).toHaveLength(3);
      expect(r.value[0]).toHaveLength(64);
      expect(r.value[0]).not.toEqual(r.value[2]);
      expect(await mk('nope').embed!(['x'])).toMatchObject({
        status: 'failed',
        error: { code: 'LLM.REJECTED' },
      });
      expect('embed' in createOllamaLlm({ host: s.url })).toBe(false);
    },
  );

  it('Bedrock: requests are signed with SigV4 (the stand-in refuses unsigned ones)', async () => {
    s.requests.length = 0;
    const r = await createBedrockLlm({ model: 'm', region: 'us-east-1', endpoint: s.url }).complete(
      req,
    );
    expect(r.status).toBe('ok');
    expect(String(s.requests[0]!.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDSTANDIN\//,
    );
  });
});
