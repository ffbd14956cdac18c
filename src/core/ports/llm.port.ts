import type { LlmProvider } from '../domain/explanation.js';

/** The model providers Bifrost speaks to. */
export type { LlmProvider };

export interface LlmMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface LlmRequest {
  system: string;
  messages: readonly LlmMessage[];
  /** JSON Schema of the answer; providers that support it constrain their output to it. */
  schema?: Readonly<Record<string, unknown>>;
  /** Output token limit. */
  maxTokens: number;
  temperature: number;
  /** Text as it arrives, when the provider streams; the result still carries the whole text. */
  onText?: (chunk: string) => void;
  signal?: AbortSignal;
}

export interface LlmCompletion {
  text: string;
  model: string;
  usage: { inputTokens: number; outputTokens: number };
}

export type LlmErrorCode =
  | 'LLM.UNAVAILABLE'
  | 'LLM.TIMEOUT'
  | 'LLM.RATE_LIMITED'
  | 'LLM.SERVER'
  | 'LLM.BAD_RESPONSE'
  | 'LLM.REJECTED'
  | 'LLM.BUDGET'
  | 'LLM.CIRCUIT_OPEN';

/** What went wrong, in words a person can act on; never carries a key or the prompt. */
export interface LlmError {
  code: LlmErrorCode;
  message: string;
  /** HTTP status, when there was one. */
  status?: number;
  /** The provider asked to wait this long (Retry-After). */
  retryAfterMs?: number;
}

/** Expected failures are values: retryable (down, slow, 429, 5xx) or failed (bad key, unknown model, budget). */
export type LlmResult<T> =
  | { status: 'ok'; value: T }
  | { status: 'retryable'; error: LlmError }
  | { status: 'failed'; error: LlmError };

/** A language model that completes a conversation, optionally constrained to a JSON Schema. */
export interface LlmPort {
  readonly provider: LlmProvider;
  readonly model: string;
  complete(req: LlmRequest): Promise<LlmResult<LlmCompletion>>;
  /** Models the provider offers (health check: a list means it is up). */
  models(): Promise<LlmResult<string[]>>;
  /** Embedding vectors of texts, one per text, when an embedding model is configured (absent otherwise). */
  embed?(texts: readonly string[], signal?: AbortSignal): Promise<LlmResult<number[][]>>;
}
