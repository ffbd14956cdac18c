import { createHmac } from 'node:crypto';
import type { NotifierPort } from '../../core/ports/notifier.port.js';
import { postOrThrow, redactUrl } from './http-post.js';

/**
 * The signature a receiver checks: hex HMAC-SHA256 over `<timestamp>.<body>` with the shared
 * secret, sent as `x-bifrost-signature: sha256=<hex>` beside `x-bifrost-timestamp` (reject old
 * timestamps to stop replays).
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A generic JSON webhook: {type, tenant, incident, link} with a signature header when a secret is set. */
export function createWebhookNotifier(
  url: string,
  options: { secret?: string; timeoutMs?: number; now?: () => number } = {},
): NotifierPort {
  return {
    name: `webhook ${redactUrl(url)}`,
    send: (n) => {
      const body = JSON.stringify({
        type: n.type,
        tenant: n.tenant,
        deliveryId: n.deliveryId,
        incident: n.incident,
        ...(n.link === undefined ? {} : { link: n.link }),
      });
      const timestamp = String(Math.floor((options.now ?? Date.now)() / 1000));
      const headers: Record<string, string> = {
        'x-bifrost-event': `incident.${n.type}`,
        'x-bifrost-delivery': n.deliveryId,
        'x-bifrost-timestamp': timestamp,
        'user-agent': 'bifrost-webhook',
      };
      if (options.secret !== undefined && options.secret !== '')
        headers['x-bifrost-signature'] = webhookSignature(options.secret, timestamp, body);
      return postOrThrow(url, body, headers, options.timeoutMs ?? 10_000);
    },
  };
}
