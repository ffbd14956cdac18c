import type { ExplanationStorePort } from '../core/ports/explanation-store.port.js';
import type { HistoryStorePort } from '../core/ports/history-store.port.js';
import type { LlmPort } from '../core/ports/llm.port.js';
import type { TelemetryStorePort } from '../core/ports/telemetry-store.port.js';
import { createBedrockLlm } from './llm/bedrock/bedrock-llm.js';
import type { LlmConfig } from './llm/llm-config.js';
import { createOllamaLlm } from './llm/ollama/ollama-llm.js';
import { createOpenAiLlm } from './llm/openai/openai-llm.js';
import { withResilience } from './llm/resilient-llm.js';
import { createMemoryHistoryStore } from './store/memory/memory-history-store.js';
import { createMemoryTelemetryStore } from './store/memory/memory-telemetry-store.js';

export interface Stores {
  telemetry: TelemetryStorePort;
  history: HistoryStorePort;
}

/** The only place configuration picks the stores: one DuckDB file for both, or memory when no file is given. */
export async function createStores(options: { dataFile: string | undefined }): Promise<Stores> {
  if (options.dataFile === undefined)
    return { telemetry: createMemoryTelemetryStore(), history: createMemoryHistoryStore() };
  // DuckDB loads only when a store is opened (0.3 s of start-up that `analyze` does not need)
  const [{ duckDbTelemetryStore, openDuckDb }, { duckDbHistoryStore }] = await Promise.all([
    import('./store/duckdb/duckdb-telemetry-store.js'),
    import('./store/duckdb/duckdb-history-store.js'),
  ]);
  const db = await openDuckDb(options.dataFile);
  return { telemetry: duckDbTelemetryStore(db), history: duckDbHistoryStore(db) };
}

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
