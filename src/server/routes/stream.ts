import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import type { HubEvent } from '../event-hub.js';
import { answers, notJson } from './response-schemas.js';

/** Heartbeat comment interval: keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

/**
 * GET /api/v1/stream: Server-Sent Events of the tenant's findings (`finding`) and incident
 * changes (`incident.opened`, `incident.updated`, `incident.acknowledged`, `incident.resolved`,
 * `incident.reopened`). Every event has an id; a client reconnecting with Last-Event-ID (header,
 * or `lastEventId` in the query for EventSource polyfills) first gets what it missed, or a
 * `reset` event when some of it is no longer held (refetch the lists).
 */
export function streamRoutes(ctx: Pick<ServerContext, 'events' | 'streams'>) {
  return (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: { types?: string; lastEventId?: string } }>(
      '/stream',
      {
        schema: {
          tags: ['incidents'],
          summary:
            'Server-Sent Events of findings and incident changes, with ids, Last-Event-ID resume and heartbeats',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              types: {
                type: 'string',
                maxLength: 200,
                description:
                  'comma-separated prefixes, e.g. incident or finding,incident.opened (default: all)',
              },
              lastEventId: { type: 'string', pattern: '^[0-9]{1,15}$' },
            },
          },
          response: answers(
            notJson(
              'events: id, event (finding, incident.opened…), data (JSON); a comment every 15 s keeps it open',
              'text/event-stream',
            ),
          ),
        },
      },
      (req, res) => {
        const tenant = req.auth.tenant;
        const prefixes = (req.query.types ?? '')
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== '');
        const wanted = (e: HubEvent) =>
          prefixes.length === 0 || prefixes.some((p) => e.type === p || e.type.startsWith(`${p}.`));
        const header = req.headers['last-event-id'];
        const last =
          typeof header === 'string' && /^\d{1,15}$/.test(header)
            ? Number(header)
            : req.query.lastEventId !== undefined
              ? Number(req.query.lastEventId)
              : undefined;
        res.hijack();
        const out = res.raw;
        out.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        out.write(
          `retry: 3000\n: bifrost stream for tenant ${tenant}, last event id ${ctx.events.lastId(tenant)}\n\n`,
        );
        const send = (e: HubEvent) => {
          if (wanted(e))
            out.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
        };
        if (last !== undefined) {
          const { events, gap } = ctx.events.since(tenant, last);
          if (gap)
            out.write(
              `id: ${ctx.events.lastId(tenant)}\nevent: reset\ndata: ${JSON.stringify({ message: 'some events since your Last-Event-ID are no longer held: fetch /api/v1/incidents and /api/v1/findings again' })}\n\n`,
            );
          events.forEach(send);
        }
        const unsubscribe = ctx.events.subscribe(tenant, send);
        const heartbeat = setInterval(() => out.write(': heartbeat\n\n'), HEARTBEAT_MS);
        heartbeat.unref();
        const stop = () => {
          clearInterval(heartbeat);
          unsubscribe();
        };
        req.raw.on('close', stop);
        ctx.streams.add(out);
        out.on('close', () => ctx.streams.delete(out));
        return res;
      },
    );
    return Promise.resolve();
  };
}
