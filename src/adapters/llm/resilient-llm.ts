import type { LlmCompletion, LlmPort, LlmRequest, LlmResult } from '../../core/ports/llm.port.js';

export interface ResilienceOptions {
  /** Per attempt. */
  timeoutMs: number;
  /** Further attempts after a retryable failure. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Consecutive failed calls that open the circuit, and how long it stays open. */
  breakerFailures: number;
  breakerCoolDownMs: number;
  /** Input token limit of one request (estimated as characters / 4). */
  maxInputTokens: number;
  /** Tokens (in + out) a UTC day may spend; undefined: no daily limit. */
  dailyTokens: number | undefined;
  /** Where the day's spending is read from (the model layer's store); undefined: not checked. */
  ledger?: { llmTokensUsed(day: string): Promise<number> };
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const DEFAULT_RESILIENCE: ResilienceOptions = {
  timeoutMs: 120_000,
  retries: 2,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  breakerFailures: 3,
  breakerCoolDownMs: 60_000,
  maxInputTokens: 16_000,
  dailyTokens: undefined,
};

/**
 * Wraps a model: a time-out per attempt, retries of retryable failures with exponential
 * back-off and full jitter (a Retry-After is honoured), a circuit breaker that fails fast while
 * the provider is down, and token budgets per request and per day. A stream that already
 * delivered text is not retried (the terminal would show it twice).
 */
export function withResilience(inner: LlmPort, options: Partial<ResilienceOptions> = {}): LlmPort {
  const o = { ...DEFAULT_RESILIENCE, ...options };
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = o.random ?? Math.random;
  let failures = 0;
  let openUntil = 0;

  async function complete(req: LlmRequest): Promise<LlmResult<LlmCompletion>> {
    const chars = req.system.length + req.messages.reduce((a, m) => a + m.content.length, 0);
    const estimate = Math.ceil(chars / 4);
    if (estimate > o.maxInputTokens) {
      return {
        status: 'failed',
        error: {
          code: 'LLM.BUDGET',
          message: `the request needs about ${estimate} input tokens, over the limit of ${o.maxInputTokens} per request (BIFROST_LLM_MAX_INPUT_TOKENS)`,
        },
      };
    }
    if (o.dailyTokens !== undefined && o.ledger !== undefined) {
      const used = await o.ledger.llmTokensUsed(new Date(now()).toISOString().slice(0, 10));
      if (used + estimate + req.maxTokens > o.dailyTokens) {
        return {
          status: 'failed',
          error: {
            code: 'LLM.BUDGET',
            message: `today's token budget is spent (${used} of ${o.dailyTokens} used, BIFROST_LLM_DAILY_TOKENS); it renews at 00:00 UTC`,
          },
        };
      }
    }
    if (now() < openUntil) {
      return {
        status: 'failed',
        error: {
          code: 'LLM.CIRCUIT_OPEN',
          message: `${inner.provider} failed ${o.breakerFailures} times in a row; not calling it again for ${Math.ceil((openUntil - now()) / 1000)} s`,
        },
      };
    }
    const shown = { text: false };
    const onText = req.onText;
    const innerReq: LlmRequest =
      onText === undefined
        ? req
        : {
            ...req,
            onText: (t) => {
              shown.text = true;
              onText(t);
            },
          };
    let result: LlmResult<LlmCompletion> | undefined;
    for (let attempt = 0; attempt <= o.retries; attempt++) {
      const timeout = AbortSignal.timeout(o.timeoutMs);
      const signal = req.signal === undefined ? timeout : AbortSignal.any([req.signal, timeout]);
      result = await inner.complete({ ...innerReq, signal });
      if (
        result.status !== 'retryable' ||
        shown.text ||
        req.signal?.aborted === true ||
        attempt === o.retries
      )
        break;
      const backoff = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** attempt) * random();
      await sleep(Math.min(o.maxDelayMs * 4, Math.max(backoff, result.error.retryAfterMs ?? 0)));
    }
    const r = result!;
    if (r.status === 'ok') failures = 0;
    else if (r.status === 'retryable' || r.error.code === 'LLM.BAD_RESPONSE') {
      failures++;
      if (failures >= o.breakerFailures) {
        openUntil = now() + o.breakerCoolDownMs;
        failures = 0;
      }
    }
    return r;
  }

  const innerEmbed = inner.embed?.bind(inner);
  // embeddings only refine similarity: one attempt with the time-out, and nothing while the circuit is open
  const embed =
    innerEmbed === undefined
      ? undefined
      : (texts: readonly string[], signal?: AbortSignal): Promise<LlmResult<number[][]>> =>
          now() < openUntil
            ? Promise.resolve({
                status: 'failed',
                error: {
                  code: 'LLM.CIRCUIT_OPEN',
                  message: `${inner.provider} is failing; not calling it`,
                },
              })
            : innerEmbed(texts, signal ?? AbortSignal.timeout(o.timeoutMs));
  return {
    provider: inner.provider,
    model: inner.model,
    complete,
    models: () => inner.models(),
    ...(embed === undefined ? {} : { embed }),
  };
}
