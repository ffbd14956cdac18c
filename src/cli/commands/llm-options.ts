import { randomUUID } from 'node:crypto';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { Explanation } from '../../core/domain/explanation.js';
import type { BuiltContext } from '../../core/engine/explain/context-builder.js';
import type { PromptTemplate } from '../../core/engine/explain/prompt.js';
import type { ExplanationStorePort } from '../../core/ports/explanation-store.port.js';
import type { LlmConfig } from '../../adapters/llm/llm-config.js';
import { LLM_PROVIDERS, NO_MODEL_NOTE, loadLlmConfig } from '../../adapters/llm/llm-config.js';
import { createExplainer } from '../../adapters/llm/explainer.js';
import type { Explainer } from '../../adapters/llm/explainer.js';
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
export function addLlmOptions(
  cmd: Command,
  what: string,
  o: { cacheFlag: boolean } = { cacheFlag: true },
): void {
  cmd
    .addOption(
      new Option(
        '--llm [provider]',
        `have a language model explain ${what}, citing the evidence (${LLM_PROVIDERS.join(', ')}; ollama when no provider is named; BIFROST_LLM)`,
      ),
    )
    .option(
      '--model <name>',
      'the model (BIFROST_LLM_MODEL; defaults: llama3.1 on Ollama, gpt-4o-mini on OpenAI)',
    )
    .option('--prompt <version>', 'prompt version, e.g. v1 (default: the newest in prompts/)')
    .option(
      '--redact-pattern <NAME=REGEX>',
      'also redact what this pattern matches before the model sees it (repeatable)',
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    );
  if (o.cacheFlag)
    cmd.option('--no-llm-cache', 'ask the model again instead of reusing a cached answer (24 h)');
}

export function llmConfigOf(flags: LlmFlags, ctx: CliContext): Readonly<LlmConfig> {
  return loadLlmConfig(ctx.env, {
    ...(flags.llm === undefined ? {} : { provider: flags.llm === true ? 'ollama' : flags.llm }),
    ...(flags.model === undefined ? {} : { model: flags.model }),
    ...(flags.prompt === undefined ? {} : { promptVersion: flags.prompt }),
    ...(flags.redactPattern === undefined ? {} : { redactPatterns: flags.redactPattern }),
  });
}

/** The model layer for a CLI command: the configured model (or none), the store for cache, usage and records. */
export function cliExplainer(
  ctx: CliContext,
  config: Readonly<LlmConfig>,
  store: ExplanationStorePort | undefined,
): Explainer {
  return createExplainer(config, {
    store,
    newId: randomUUID,
    now: () => ctx.now().getTime(),
    unavailableNote: NO_MODEL_NOTE,
  });
}

/** Runs one explanation for the CLI, the summary streamed to stderr on a terminal while it comes. */
export async function explainForCli(
  ctx: CliContext,
  explainer: Explainer,
  req: {
    tenant: string;
    subject: string;
    context: BuiltContext;
    prompt: PromptTemplate;
    fresh: boolean;
    stream: boolean;
  },
): Promise<Explanation> {
  const llm = explainer.llm;
  const t = ctx.terminal;
  const streaming = req.stream && t.stderrIsTTY && llm !== undefined;
  const streamer = summaryStreamer((s) => t.stderr.write(s));
  if (streaming)
    t.err(
      t.colors.dim(
        `asking ${llm.provider} (${llm.model}) with prompt ${req.prompt.kind}@${req.prompt.version}…`,
      ),
    );
  try {
    return await explainer.explain({
      tenant: req.tenant,
      subject: req.subject,
      context: req.context,
      prompt: req.prompt,
      fresh: req.fresh,
      ...(streaming ? { onText: streamer.onText } : {}),
    });
  } finally {
    streamer.finish();
  }
}
