import type { Explanation } from '../domain/explanation.js';

/** One explanation as it was produced: for history and for comparing prompt versions (A/B). */
export interface ExplanationRecord {
  id: string;
  tenant: string;
  /** What was explained: `incident:<id>`, `analysis:<id>`, `logs:<hash>`. */
  subject: string;
  createdMs: number;
  explanation: Explanation;
}

/**
 * What the model layer keeps: answers cached by the SHA-256 of (redacted context, prompt
 * version, model) with an expiry, tokens spent per UTC day (the daily budget), and the record
 * of every explanation. Cached answers hold placeholders, never the secrets they replaced.
 */
export interface ExplanationStorePort {
  getCachedExplanation(key: string, nowMs: number): Promise<Explanation | undefined>;
  putCachedExplanation(key: string, value: Explanation, expiresMs: number): Promise<void>;
  /** Tokens (input + output) spent on the UTC day `YYYY-MM-DD`. */
  llmTokensUsed(day: string): Promise<number>;
  addLlmTokens(day: string, tokens: number): Promise<void>;
  addExplanation(rec: ExplanationRecord): Promise<void>;
  /** Newest first. */
  listExplanations(tenant: string, subject: string, limit: number): Promise<ExplanationRecord[]>;
}
