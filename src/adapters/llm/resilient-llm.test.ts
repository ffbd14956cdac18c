import { describe, expect, it } from 'vitest';
import type { LlmCompletion, LlmPort, LlmRequest, LlmResult } from '../../core/ports/llm.port.js';
import { withResilience } from './resilient-llm.js';

const ok: LlmResult<LlmCompletion> = {
  status: 'ok',
  value: { text: '{}', model: 'm', usage: { inputTokens: 10, outputTokens: 5 } },
};
const down: LlmResult<LlmCompletion> = {
  status: 'retryable',
  error: { code: 'LLM.UNAVAILABLE', message: 'down' },
};
const req: LlmRequest = {
  system: 's',
  messages: [{ role: 'user', content: 'hello' }],
  maxTokens: 100,
  temperature: 0,
};

function scripted(
  results: LlmResult<LlmCompletion>[],
  onCall?: (r: LlmRequest) => void,
): LlmPort & { calls: number } {
  const port = {
    provider: 'ollama' as const,
    model: 'm',
    calls: 0,
    complete(r: LlmRequest) {
      port.calls++;
      onCall?.(r);
      return Promise.resolve(results.shift() ?? ok);
    },
    models: () => Promise.resolve({ status: 'ok' as const, value: ['m'] }),
  };
  return port;
}

describe('withResilience', () => {
  it('retries retryable failures with exponential back-off and full jitter, honouring Retry-After', async () => {
    const sleeps: number[] = [];
    const inner = scripted([
      down,
      {
        status: 'retryable',
        error: { code: 'LLM.RATE_LIMITED', message: '429', retryAfterMs: 5000 },
      },
      ok,
    ]);
    const llm = withResilience(inner, {
      retries: 2,
      baseDelayMs: 100,
      maxDelayMs: 10_000,
      random: () => 0.5,
      sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
    });
    expect((await llm.complete(req)).status).toBe('ok');
    expect(inner.calls).toBe(3);
    expect(sleeps).toEqual([50, 5000]);
  });

  it('does not retry a failure that needs a person, nor a stream that already showed text', async () => {
    const inner = scripted([
      { status: 'failed', error: { code: 'LLM.REJECTED', message: 'bad key' } },
    ]);
    const llm = withResilience(inner, { sleep: () => Promise.resolve() });
    expect((await llm.complete(req)).status).toBe('failed');
    expect(inner.calls).toBe(1);
    const streaming = scripted([down], (r) => r.onText?.('partial'));
    const shown: string[] = [];
    const r = await withResilience(streaming, { sleep: () => Promise.resolve() }).complete({
      ...req,
      onText: (t) => shown.push(t),
    });
    expect(r.status).toBe('retryable');
    expect(streaming.calls).toBe(1);
    expect(shown).toEqual(['partial']);
  });

  it('opens the circuit after consecutive failures and closes it after the cool-down', async () => {
    let t = 0;
    const inner = scripted([down, down, down, down, down, down]);
    const llm = withResilience(inner, {
      retries: 1,
      breakerFailures: 3,
      breakerCoolDownMs: 60_000,
      now: () => t,
      sleep: () => Promise.resolve(),
    });
    for (let i = 0; i < 3; i++) expect((await llm.complete(req)).status).toBe('retryable');
    expect(inner.calls).toBe(6);
    const fast = await llm.complete(req);
    expect(fast).toMatchObject({ status: 'failed', error: { code: 'LLM.CIRCUIT_OPEN' } });
    expect(inner.calls).toBe(6);
    t = 61_000;
    expect((await llm.complete(req)).status).toBe('ok');
  });

  it('gives each attempt a time-out signal', async () => {
    let signal: AbortSignal | undefined;
    await withResilience(
      scripted([], (r) => (signal = r.signal)),
      { timeoutMs: 1234 },
    ).complete(req);
    expect(signal).toBeInstanceOf(AbortSignal);
  });

  it('refuses a request over the per-request budget and when the day is spent, without calling the model', async () => {
    const inner = scripted([]);
    const big = withResilience(inner, { maxInputTokens: 10 });
    expect(
      await big.complete({ ...req, messages: [{ role: 'user', content: 'x'.repeat(100) }] }),
    ).toMatchObject({ status: 'failed', error: { code: 'LLM.BUDGET' } });
    const spent = withResilience(inner, {
      dailyTokens: 1000,
      ledger: { llmTokensUsed: (day) => Promise.resolve(day === '1970-01-01' ? 950 : 0) },
      now: () => 0,
    });
    const r = await spent.complete(req);
    expect(r).toMatchObject({ status: 'failed', error: { code: 'LLM.BUDGET' } });
    if (r.status === 'failed') expect(r.error.message).toMatch(/950 of 1000/);
    expect(inner.calls).toBe(0);
  });
});
