import { AppError } from '../../core/errors.js';
import type { LlmError, LlmResult } from '../../core/ports/llm.port.js';
import { clip } from '../../core/domain/text.js';

/** Retry-After in seconds or as an HTTP date, in ms. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The provider's own error message out of a JSON error body ({"error": "…"} or {"error": {"message": "…"}}). */
function providerMessage(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: unknown; message?: unknown };
    if (typeof j.error === 'string') return j.error;
    if (
      typeof j.error === 'object' &&
      j.error !== null &&
      typeof (j.error as { message?: unknown }).message === 'string'
    )
      return (j.error as { message: string }).message;
    if (typeof j.message === 'string') return j.message;
  } catch {
    // not JSON
  }
  return body.trim();
}

/** An HTTP error answer as a result: 429 and 5xx are worth retrying, the rest needs a person. */
export function httpFailure(
  status: number,
  body: string,
  retryAfter: string | null,
  where: string,
  hint: { auth?: string; notFound?: string } = {},
): LlmResult<never> {
  const said = clip(providerMessage(body) || `HTTP ${status}`, 300);
  const ra = retryAfterMs(retryAfter);
  const error = (code: LlmError['code'], message: string): LlmError => ({
    code,
    message,
    status,
    ...(ra === undefined ? {} : { retryAfterMs: ra }),
  });
  if (status === 429)
    return {
      status: 'retryable',
      error: error('LLM.RATE_LIMITED', `${where} is rate limiting (429): ${said}`),
    };
  if (status >= 500)
    return {
      status: 'retryable',
      error: error('LLM.SERVER', `${where} failed (${status}): ${said}`),
    };
  if (status === 401 || status === 403)
    return {
      status: 'failed',
      error: error(
        'LLM.REJECTED',
        `${where} refused the credentials (${status}): ${said}${hint.auth === undefined ? '' : `; ${hint.auth}`}`,
      ),
    };
  if (status === 404)
    return {
      status: 'failed',
      error: error(
        'LLM.REJECTED',
        `${where} answered 404: ${said}${hint.notFound === undefined ? '' : `; ${hint.notFound}`}`,
      ),
    };
  return {
    status: 'failed',
    error: error('LLM.REJECTED', `${where} rejected the request (${status}): ${said}`),
  };
}

/** A fetch that failed before an answer: refused, reset, timed out or aborted. */
export function networkFailure(
  e: unknown,
  where: string,
  signal: AbortSignal | undefined,
): LlmResult<never> {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (signal?.aborted === true || err.name === 'TimeoutError' || err.name === 'AbortError') {
    return {
      status: 'retryable',
      error: { code: 'LLM.TIMEOUT', message: `${where} did not answer in time` },
    };
  }
  const code = err.cause?.code ?? err.message ?? 'unknown error';
  return {
    status: 'retryable',
    error: {
      code: 'LLM.UNAVAILABLE',
      message: `cannot reach ${where} (${code}); is it running, and is the address right?`,
    },
  };
}

export function badResponse(where: string, what: string): LlmResult<never> {
  return {
    status: 'failed',
    error: {
      code: 'LLM.BAD_RESPONSE',
      message: `${where} sent an answer Bifrost cannot read: ${clip(what, 200)}`,
    },
  };
}

/** Lines of a streamed body (NDJSON, Server-Sent Events), decoded as UTF-8 across chunk boundaries. */
export async function* bodyLines(
  body: ReadableStream<Uint8Array>,
  maxLineBytes = 4 * 1024 * 1024,
  maxTotalBytes = 4 * MAX_ANSWER_BYTES,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buf = '';
  let total = 0;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxTotalBytes)
      throw new Error(`the streamed answer is more than the ${maxTotalBytes} bytes accepted`);
    buf += decoder.decode(chunk, { stream: true });
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      yield buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      nl = buf.indexOf('\n');
    }
    if (buf.length > maxLineBytes)
      throw new Error(`a streamed line is longer than ${maxLineBytes} bytes`);
  }
  buf += decoder.decode();
  if (buf !== '') yield buf;
}

/** The base URL without a trailing slash, or the reason it is not one. */
export function baseUrl(value: string, name: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new AppError(
      'INPUT.BAD_OPTION',
      `${name} must be a URL such as http://127.0.0.1:11434, got "${value}"`,
      { field: name },
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new AppError('INPUT.BAD_OPTION', `${name} must be an http(s) URL, got ${u.protocol}`, {
      field: name,
    });
  return u.toString().replace(/\/+$/, '');
}

/** The most an answer body may hold: a model answer is kilobytes; more is a misbehaving server. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** A response body as text, refused past maxBytes (a hostile or broken server cannot fill memory). */
export async function readCapped(res: Response, maxBytes = MAX_ANSWER_BYTES): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`the answer is ${declared} bytes, more than the ${maxBytes} accepted`);
  }
  if (res.body === null) return '';
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) {
      await res.body.cancel().catch(() => undefined);
      throw new Error(`the answer is more than the ${maxBytes} bytes accepted`);
    }
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/** An error body for the message: the first 64 KiB at most, never a failure of its own. */
export async function errorText(res: Response): Promise<string> {
  try {
    return await readCapped(res, 64 * 1024);
  } catch {
    return '';
  }
}

/** GET a provider's model list: names picked out of its JSON by `pick`; failures as results. */
export async function fetchModelList(
  fetchFn: typeof fetch,
  url: string,
  init: { headers?: Record<string, string> },
  where: string,
  pick: (json: unknown) => string[],
  hint: { auth?: string; notFound?: string } = {},
): Promise<LlmResult<string[]>> {
  let res: Response;
  try {
    res = await fetchFn(url, { ...init, signal: AbortSignal.timeout(5000) });
  } catch (e) {
    return networkFailure(e, where, undefined);
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
    return {
      status: 'ok',
      value: pick(JSON.parse(await readCapped(res))).filter((n) => typeof n === 'string'),
    };
  } catch (e) {
    return badResponse(where, (e as Error).message);
  }
}

/** POST for embedding vectors: one per text, each a list of finite numbers of one length, or a bad response. */
export async function postForVectors(
  fetchFn: typeof fetch,
  url: string,
  headers: Record<string, string>,
  body: unknown,
  where: string,
  count: number,
  pick: (json: unknown) => number[][] | undefined,
  signal: AbortSignal | undefined,
  hint: { auth?: string; notFound?: string } = {},
): Promise<LlmResult<number[][]>> {
  let res: Response;
  const s = signal ?? AbortSignal.timeout(30_000);
  try {
    res = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: s,
    });
  } catch (e) {
    return networkFailure(e, where, s);
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
    const vectors = pick(JSON.parse(await readCapped(res, 64 * 1024 * 1024)));
    const dim = vectors?.[0]?.length ?? 0;
    if (
      vectors?.length !== count ||
      dim === 0 ||
      !vectors.every(
        (v) =>
          Array.isArray(v) &&
          v.length === dim &&
          v.every((x) => typeof x === 'number' && Number.isFinite(x)),
      )
    ) {
      return badResponse(where, `expected ${count} embedding vectors of one length`);
    }
    return { status: 'ok', value: vectors };
  } catch (e) {
    return badResponse(where, (e as Error).message);
  }
}
