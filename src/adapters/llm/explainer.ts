import { createHash } from 'node:crypto';
import type { Explanation } from '../../core/domain/explanation.js';
import type { BuiltContext } from '../../core/engine/explain/context-builder.js';
import type { PromptTemplate } from '../../core/engine/explain/prompt.js';
import { Redactor } from '../../core/engine/redaction/redactor.js';
import type { ExplanationStorePort } from '../../core/ports/explanation-store.port.js';
import type { LlmPort } from '../../core/ports/llm.port.js';
import { explainContext } from '../../core/use-cases/explain.js';
import type { Embed } from '../../core/use-cases/explain-inputs.js';
import { redactedEmbedder } from '../../core/use-cases/explain-inputs.js';
import type { LlmConfig } from './llm-config.js';
import { contextBudgetChars } from './llm-config.js';
import { loadPrompt } from './prompt-files.js';
import { createLlm } from './create-llm.js';

/**
 * The model layer as the CLI and the server use it: one wrapped model (one circuit breaker for
 * every explanation), the store for cache, usage and records, the prompts of the configuration.
 */
export interface Explainer {
  readonly llm: LlmPort | undefined;
  /** Embeddings for the similarity of past incidents (redacted first), when an embedding model is configured. */
  readonly embed: Embed | undefined;
  readonly contextChars: number;
  prompt(kind: PromptTemplate['kind'], version?: string): PromptTemplate;
  explain(req: {
    tenant: string;
    subject: string;
    context: BuiltContext;
    prompt: PromptTemplate;
    fresh: boolean;
    onText?: (t: string) => void;
  }): Promise<Explanation>;
}

export interface ExplainerOptions {
  /** Cache, usage and records; undefined keeps nothing. */
  store: ExplanationStorePort | undefined;
  newId: () => string;
  now: () => number;
  /** What to say when no model is configured (how to configure one, for this surface). */
  unavailableNote: string;
}

export function createExplainer(config: Readonly<LlmConfig>, o: ExplainerOptions): Explainer {
  const llm = createLlm(config, o.store);
  return {
    llm,
    embed: redactedEmbedder(llm, new Redactor(config.redaction)),
    contextChars: contextBudgetChars(config),
    prompt: (kind, version) => loadPrompt(config.promptDir, kind, version ?? config.promptVersion),
    explain: (req) =>
      explainContext(
        {
          tenant: req.tenant,
          subject: req.subject,
          context: req.context,
          prompt: req.prompt,
          fresh: req.fresh,
        },
        {
          llm,
          unavailableNote: o.unavailableNote,
          store: o.store,
          redactor: new Redactor(config.redaction),
          sha256: (s) => createHash('sha256').update(s).digest('hex'),
          now: o.now,
          newId: o.newId,
          cacheTtlMs: config.cacheTtlMs,
          maxOutputTokens: config.maxOutputTokens,
          temperature: config.temperature,
          ...(req.onText === undefined ? {} : { onText: req.onText }),
        },
      ),
  };
}
