import { parseDuration } from '../../core/domain/time-text.js';
import { AppError } from '../../core/errors.js';
import type { RedactionConfig } from '../../core/engine/redaction/redaction-rules.js';
import { checkRedactionPattern } from '../../core/engine/redaction/redaction-rules.js';
import type { LlmProvider } from '../../core/ports/llm.port.js';
import { DEFAULT_OPENAI_BASE_URL } from './openai/openai-llm.js';
import { ollamaHost } from './ollama/ollama-llm.js';
import { baseUrl } from './llm-http.js';
import { defaultPromptDir } from './prompt-files.js';

/** Everything about the model layer: which provider, where, limits, redaction, prompts. */
export interface LlmConfig {
  /** undefined: no model; explanations say how to configure one. */
  provider: LlmProvider | undefined;
  /** undefined: the provider's default. */
  model: string | undefined;
  /** Embedding model for the similarity of past incidents (Ollama, OpenAI-compatible); undefined: words only. */
  embedModel: string | undefined;
  ollamaHost: string;
  openaiBaseUrl: string;
  openaiApiKey: string | undefined;
  bedrockRegion: string | undefined;
  bedrockEndpoint: string | undefined;
  timeoutMs: number;
  retries: number;
  maxInputTokens: number;
  maxOutputTokens: number;
  dailyTokens: number | undefined;
  temperature: number;
  cacheTtlMs: number;
  promptDir: string;
  /** Prompt version per kind; undefined: the newest file. */
  promptVersion: string | undefined;
  redaction: RedactionConfig;
}

export const LLM_PROVIDERS: readonly LlmProvider[] = ['ollama', 'openai', 'bedrock'];

type Env = Readonly<Record<string, string | undefined>>;
const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

function num(
  name: string,
  v: string | undefined,
  min: number,
  max: number,
  whole: boolean,
): number | undefined {
  if (!set(v)) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max || (whole && !Number.isInteger(n))) {
    throw new AppError(
      'INPUT.BAD_OPTION',
      `${name} must be ${whole ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${v}"`,
      { field: name },
    );
  }
  return n;
}

function duration(name: string, v: string | undefined): number | undefined {
  if (!set(v)) return undefined;
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0)
    throw new AppError(
      'INPUT.BAD_OPTION',
      `${name} must be a duration such as 30s, 2m or 24h, got "${v}"`,
      { field: name },
    );
  return ms;
}

function bool(name: string, v: string | undefined): boolean | undefined {
  if (!set(v)) return undefined;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new AppError('INPUT.BAD_OPTION', `${name} must be true or false, got "${v}"`, {
    field: name,
  });
}

/** `NAME=regex` (command line) into a checked pattern. */
export function parseRedactPattern(spec: string, where: string): { name: string; pattern: string } {
  const eq = spec.indexOf('=');
  if (eq <= 0)
    throw new AppError(
      'INPUT.BAD_OPTION',
      `${where}: expected NAME=REGEX (for example EMPLOYEE_ID=EMP-\\d{6}), got "${spec}"`,
      { field: where },
    );
  const p = { name: spec.slice(0, eq), pattern: spec.slice(eq + 1) };
  const problem = checkRedactionPattern(p);
  if (problem !== undefined)
    throw new AppError('INPUT.BAD_OPTION', `${where}: ${problem}`, { field: where });
  return p;
}

function patternsFromEnv(v: string | undefined): { name: string; pattern: string }[] {
  if (!set(v)) return [];
  let list: unknown;
  try {
    list = JSON.parse(v);
  } catch {
    throw new AppError(
      'INPUT.BAD_OPTION',
      'BIFROST_REDACT_PATTERNS must be a JSON array such as [{"name":"EMPLOYEE_ID","pattern":"EMP-\\\\d{6}"}]',
      { field: 'BIFROST_REDACT_PATTERNS' },
    );
  }
  if (!Array.isArray(list))
    throw new AppError(
      'INPUT.BAD_OPTION',
      'BIFROST_REDACT_PATTERNS must be a JSON array of {"name", "pattern"}',
      { field: 'BIFROST_REDACT_PATTERNS' },
    );
  return list.map((x: unknown, i) => {
    const p = x as { name?: unknown; pattern?: unknown };
    if (typeof p.name !== 'string' || typeof p.pattern !== 'string')
      throw new AppError(
        'INPUT.BAD_OPTION',
        `BIFROST_REDACT_PATTERNS[${i}] must have a string "name" and "pattern"`,
        { field: 'BIFROST_REDACT_PATTERNS' },
      );
    const problem = checkRedactionPattern({ name: p.name, pattern: p.pattern });
    if (problem !== undefined)
      throw new AppError('INPUT.BAD_OPTION', `BIFROST_REDACT_PATTERNS[${i}]: ${problem}`, {
        field: 'BIFROST_REDACT_PATTERNS',
      });
    return { name: p.name, pattern: p.pattern };
  });
}

export interface LlmOverrides {
  provider?: string;
  model?: string;
  promptVersion?: string;
  redactPatterns?: readonly string[];
}

