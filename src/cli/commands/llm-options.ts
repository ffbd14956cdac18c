import { createHash, randomUUID } from 'node:crypto';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { Explanation } from '../../core/domain/explanation.js';
import type { BuiltContext } from '../../core/engine/explain/context-builder.js';
import type { PromptTemplate } from '../../core/engine/explain/prompt.js';
import { Redactor } from '../../core/engine/redaction/redactor.js';
import type { ExplanationStorePort } from '../../core/ports/explanation-store.port.js';
import { explainContext } from '../../core/use-cases/explain.js';
import type { LlmConfig } from '../../adapters/llm/llm-config.js';
import { LLM_PROVIDERS, NO_MODEL_NOTE, loadLlmConfig } from '../../adapters/llm/llm-config.js';
import { loadPrompt } from '../../adapters/llm/prompt-files.js';
import { createLlm } from '../../adapters/wiring.js';
import type { CliContext } from '../context.js';
import { summaryStreamer } from '../render/explanation.js';

export interface LlmFlags {
  llm?: string | true;
  model?: string;
  prompt?: string;
  redactPattern?: string[];
  llmCache: boolean;
}

/** --llm, --model, --prompt, --redact-pattern, --no-llm-cache. */
export function addLlmOptions(cmd: Command, what: string, o: { cacheFlag: boolean } = { cacheFlag: true }): void {
  cmd
    .addOption(new Option('--llm [provider]', `have a language model explain ${what}, citing the evidence (${LLM_PROVIDERS.join(', ')}; ollama when no provider is named; BIFROST_LLM)`))
    .option('--model <name>', 'the model (BIFROST_LLM_MODEL; defaults: llama3.1 on Ollama, gpt-4o-mini on OpenAI)')
    .option('--prompt <version>', 'prompt version, e.g. v1 (default: the newest in prompts/)')
    .option('--redact-pattern <NAME=REGEX>', 'also redact what this pattern matches before the model sees it (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
  if (o.cacheFlag) cmd.option('--no-llm-cache', 'ask the model again instead of reusing a cached answer (24 h)');
}

export function llmConfigOf(flags: LlmFlags, ctx: CliContext): Readonly<LlmConfig> {
  return loadLlmConfig(ctx.env, {
    ...(flags.llm === undefined ? {} : { provider: flags.llm === true ? 'ollama' : flags.llm }),
    ...(flags.model === undefined ? {} : { model: flags.model }),
    ...(flags.prompt === undefined ? {} : { promptVersion: flags.prompt }),
    ...(flags.redactPattern === undefined ? {} : { redactPatterns: flags.redactPattern }),
  });
}

/**
 * Runs one explanation for the CLI: the model of the configuration (or none), the store for
 * the cache, usage and records, the summary streamed to stderr on a terminal while it comes.
 */
export async function explainForCli(
  ctx: CliContext,
  config: Readonly<LlmConfig>,
  store: ExplanationStorePort | undefined,
  req: { tenant: string; subject: string; context: BuiltContext; prompt: PromptTemplate; fresh: boolean; stream: boolean },
): Promise<Explanation> {
  const llm = createLlm(config, store);
  const t = ctx.terminal;
  const streaming = req.stream && t.stderrIsTTY && llm !== undefined;
  const streamer = summaryStreamer((s) => t.stderr.write(s));
  if (streaming) t.err(t.colors.dim(`asking ${llm.provider} (${llm.model}) with prompt ${req.prompt.kind}@${req.prompt.version}…`));
  try {
    return await explainContext(
      { tenant: req.tenant, subject: req.subject, context: req.context, prompt: req.prompt, fresh: req.fresh },
      {
        llm,
        unavailableNote: NO_MODEL_NOTE,
        store,
        redactor: new Redactor(config.redaction),
        sha256: (s) => createHash('sha256').update(s).digest('hex'),
        now: () => ctx.now().getTime(),
        newId: randomUUID,
        cacheTtlMs: config.cacheTtlMs,
        maxOutputTokens: config.maxOutputTokens,
        temperature: config.temperature,
        ...(streaming ? { onText: streamer.onText } : {}),
      },
    );
  } finally {
    streamer.finish();
  }
}

export function promptOf(config: Readonly<LlmConfig>, kind: PromptTemplate['kind'], version = config.promptVersion): PromptTemplate {
  return loadPrompt(config.promptDir, kind, version);
}
