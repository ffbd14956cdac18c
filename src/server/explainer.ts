import { createHash } from 'node:crypto';
import type { Explanation } from '../core/domain/explanation.js';
import type { BuiltContext } from '../core/engine/explain/context-builder.js';
import type { PromptTemplate } from '../core/engine/explain/prompt.js';
import { Redactor } from '../core/engine/redaction/redactor.js';
import type { HistoryStorePort } from '../core/ports/history-store.port.js';
import type { LlmPort } from '../core/ports/llm.port.js';
import { explainContext } from '../core/use-cases/explain.js';
import type { Embed } from '../core/use-cases/explain-inputs.js';
import { redactedEmbedder } from '../core/use-cases/explain-inputs.js';
import type { LlmConfig } from '../adapters/llm/llm-config.js';
import { NO_MODEL_NOTE, contextBudgetChars } from '../adapters/llm/llm-config.js';
import { loadPrompt } from '../adapters/llm/prompt-files.js';
import { createLlm } from '../adapters/wiring.js';

/** The server's model layer: one wrapped model (one circuit breaker for all requests), the store for cache, usage and records. */
export interface Explainer {
  readonly llm: LlmPort | undefined;
  /** Embeddings for the similarity of past incidents (redacted first), when an embedding model is configured. */
  readonly embed: Embed | undefined;
  readonly contextChars: number;
  prompt(kind: PromptTemplate['kind'], version?: string): PromptTemplate;
  explain(req: { tenant: string; subject: string; context: BuiltContext; prompt: PromptTemplate; fresh: boolean; onText?: (t: string) => void }): Promise<Explanation>;
}

export function createExplainer(config: Readonly<LlmConfig>, history: HistoryStorePort, newId: () => string): Explainer {
  const llm = createLlm(config, history);
  return {
    llm,
    embed: redactedEmbedder(llm, new Redactor(config.redaction)),
    contextChars: contextBudgetChars(config),
    prompt: (kind, version) => loadPrompt(config.promptDir, kind, version ?? config.promptVersion),
    explain: (req) =>
      explainContext(
        { tenant: req.tenant, subject: req.subject, context: req.context, prompt: req.prompt, fresh: req.fresh },
        {
          llm,
          unavailableNote: 'no model configured: start the server with --llm ollama (or openai, bedrock), or set BIFROST_LLM',
          store: history,
          redactor: new Redactor(config.redaction),
          sha256: (s) => createHash('sha256').update(s).digest('hex'),
          now: Date.now,
          newId,
          cacheTtlMs: config.cacheTtlMs,
          maxOutputTokens: config.maxOutputTokens,
          temperature: config.temperature,
          ...(req.onText === undefined ? {} : { onText: req.onText }),
        },
      ),
  };
}

export { NO_MODEL_NOTE };