/**
 * Defaults, then the environment, then the command line; validated and frozen. Environment:
 * BIFROST_LLM (provider), BIFROST_LLM_MODEL, BIFROST_LLM_EMBED_MODEL, OLLAMA_HOST, OPENAI_BASE_URL, OPENAI_API_KEY,
 * AWS_REGION, BIFROST_BEDROCK_ENDPOINT, BIFROST_LLM_TIMEOUT, BIFROST_LLM_RETRIES,
 * BIFROST_LLM_MAX_INPUT_TOKENS, BIFROST_LLM_MAX_OUTPUT_TOKENS, BIFROST_LLM_DAILY_TOKENS,
 * BIFROST_LLM_TEMPERATURE, BIFROST_LLM_CACHE_TTL, BIFROST_PROMPT_DIR, BIFROST_REDACT_IPS,
 * BIFROST_REDACT_EMAILS, BIFROST_REDACT_PATTERNS (JSON).
 */
export function loadLlmConfig(env: Env, o: LlmOverrides = {}): Readonly<LlmConfig> {
  const provider = o.provider ?? (set(env.BIFROST_LLM) ? env.BIFROST_LLM : undefined);
  if (provider !== undefined && !(LLM_PROVIDERS as readonly string[]).includes(provider)) {
    throw new AppError(
      'INPUT.BAD_OPTION',
      `${o.provider === undefined ? 'BIFROST_LLM' : '--llm'} must be one of ${LLM_PROVIDERS.join(', ')}, got "${provider}"`,
      { field: 'llm' },
    );
  }
  const patterns = [
    ...patternsFromEnv(env.BIFROST_REDACT_PATTERNS),
    ...(o.redactPatterns ?? []).map((s) => parseRedactPattern(s, '--redact-pattern')),
  ];
  const c: LlmConfig = {
    provider: provider as LlmProvider | undefined,
    model: o.model ?? (set(env.BIFROST_LLM_MODEL) ? env.BIFROST_LLM_MODEL : undefined),
    embedModel: set(env.BIFROST_LLM_EMBED_MODEL) ? env.BIFROST_LLM_EMBED_MODEL : undefined,
    ollamaHost: ollamaHost(env.OLLAMA_HOST),
    openaiBaseUrl: baseUrl(
      set(env.OPENAI_BASE_URL) ? env.OPENAI_BASE_URL : DEFAULT_OPENAI_BASE_URL,
      'OPENAI_BASE_URL',
    ),
    openaiApiKey: set(env.OPENAI_API_KEY) ? env.OPENAI_API_KEY : undefined,
    bedrockRegion: set(env.AWS_REGION)
      ? env.AWS_REGION
      : set(env.AWS_DEFAULT_REGION)
        ? env.AWS_DEFAULT_REGION
        : undefined,
    bedrockEndpoint: set(env.BIFROST_BEDROCK_ENDPOINT)
      ? baseUrl(env.BIFROST_BEDROCK_ENDPOINT, 'BIFROST_BEDROCK_ENDPOINT')
      : undefined,
    timeoutMs: duration('BIFROST_LLM_TIMEOUT', env.BIFROST_LLM_TIMEOUT) ?? 120_000,
    retries: num('BIFROST_LLM_RETRIES', env.BIFROST_LLM_RETRIES, 0, 10, true) ?? 2,
    maxInputTokens:
      num(
        'BIFROST_LLM_MAX_INPUT_TOKENS',
        env.BIFROST_LLM_MAX_INPUT_TOKENS,
        1000,
        2_000_000,
        true,
      ) ?? 16_000,
    maxOutputTokens:
      num('BIFROST_LLM_MAX_OUTPUT_TOKENS', env.BIFROST_LLM_MAX_OUTPUT_TOKENS, 64, 100_000, true) ??
      1024,
    dailyTokens: num('BIFROST_LLM_DAILY_TOKENS', env.BIFROST_LLM_DAILY_TOKENS, 1, 1e12, true),
    temperature: num('BIFROST_LLM_TEMPERATURE', env.BIFROST_LLM_TEMPERATURE, 0, 2, false) ?? 0.2,
    cacheTtlMs: duration('BIFROST_LLM_CACHE_TTL', env.BIFROST_LLM_CACHE_TTL) ?? 24 * 3600_000,
    promptDir: set(env.BIFROST_PROMPT_DIR) ? env.BIFROST_PROMPT_DIR : defaultPromptDir(),
    promptVersion: o.promptVersion,
    redaction: {
      ips: bool('BIFROST_REDACT_IPS', env.BIFROST_REDACT_IPS) ?? true,
      emails: bool('BIFROST_REDACT_EMAILS', env.BIFROST_REDACT_EMAILS) ?? true,
      patterns,
    },
  };
  return Object.freeze(c);
}

/** What to say when no model is configured. */
export const NO_MODEL_NOTE =
  'no model configured: add --llm ollama (or openai, bedrock), or set BIFROST_LLM; the deterministic report above stands on its own';

/** Characters of context that fit the per-request input budget beside the prompt and some slack. */
export function contextBudgetChars(c: Pick<LlmConfig, 'maxInputTokens'>): number {
  return Math.max(2000, (c.maxInputTokens - 1500) * 4);
}
