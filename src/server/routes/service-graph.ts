import type { FastifyInstance } from 'fastify';
import { externalEdges, peerAnswerers } from '../../core/engine/insight/evidence.js';
import type { ServerContext } from '../context.js';
import { EXTENT, SERVICE_GRAPH, answers } from './response-schemas.js';
import { FROM, TO, rangeParams } from './query-params.js';

/** The service graph of a time range (services, calls, health) and the time the store covers. */
export function serviceGraphRoutes(ctx: Pick<ServerContext, 'store'>) {
  return (app: FastifyInstance): Promise<void> => {
    app.get(
      '/extent',
      {
        schema: {
          tags: ['telemetry'],
          summary:
            'The time span of the tenant\'s telemetry (null when there is none): where a dashboard\'s "last hour" ends for imported data',
          response: answers(EXTENT),
        },
      },
      async (req) => {
        const r = await ctx.store.timeRange(req.auth.tenant);
        return r === undefined
          ? { from: null, to: null }
          : { from: new Date(r.fromMs).toISOString(), to: new Date(r.toMs).toISOString() };
      },
    );

    app.get<{ Querystring: { from?: string; to?: string } }>(
      '/graph',
      {
        schema: {
          tags: ['incidents'],
          summary:
            "The service dependency graph from parent/child spans (default: the last hour), with RED per service, the latency and error shift of every service and edge against the period of the same length before, and per edge the calls its caller's client spans made that the callee left unanswered (unansweredFailed of them failed; an edge with calls 0 is a callee that answered none). A service's errorRatio is over its requests (spans called by another service or from outside the traces). Dependencies without spans of their own that callers name in their client spans (a database, an outside API) are edges marked external: their calls, failed calls and p90 as the callers saw them",
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { from: FROM, to: TO },
          },
          response: answers(SERVICE_GRAPH),
        },
      },
      async (req) => {
        const { fromMs, toMs } = rangeParams(req.query.from, req.query.to, 3_600_000);
        const len = toMs - fromMs;
        const tenant = req.auth.tenant;
        // one bucket as wide as the end time holds every span that started before it
        const [edges, stats, prevEdges, prevStats, peers, prevPeers] = await Promise.all([
          ctx.store.serviceEdges(tenant, { fromMs, toMs }),
          ctx.store.spanStats(tenant, { fromMs, toMs, bucketMs: toMs }),
          ctx.store.serviceEdges(tenant, { fromMs: fromMs - len, toMs: fromMs }),
          ctx.store.spanStats(tenant, { fromMs: fromMs - len, toMs: fromMs, bucketMs: fromMs }),
          ctx.store.peerCalls(tenant, { fromMs, toMs, bucketMs: toMs }),
          ctx.store.peerCalls(tenant, { fromMs: fromMs - len, toMs: fromMs, bucketMs: fromMs }),
        ]);
        // calls left unanswered, to the service that answers their peer (rca's rule): a service
        // down all along has no span, and so no edge of its own
        const answerers = peerAnswerers([...prevPeers, ...peers]);
        const unanswered = new Map<
          string,
          { caller: string; callee: string; calls: number; failed: number }
        >();
        for (const r of peers) {
          const callee = answerers.get(`${r.caller}\u0000${r.peer}`)?.service;
          if (r.callee !== '' || callee === undefined) continue;
          const key = `${r.caller}\u0000${callee}`;
          const u = unanswered.get(key) ?? { caller: r.caller, callee, calls: 0, failed: 0 };
          u.calls += r.calls;
          u.failed += r.errors;
          unanswered.set(key, u);
        }
        const shift = (
          now: { p90Ms: number; errors: number; count: number },
          before: { p90Ms: number; errors: number; count: number } | undefined,
        ) =>
          before === undefined || before.count === 0
            ? null
            : {
                p90Ratio:
                  before.p90Ms > 0 ? Math.round((now.p90Ms / before.p90Ms) * 100) / 100 : null,
                errorRatioChange:
                  Math.round(
                    (now.errors / Math.max(now.count, 1) - before.errors / before.count) * 10_000,
                  ) / 10_000,
                before: { count: before.count, p90Ms: before.p90Ms },
              };
        const minutes = Math.max(len / 60_000, 1 / 60);
        const prevService = new Map(prevStats.map((x) => [x.service, x]));
        const prevEdge = new Map(prevEdges.map((e) => [`${e.caller}\u0000${e.callee}`, e]));
        // failures over requests, as rca counts them (a request's database calls do not dilute them)
        const failures = (x: { p90Ms: number; requests: number; failedRequests: number }) => ({
          p90Ms: x.p90Ms,
          errors: x.failedRequests,
          count: x.requests,
        });
        const services = stats.map((x) => {
          const before = prevService.get(x.service);
          return {
            service: x.service,
            spans: x.count,
            requests: x.requests,
            failedRequests: x.failedRequests,
            ratePerMin: Math.round((x.count / minutes) * 100) / 100,
            errorRatio: x.requests > 0 ? x.failedRequests / x.requests : 0,
            p50Ms: x.p50Ms,
            p90Ms: x.p90Ms,
            shift: shift(failures(x), before === undefined ? undefined : failures(before)),
          };
        });
        const withShift: ((typeof edges)[number] & {
          unanswered: number;
          unansweredFailed: number;
          external?: boolean;
          shift: ReturnType<typeof shift>;
        })[] = edges.map((e) => {
          const key = `${e.caller}\u0000${e.callee}`;
          const b = prevEdge.get(key);
          const u = unanswered.get(key);
          unanswered.delete(key);
          return {
            ...e,
            unanswered: u?.calls ?? 0,
            unansweredFailed: u?.failed ?? 0,
            shift: shift(
              { p90Ms: e.p90Ms, errors: e.errors, count: e.calls },
              b === undefined ? undefined : { p90Ms: b.p90Ms, errors: b.errors, count: b.calls },
            ),
          };
        });
        for (const u of unanswered.values())
          withShift.push({
            caller: u.caller,
            callee: u.callee,
            calls: 0,
            errors: 0,
            p90Ms: 0,
            unanswered: u.calls,
            unansweredFailed: u.failed,
            shift: null,
          });
        // dependencies without spans (never answered in either period), as rca sees them
        const external = new Set(externalEdges([...prevPeers, ...peers]).map((e) => e.callee));
        const prevExternal = new Map(
          externalEdges(prevPeers).map((e) => [`${e.caller}\u0000${e.callee}`, e]),
        );
        for (const e of externalEdges(peers)) {
          if (!external.has(e.callee)) continue;
          const b = prevExternal.get(`${e.caller}\u0000${e.callee}`);
          withShift.push({
            ...e,
            unanswered: 0,
            unansweredFailed: 0,
            external: true,
            shift: shift(
              { p90Ms: e.p90Ms, errors: e.errors, count: e.calls },
              b === undefined ? undefined : { p90Ms: b.p90Ms, errors: b.errors, count: b.calls },
            ),
          });
        }
        withShift.sort((a, b) =>
          a.caller < b.caller
            ? -1
            : a.caller > b.caller
              ? 1
              : a.callee < b.callee
                ? -1
                : a.callee > b.callee
                  ? 1
                  : 0,
        );
        return {
          from: new Date(fromMs).toISOString(),
          to: new Date(toMs).toISOString(),
          services,
          edges: withShift,
        };
      },
    );
    return Promise.resolve();
  };
}
