import type { ExplanationStorePort } from '../../core/ports/explanation-store.port.js';
import type { LlmPort } from '../../core/ports/llm.port.js';
import { createBedrockLlm } from './bedrock/bedrock-llm.js';
import type { LlmConfig } from './llm-config.js';
import { createOllamaLlm } from './ollama/ollama-llm.js';
import { createOpenAiLlm } from './openai/openai-llm.js';
import { withResilience } from './resilient-llm.js';

/**
 * The model the configuration names, wrapped with time-outs, retries, a circuit breaker and
 * the token budgets; undefined when none is configured (explanations then say how to add one).
 */
export function createLlm(
  config: LlmConfig,
  ledger: ExplanationStorePort | undefined,
): LlmPort | undefined {
  if (config.provider === undefined) return undefined;
  const model = {
    ...(config.model === undefined ? {} : { model: config.model }),
    ...(config.embedModel === undefined ? {} : { embedModel: config.embedModel }),
  };
  const inner =
    config.provider === 'ollama'
      ? createOllamaLlm({ host: config.ollamaHost, ...model })
      : config.provider === 'openai'
        ? createOpenAiLlm({
            baseUrl: config.openaiBaseUrl,
            ...(config.openaiApiKey === undefined ? {} : { apiKey: config.openaiApiKey }),
            ...model,
          })
        : createBedrockLlm({
            ...(config.bedrockRegion === undefined ? {} : { region: config.bedrockRegion }),
            ...(config.bedrockEndpoint === undefined ? {} : { endpoint: config.bedrockEndpoint }),
            ...(config.model === undefined ? {} : { model: config.model }),
          });
  return withResilience(inner, {
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    maxInputTokens: config.maxInputTokens,
    dailyTokens: config.dailyTokens,
    ...(ledger === undefined ? {} : { ledger }),
  });
}
