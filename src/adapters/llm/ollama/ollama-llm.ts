import type {
  LlmCompletion,
  LlmPort,
  LlmRequest,
  LlmResult,
} from '../../../core/ports/llm.port.js';
import {
  badResponse,
  baseUrl,
  bodyLines,
  errorText,
  fetchModelList,
  httpFailure,
  networkFailure,
  postForVectors,
  readCapped,
} from '../llm-http.js';

export const DEFAULT_OLLAMA_MODEL = 'llama3.1';

/**
 * The Ollama server address the way the ollama CLI reads OLLAMA_HOST: `host`, `host:port`,
 * `scheme://host[:port]`; port 11434 unless a scheme says otherwise; 127.0.0.1:11434 when unset.
 */
export function ollamaHost(value: string | undefined): string {
  const s = (value ?? '').trim();
  let scheme = 'http';
  let hostport = s;
  let defaultPort = '11434';
  const cut = s.indexOf('://');
  if (cut >= 0) {
    scheme = s.slice(0, cut);
    hostport = s.slice(cut + 3);
    if (scheme === 'http') defaultPort = '80';
    else if (scheme === 'https') defaultPort = '443';
  }
  hostport = hostport.split('/')[0] ?? '';
  let host = '127.0.0.1';
  let port = defaultPort;
  const m = /^(\[[^\]]+\]|[^:]+):([^:]*)$/.exec(hostport);
  if (m !== null) {
    host = m[1]!;
    port = m[2]!;
  } else if (hostport !== '')
    host = hostport.includes(':') && !hostport.startsWith('[') ? `[${hostport}]` : hostport;
  const n = Number(port);
  if (port === '' || !Number.isInteger(n) || n < 0 || n > 65535) return 'http://127.0.0.1:11434';
  return baseUrl(`${scheme}://${host}:${port}`, 'OLLAMA_HOST');
}

interface OllamaChunk {
  model?: string;
  message?: { content?: string };
  done?: boolean;
  prompt_eval_count?: number;
  eval_count?: number;
  error?: string;
}

/** Ollama's /api/chat (streamed NDJSON or one JSON answer), `format` set to the answer's JSON Schema. */
export function createOllamaLlm(options: {
  host: string;
  model?: string;
  embedModel?: string;
  fetch?: typeof fetch;
}): LlmPort {
  const host = options.host;
  const model = options.model ?? DEFAULT_OLLAMA_MODEL;
  const fetchFn = options.fetch ?? fetch;
  const where = `Ollama at ${host}`;
  const hint = {
    notFound: `pull the model first (ollama pull ${model}) or choose one that is installed with --model (ollama list)`,
  };

  async function complete(req: LlmRequest): Promise<LlmResult<LlmCompletion>> {
    const stream = req.onText !== undefined;
    const body = {
      model,
      stream,
      messages: [{ role: 'system', content: req.system }, ...req.messages],
      ...(req.schema === undefined ? {} : { format: req.schema }),
      options: { temperature: req.temperature, num_predict: req.maxTokens },
    };
    let res: Response;
    try {
      res = await fetchFn(`${host}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        ...(req.signal === undefined ? {} : { signal: req.signal }),
      });
    } catch (e) {
      return networkFailure(e, where, req.signal);
    }
    if (!res.ok)
      return httpFailure(
        res.status,
        await errorText(res),
        res.headers.get('retry-after'),
        where,
        hint,
      );
    try {
      if (!stream || res.body === null) {
        const j = JSON.parse(await readCapped(res)) as OllamaChunk;
        if (typeof j.message?.content !== 'string')
          return badResponse(where, 'no message.content in the answer');
        return {
          status: 'ok',
          value: {
            text: j.message.content,
            model: j.model ?? model,
            usage: { inputTokens: j.prompt_eval_count ?? 0, outputTokens: j.eval_count ?? 0 },
          },
        };
      }
      let text = '';
      let last: OllamaChunk | undefined;
      for await (const line of bodyLines(res.body)) {
        if (line.trim() === '') continue;
        const j = JSON.parse(line) as OllamaChunk;
        if (typeof j.error === 'string')
          return {
            status: 'retryable',
            error: {
              code: 'LLM.SERVER',
              message: `${where} failed while answering: ${j.error.slice(0, 300)}`,
            },
          };
        const piece = j.message?.content ?? '';
        if (piece !== '') {
          text += piece;
          req.onText?.(piece);
        }
        last = j;
      }
      if (last?.done !== true)
        return {
          status: 'retryable',
          error: {
            code: 'LLM.SERVER',
            message: `${where} ended the stream before the answer was done`,
          },
        };
      return {
        status: 'ok',
        value: {
          text,
          model: last.model ?? model,
          usage: { inputTokens: last.prompt_eval_count ?? 0, outputTokens: last.eval_count ?? 0 },
        },
      };
    } catch (e) {
      if (req.signal?.aborted === true) return networkFailure(e, where, req.signal);
      return badResponse(where, (e as Error).message);
    }
  }

  const models = () =>
    fetchModelList(fetchFn, `${host}/api/tags`, {}, where, (j) =>
      ((j as { models?: { name: string }[] }).models ?? []).map((m) => m.name),
    );

  /** /api/embed: {model, input: [...]} → {embeddings: [[...]]}. */
  const embedModel = options.embedModel;
  const embed =
    embedModel === undefined
      ? undefined
      : (texts: readonly string[], signal?: AbortSignal) =>
          postForVectors(
            fetchFn,
            `${host}/api/embed`,
            {},
            { model: embedModel, input: texts },
            where,
            texts.length,
            (j) => (j as { embeddings?: number[][] }).embeddings,
            signal,
            { notFound: `pull the embedding model first (ollama pull ${embedModel})` },
          );

  return { provider: 'ollama', model, complete, models, ...(embed === undefined ? {} : { embed }) };
}
