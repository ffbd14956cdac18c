import { NotifyError } from '../../core/ports/notifier.port.js';

/**
 * POSTs a body and turns the answer into success or a NotifyError: 2xx is delivered; 408, 429
 * and 5xx (and network errors, time-outs) can be retried, honouring Retry-After; other 4xx
 * cannot (the URL or the payload is wrong).
 */
export async function postOrThrow(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    throw new NotifyError(
      `${redactUrl(url)}: ${(err as Error).name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : (err as Error).message}`,
      true,
    );
  }
  const text = await res.text().catch(() => '');
  if (res.ok) return;
  const retryAfter = Number(res.headers.get('retry-after'));
  const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
  throw new NotifyError(
    `${redactUrl(url)} answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
    retryable,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
  );
}

/** A webhook URL is a secret (Slack's path is the credential): only its origin goes into messages. */
export function redactUrl(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '(invalid URL)';
  }
}
