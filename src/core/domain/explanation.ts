/** Where a model runs: a local Ollama, an OpenAI-compatible API, or Amazon Bedrock. */
export type LlmProvider = 'ollama' | 'openai' | 'bedrock';

/** An item of the answer that rests on evidence: the ids it cites (`e1`, `c2`, `h1`). */
export interface CitedText {
  text: string;
  citations: string[];
}

/** The model's answer, in the shape the prompt asks for and the validator checks. */
export interface ExplanationAnswer {
  /** The model may decline: the evidence does not say. */
  verdict: 'explained' | 'inconclusive';
  summary: string;
  probableCause: CitedText & { service: string };
  issues: CitedText[];
  suggestions: CitedText[];
  confidence: 'low' | 'medium' | 'high';
}

/** What was put in front of the model. */
export interface ExplanationContextInfo {
  chars: number;
  /** chars / 4, the usual rough count for English and code. */
  tokensEstimate: number;
  /** Items included by kind (services, edges, evidence, lines, changes, similar). */
  included: Record<string, number>;
  /** Items left out to stay within the budget, by kind. */
  omitted: Record<string, number>;
  /** Secrets replaced before sending, by kind. */
  redacted: Record<string, number>;
}

/**
 * A narrated explanation, or why there is none. `explained`: a valid answer citing existing
 * evidence; `inconclusive`: the model said so, or its answers did not pass validation twice;
 * `unavailable`: no model configured, the provider failed, or the token budget was spent.
 * The deterministic report always stands beside it.
 */
export interface Explanation {
  status: 'explained' | 'inconclusive' | 'unavailable';
  answer?: ExplanationAnswer;
  /** Why it is not `explained`, in words. */
  note?: string;
  provider?: LlmProvider;
  model?: string;
  /** `incident@v1`: the prompt file and version. */
  prompt: string;
  cached: boolean;
  attempts: number;
  durationMs: number;
  usage: { inputTokens: number; outputTokens: number };
  context: ExplanationContextInfo;
  createdMs: number;
}
