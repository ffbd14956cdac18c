import type {
  BedrockRuntimeClient,
  ConverseCommand as ConverseCommandClass,
} from '@aws-sdk/client-bedrock-runtime';
import type {
  LlmCompletion,
  LlmPort,
  LlmRequest,
  LlmResult,
} from '../../../core/ports/llm.port.js';

export const DEFAULT_BEDROCK_MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';

const RETRYABLE = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'InternalServerException',
  'ModelTimeoutException',
  'ModelNotReadyException',
  'TimeoutError',
  'RequestTimeout',
]);

/**
 * AWS Bedrock through the Converse API of @aws-sdk/client-bedrock-runtime (credentials and
 * region as the SDK finds them: environment, profile, instance role). Converse has no schema
 * parameter, so the schema goes into the system text. The SDK's own retries are off: the
 * resilience wrapper retries, for every provider alike. Not streamed: `onText` gets the whole
 * answer at once.
 */
export function createBedrockLlm(options: {
  region?: string;
  endpoint?: string;
  model?: string;
}): LlmPort {
  const model = options.model ?? DEFAULT_BEDROCK_MODEL;
  // the SDK is loaded on first use: it costs every other command ~0.2 s of start-up otherwise
  let client:
    | Promise<{ client: BedrockRuntimeClient; ConverseCommand: typeof ConverseCommandClass }>
    | undefined;
  const sdk = () =>
    (client ??= Promise.all([
      import('@aws-sdk/client-bedrock-runtime'),
      import('@smithy/node-http-handler'),
    ]).then(([b, h]) => ({
      client: new b.BedrockRuntimeClient({
        maxAttempts: 1,
        // HTTP/1.1: the client's default HTTP/2 handler (for bidirectional streams) is not needed by Converse and cannot reach plain-HTTP endpoints
        requestHandler: new h.NodeHttpHandler(),
        ...(options.region === undefined ? {} : { region: options.region }),
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      }),
      ConverseCommand: b.ConverseCommand,
    })));
  const where = `Bedrock${options.endpoint === undefined ? '' : ` at ${options.endpoint}`}`;

  function failure(e: unknown, signal: AbortSignal | undefined): LlmResult<never> {
    const err = e as {
      name?: string;
      message?: string;
      code?: string;
      $metadata?: { httpStatusCode?: number };
      $retryable?: unknown;
    };
    const name = err.name ?? 'Error';
    const status = err.$metadata?.httpStatusCode;
    const msg = (err.message ?? name).slice(0, 300);
    if (signal?.aborted === true || name === 'AbortError')
      return {
        status: 'retryable',
        error: { code: 'LLM.TIMEOUT', message: `${where} did not answer in time` },
      };
    if (name === 'ThrottlingException' || status === 429)
      return {
        status: 'retryable',
        error: {
          code: 'LLM.RATE_LIMITED',
          message: `${where} is throttling (${name}): ${msg}`,
          ...(status === undefined ? {} : { status }),
        },
      };
    if (RETRYABLE.has(name) || (status !== undefined && status >= 500))
      return {
        status: 'retryable',
        error: {
          code: 'LLM.SERVER',
          message: `${where} failed (${name}): ${msg}`,
          ...(status === undefined ? {} : { status }),
        },
      };
    if (
      status === undefined &&
      (err.code === 'ECONNREFUSED' ||
        err.code === 'ENOTFOUND' ||
        err.code === 'ECONNRESET' ||
        /ECONNREFUSED|ENOTFOUND|socket hang up/.test(msg))
    ) {
      return {
        status: 'retryable',
        error: { code: 'LLM.UNAVAILABLE', message: `cannot reach ${where} (${err.code ?? msg})` },
      };
    }
    if (name === 'SyntaxError' || /Deserialization|Unexpected token|JSON/.test(msg))
      return {
        status: 'failed',
        error: {
          code: 'LLM.BAD_RESPONSE',
          message: `${where} sent an answer Bifrost cannot read: ${msg}`,
        },
      };
    if (name === 'CredentialsProviderError')
      return {
        status: 'failed',
        error: {
          code: 'LLM.REJECTED',
          message: `${where}: no AWS credentials found (${msg}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`,
        },
      };
    if (/region is missing/i.test(msg))
      return {
        status: 'failed',
        error: { code: 'LLM.REJECTED', message: `${where}: no AWS region; set AWS_REGION` },
      };
    return {
      status: 'failed',
      error: {
        code: 'LLM.REJECTED',
        message: `${where} rejected the request (${name}): ${msg}`,
        ...(status === undefined ? {} : { status }),
      },
    };
  }

  async function complete(req: LlmRequest): Promise<LlmResult<LlmCompletion>> {
    const system =
      req.schema === undefined
        ? req.system
        : `${req.system}\n\nAnswer with one JSON object that follows this JSON Schema, and nothing else:\n${JSON.stringify(req.schema)}`;
    try {
      const { client, ConverseCommand } = await sdk();
      const out = await client.send(
        new ConverseCommand({
          modelId: model,
          system: [{ text: system }],
          messages: req.messages.map((m) => ({ role: m.role, content: [{ text: m.content }] })),
          inferenceConfig: { maxTokens: req.maxTokens, temperature: req.temperature },
        }),
        req.signal === undefined ? {} : { abortSignal: req.signal },
      );
      const text = (out.output?.message?.content ?? []).map((c) => c.text ?? '').join('');
      if (out.output?.message === undefined)
        return {
          status: 'failed',
          error: {
            code: 'LLM.BAD_RESPONSE',
            message: `${where} sent no message (stop reason ${out.stopReason ?? 'unknown'})`,
          },
        };
      if (text !== '') req.onText?.(text);
      return {
        status: 'ok',
        value: {
          text,
          model,
          usage: {
            inputTokens: out.usage?.inputTokens ?? 0,
            outputTokens: out.usage?.outputTokens ?? 0,
          },
        },
      };
    } catch (e) {
      return failure(e, req.signal);
    }
  }

  /** Converse has no model list of its own (that is the control-plane API): the configured model. */
  function models(): Promise<LlmResult<string[]>> {
    return Promise.resolve({ status: 'ok', value: [model] });
  }

  return { provider: 'bedrock', model, complete, models };
}
