import type { FastifyInstance } from 'fastify';
import { peerAnswerers } from '../../core/engine/insight/evidence.js';
import type { ServerContext } from '../context.js';
import { CALLS, PEER_CALLS, RED, answers } from './response-schemas.js';
import { FROM, SERVICE_SERIES_QUERY, TO, seriesRange } from './query-params.js';

/** Requests, errors and durations per operation, and the call paths to and from a service, over time. */
export function redRoutes(ctx: Pick<ServerContext, 'store'>) {
  return (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: { service: string; from?: string; to?: string; step: number } }>(
      '/calls',
      {
        schema: {
          tags: ['traces'],
          summary:
            "The call paths to and from a service over time: calls per step, failed calls, and the median time a call spent outside its callee's span (the caller's span less the callee's: the network both ways, a request waiting to be taken up), the series behind 'network' evidence (default: the last hour, 1-minute steps)",
          querystring: SERVICE_SERIES_QUERY,
          response: answers(CALLS),
        },
      },
      async (req) => {
        const { fromMs, toMs } = seriesRange(req.query);
        const rows = await ctx.store.edgeStats(req.auth.tenant, {
          fromMs,
          toMs,
          bucketMs: req.query.step * 1000,
          service: req.query.service,
        });
        const paths = new Map<
          string,
          {
            caller: string;
            callee: string;
            points: { time: string; calls: number; errors: number; gapMs: number }[];
          }
        >();
        for (const r of rows) {
          const key = `${r.caller}\u0000${r.callee}`;
          let p = paths.get(key);
          if (p === undefined)
            paths.set(key, (p = { caller: r.caller, callee: r.callee, points: [] }));
          p.points.push({
            time: new Date(r.bucketMs).toISOString(),
            calls: r.calls,
            errors: r.errors,
            gapMs: r.gapP50Ms,
          });
        }
        return {
          from: new Date(fromMs).toISOString(),
          to: new Date(toMs).toISOString(),
          step: req.query.step,
          paths: [...paths.values()],
        };
      },
    );

    app.get<{ Querystring: { service: string; from?: string; to?: string; step: number } }>(
      '/peer-calls',
      {
        schema: {
          tags: ['traces'],
          summary:
            "The calls to a service as its callers' CLIENT spans name it (peer.service, server.address, the URL's host), over time: calls per step, how many it answered (a span of its own below the call) and how many of the others failed, the series behind 'unanswered' evidence. The peers it answers are learnt from the range and the period of the same length before it (default: the last hour, 1-minute steps)",
          querystring: SERVICE_SERIES_QUERY,
          response: answers(PEER_CALLS),
        },
      },
      async (req) => {
        const { fromMs, toMs } = seriesRange(req.query);
        const rows = await ctx.store.peerCalls(req.auth.tenant, {
          fromMs: fromMs - (toMs - fromMs),
          toMs,
          bucketMs: req.query.step * 1000,
        });
        const answerers = peerAnswerers(rows);
        const callers = new Map<
          string,
          {
            caller: string;
            peer: string;
            points: Map<number, { calls: number; answered: number; failed: number }>;
          }
        >();
        for (const r of rows) {
          const key = `${r.caller}\u0000${r.peer}`;
          if (r.bucketMs < fromMs || answerers.get(key)?.service !== req.query.service) continue;
          let c = callers.get(key);
          if (c === undefined)
            callers.set(key, (c = { caller: r.caller, peer: r.peer, points: new Map() }));
          const p = c.points.get(r.bucketMs) ?? { calls: 0, answered: 0, failed: 0 };
          p.calls += r.calls;
          if (r.callee !== '') p.answered += r.calls;
          else p.failed += r.errors;
          c.points.set(r.bucketMs, p);
        }
        return {
          from: new Date(fromMs).toISOString(),
          to: new Date(toMs).toISOString(),
          step: req.query.step,
          service: req.query.service,
          callers: [...callers.values()].map((c) => ({
            caller: c.caller,
            peer: c.peer,
            points: [...c.points]
              .sort((a, b) => a[0] - b[0])
              .map(([t, p]) => ({ time: new Date(t).toISOString(), ...p })),
          })),
        };
      },
    );

    app.get<{
      Querystring: {
        service?: string;
        from?: string;
        to?: string;
        step: number;
        per: 'operation' | 'service';
      };
    }>(
      '/red',
      {
        schema: {
          tags: ['traces'],
          summary:
            'RED of a service (or all) over time, per operation or per service (operation "*"): spans per step, failed spans, requests (spans called by another service or from outside the traces), failed requests (failed themselves or with a failed span of the service below them) and the failed requests whose failure began in the service (not passed up from a call), p50 and p90 duration (default: the last hour, 1-minute steps)',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              service: { type: 'string', maxLength: 512 },
              from: FROM,
              to: TO,
              step: {
                type: 'integer',
                minimum: 1,
                maximum: 86_400,
                default: 60,
                description: 'step in seconds',
              },
              per: {
                type: 'string',
                enum: ['operation', 'service'],
                default: 'operation',
                description:
                  'service: one series per service over all its operations (operation "*")',
              },
            },
          },
          response: answers(RED),
        },
      },
      async (req) => {
        const { fromMs, toMs } = seriesRange(req.query);
        const window = { fromMs, toMs, bucketMs: req.query.step * 1000 };
        const service = req.query.service;
        const rows =
          req.query.per === 'service'
            ? (
                await ctx.store.spanStats(req.auth.tenant, {
                  ...window,
                  ...(service === undefined ? {} : { service }),
                })
              ).map((r) => ({ ...r, operation: '*' }))
            : await ctx.store.operationStats(req.auth.tenant, {
                ...window,
                ...(service === undefined ? {} : { service }),
              });
        const series = new Map<
          string,
          {
            service: string;
            operation: string;
            points: {
              time: string;
              spans: number;
              errors: number;
              requests: number;
              failedRequests: number;
              ownFailedRequests: number;
              p50Ms: number;
              p90Ms: number;
            }[];
          }
        >();
        for (const r of rows) {
          const key = `${r.service}\u0000${r.operation}`;
          let s = series.get(key);
          if (s === undefined)
            series.set(key, (s = { service: r.service, operation: r.operation, points: [] }));
          s.points.push({
            time: new Date(r.bucketMs).toISOString(),
            spans: r.count,
            errors: r.errors,
            requests: r.requests,
            failedRequests: r.failedRequests,
            ownFailedRequests: r.ownFailedRequests,
            p50Ms: r.p50Ms,
            p90Ms: r.p90Ms,
          });
        }
        return {
          from: new Date(fromMs).toISOString(),
          to: new Date(toMs).toISOString(),
          step: req.query.step,
          operations: [...series.values()],
        };
      },
    );
    return Promise.resolve();
  };
}
