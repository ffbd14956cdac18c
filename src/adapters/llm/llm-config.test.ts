import { describe, expect, it } from 'vitest';
import { contextBudgetChars, loadLlmConfig, parseRedactPattern } from './llm-config.js';

describe('loadLlmConfig', () => {
  it('defaults: no provider, Ollama on loopback, OpenAI public endpoint, 2 min, 2 retries, 16k in, 1k out, 24 h cache', () => {
    const c = loadLlmConfig({});
    expect(c).toMatchObject({
      provider: undefined,
      ollamaHost: 'http://127.0.0.1:11434',
      openaiBaseUrl: 'https://api.openai.com/v1',
      timeoutMs: 120_000,
      retries: 2,
      maxInputTokens: 16_000,
      maxOutputTokens: 1024,
      dailyTokens: undefined,
      cacheTtlMs: 86_400_000,
      redaction: { ips: true, emails: true, patterns: [] },
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(contextBudgetChars(c)).toBe(58_000);
  });

  it('the environment, then the command line', () => {
    const env = {
      BIFROST_LLM: 'openai',
      BIFROST_LLM_MODEL: 'm1',
      OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1/',
      BIFROST_LLM_DAILY_TOKENS: '50000',
      BIFROST_LLM_TIMEOUT: '30s',
      BIFROST_REDACT_IPS: 'false',
      BIFROST_REDACT_PATTERNS: '[{"name":"EMP","pattern":"EMP-\\\\d+"}]',
    };
    const c = loadLlmConfig(env, {
      provider: 'ollama',
      model: 'm2',
      redactPatterns: ['TCK=TCK-\\d+'],
    });
    expect(c).toMatchObject({
      provider: 'ollama',
      model: 'm2',
      openaiBaseUrl: 'http://127.0.0.1:8000/v1',
      dailyTokens: 50_000,
      timeoutMs: 30_000,
      redaction: {
        ips: false,
        patterns: [
          { name: 'EMP', pattern: 'EMP-\\d+' },
          { name: 'TCK', pattern: 'TCK-\\d+' },
        ],
      },
    });
  });

  it.each([
    [{ BIFROST_LLM: 'gpt' }, /BIFROST_LLM must be one of ollama, openai, bedrock/],
    [{ BIFROST_LLM_RETRIES: '-1' }, /BIFROST_LLM_RETRIES must be a whole number from 0 to 10/],
    [{ BIFROST_LLM_MAX_INPUT_TOKENS: '10' }, /BIFROST_LLM_MAX_INPUT_TOKENS/],
    [{ BIFROST_LLM_TIMEOUT: 'soon' }, /BIFROST_LLM_TIMEOUT must be a duration/],
    [{ BIFROST_REDACT_EMAILS: 'maybe' }, /BIFROST_REDACT_EMAILS must be true or false/],
    [{ BIFROST_REDACT_PATTERNS: 'EMP-\\d+' }, /must be a JSON array/],
    [
      { BIFROST_REDACT_PATTERNS: '[{"name":"x"}]' },
      /\[0\] must have a string "name" and "pattern"/,
    ],
    [{ BIFROST_REDACT_PATTERNS: '[{"name":"x","pattern":"a*"}]' }, /matches the empty string/],
    [{ OPENAI_BASE_URL: 'not a url' }, /OPENAI_BASE_URL must be a URL/],
    [
      { BIFROST_BEDROCK_ENDPOINT: 'file:///x' },
      /BIFROST_BEDROCK_ENDPOINT must be an http\(s\) URL/,
    ],
  ])('refuses %j, naming the setting', (env, message) => {
    expect(() => loadLlmConfig(env)).toThrow(message);
  });

  it('--redact-pattern takes NAME=REGEX', () => {
    expect(parseRedactPattern('ID=x=y', '--redact-pattern')).toEqual({
      name: 'ID',
      pattern: 'x=y',
    });
    expect(() => parseRedactPattern('=x', '--redact-pattern')).toThrow(/expected NAME=REGEX/);
  });
});
