import type {
  LlmCompletion,
  LlmPort,
  LlmRequest,
  LlmResult,
} from '../../../core/ports/llm.port.js';
import {
  badResponse,
  bodyLines,
  errorText,
  fetchModelList,
  httpFailure,
  networkFailure,
  postForVectors,
  readCapped,
} from '../llm-http.js';

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';

interface ChatAnswer {
  model?: string;
  choices?: { message?: { content?: string | null }; delta?: { content?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string };
}

/**
 * OpenAI-compatible /chat/completions (OpenAI, vLLM, llama.cpp server, LM Studio): streamed as
 * Server-Sent Events or one JSON answer; the answer's JSON Schema as `response_format`. A server
 * that refuses `json_schema` (400 naming response_format) is asked again with `json_object`.
 */
export function createOpenAiLlm(options: {
  baseUrl: string;
  apiKey?: string;
  model?: string;
  embedModel?: string;
  fetch?: typeof fetch;
}): LlmPort {
  const base = options.baseUrl;
  const model = options.model ?? DEFAULT_OPENAI_MODEL;
  const fetchFn = options.fetch ?? fetch;
  const where = `the OpenAI-compatible server at ${base}`;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(options.apiKey === undefined || options.apiKey === ''
      ? {}
      : { authorization: `Bearer ${options.apiKey}` }),
  };
  const hint = {
    auth: 'set OPENAI_API_KEY',
    notFound: `check OPENAI_BASE_URL (it usually ends in /v1) and the model name "${model}"`,
  };
  let plainJson = false;

  async function post(req: LlmRequest, stream: boolean): Promise<Response | LlmResult<never>> {
    const format =
      req.schema === undefined
        ? undefined
        : plainJson
          ? { type: 'json_object' }
          : { type: 'json_schema', json_schema: { name: 'answer', schema: req.schema } };
    const body = {
      model,
      messages: [{ role: 'system', content: req.system }, ...req.messages],
      max_tokens: req.maxTokens,
      temperature: req.temperature,
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
      ...(format === undefined ? {} : { response_format: format }),
    };
    try {
      return await fetchFn(`${base}/chat/completions`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        ...(req.signal === undefined ? {} : { signal: req.signal }),
      });
    } catch (e) {
      return networkFailure(e, where, req.signal);
    }
  }

  async function complete(req: LlmRequest): Promise<LlmResult<LlmCompletion>> {
    const stream = req.onText !== undefined;
    let res = await post(req, stream);
    if (!(res instanceof Response)) return res;
    if (res.status === 400 && !plainJson && req.schema !== undefined) {
      const text = await errorText(res);
      if (!/response_format|json_schema/i.test(text))
        return httpFailure(400, text, null, where, hint);
      plainJson = true;
      res = await post(req, stream);
      if (!(res instanceof Response)) return res;
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
        const j = JSON.parse(await readCapped(res)) as ChatAnswer;
        const content = j.choices?.[0]?.message?.content;
        if (typeof content !== 'string')
          return badResponse(where, 'no choices[0].message.content in the answer');
        return {
          status: 'ok',
          value: {
            text: content,
            model: j.model ?? model,
            usage: {
              inputTokens: j.usage?.prompt_tokens ?? 0,
              outputTokens: j.usage?.completion_tokens ?? 0,
            },
          },
        };
      }
      let text = '';
      let answeredModel = model;
      let usage = { inputTokens: 0, outputTokens: 0 };
      let done = false;
      for await (const line of bodyLines(res.body)) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') {
          done = true;
          break;
        }
        const j = JSON.parse(data) as ChatAnswer;
        if (j.error !== undefined)
          return {
            status: 'retryable',
            error: {
              code: 'LLM.SERVER',
              message: `${where} failed while answering: ${(j.error.message ?? '').slice(0, 300)}`,
            },
          };
        if (typeof j.model === 'string') answeredModel = j.model;
        const piece = j.choices?.[0]?.delta?.content ?? '';
        if (piece !== '') {
          text += piece;
          req.onText?.(piece);
        }
        if (j.usage != null)
          usage = {
            inputTokens: j.usage.prompt_tokens ?? 0,
            outputTokens: j.usage.completion_tokens ?? 0,
          };
      }
      if (!done)
        return {
          status: 'retryable',
          error: { code: 'LLM.SERVER', message: `${where} ended the stream before [DONE]` },
        };
      return { status: 'ok', value: { text, model: answeredModel, usage } };
    } catch (e) {
      if (req.signal?.aborted === true) return networkFailure(e, where, req.signal);
      return badResponse(where, (e as Error).message);
    }
  }

  const models = () =>
    fetchModelList(
      fetchFn,
      `${base}/models`,
      { headers },
      where,
      (j) => ((j as { data?: { id: string }[] }).data ?? []).map((m) => m.id),
      hint,
    );

  /** /embeddings: {model, input: [...]} → {data: [{index, embedding}]}. */
  const embedModel = options.embedModel;
  const embed =
    embedModel === undefined
      ? undefined
      : (texts: readonly string[], signal?: AbortSignal) =>
          postForVectors(
            fetchFn,
            `${base}/embeddings`,
            headers,
            { model: embedModel, input: texts },
            where,
            texts.length,
            (j) => {
              const data = (j as { data?: { index?: number; embedding?: number[] }[] }).data;
              return data === undefined
                ? undefined
                : [...data]
                    .sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
                    .map((d) => d.embedding ?? []);
            },
            signal,
            hint,
          );

  return { provider: 'openai', model, complete, models, ...(embed === undefined ? {} : { embed }) };
}
