import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { NOTIFIERS, NOTIFIER_TESTS, answers } from './response-schemas.js';
import { isoTime } from '../../core/domain/time-text.js';

const iso = (ms: number | undefined) => (ms === undefined ? null : isoTime(ms));

/**
 * The destinations incident notices go to (admin): each with its delivery figures, and a test
 * notice on request. Destinations are set when the server starts (--slack-webhook,
 * --webhook-url): their URLs are credentials, so the API shows them with the secret part hidden
 * and never takes new ones.
 */
export function notifierRoutes(ctx: Pick<ServerContext, 'notifier'>) {
  return (app: FastifyInstance): Promise<void> => {
    app.get(
      '/notifiers',
      {
        schema: {
          tags: ['notifiers'],
          summary:
            'Where incident notices go (admin): each destination (secret part hidden) with notices sent and failed since start, the last of each',
          response: answers(NOTIFIERS),
        },
      },
      () => ({
        items: ctx.notifier.status().map((s) => ({
          kind: s.name.split(' ')[0],
          name: s.name,
          sent: s.sent,
          failed: s.failed,
          lastSent: iso(s.lastSentMs),
          lastFailure:
            s.lastFailure === undefined
              ? null
              : { time: iso(s.lastFailure.timeMs), message: s.lastFailure.message },
        })),
        configure:
          'Destinations are set at start: bifrost serve --slack-webhook <url> --webhook-url <url> (or BIFROST_SLACK_WEBHOOK, BIFROST_WEBHOOK_URL); the webhook is signed when BIFROST_WEBHOOK_SECRET is set',
      }),
    );
    app.post(
      '/notifiers/test',
      {
        schema: {
          tags: ['notifiers'],
          summary:
            'Send a test notice to every destination, once each, and say how each went (admin)',
          response: answers(NOTIFIER_TESTS),
        },
      },
      async (req) => ({ items: await ctx.notifier.test(req.auth.tenant) }),
    );
    return Promise.resolve();
  };
}
