import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { INCIDENT_STATUSES, incidentTimes, incidentView } from '../../core/domain/incident.js';
import type { IncidentStatus } from '../../core/domain/incident.js';
import { parseDuration } from '../../core/domain/time-text.js';
import { AppError } from '../../core/errors.js';
import { incidentContext } from '../../core/use-cases/explain-inputs.js';
import { analyzeRootCause, rcaView } from '../../core/use-cases/root-cause-analysis.js';
import { externalEdges, peerAnswerers } from '../../core/engine/insight/evidence.js';
import type { Explanation } from '../../core/domain/explanation.js';
import type { ServerContext } from '../context.js';
import { announce } from '../incident-events.js';
import { FROM, PAGE, TO, timeParam } from './query-params.js';
import {
  CALLS,
  EXTENT,
  INCIDENT,
  INCIDENT_GRAPH,
  INCIDENT_PAGE,
  MTTR,
  PEER_CALLS,
  RCA,
  RED,
  SCAN,
  SERVICE_GRAPH,
  TIMELINE,
  answers,
} from './response-schemas.js';
import { EXPLAINED, EXPLANATIONS, LLM } from './response-schemas.js';

/** Durations as the CLI takes them; the pattern admits only what parseDuration reads. */
const DURATION = {
  type: 'string',
  pattern: '^[1-9][0-9]{0,5}(s|m|h|d)$',
  description: 'e.g. 30s, 10m, 2h',
} as const;
const duration = (v: string) => parseDuration(v)!;

/** from/to parameters: defaults ending now and spanning `defaultMs`; `to` must come after `from`. */
function rangeParams(
  from: string | undefined,
  to: string | undefined,
  defaultMs: number,
): { fromMs: number; toMs: number } {
  const toMs = timeParam('to', to) ?? Date.now();
  const fromMs = timeParam('from', from) ?? toMs - defaultMs;
  if (toMs <= fromMs)
    throw new AppError('INPUT.BAD_OPTION', 'to must be after from', { field: 'to' });
  return { fromMs, toMs };
}

/** The range of a series over time (default: the last hour), refused beyond 10,000 steps. */
function seriesRange(q: { from?: string; to?: string; step: number }): {
  fromMs: number;
  toMs: number;
} {
  const r = rangeParams(q.from, q.to, 3_600_000);
  if ((r.toMs - r.fromMs) / (q.step * 1000) > 10_000)
    throw new AppError(
      'INPUT.BAD_OPTION',
      'more than 10,000 steps: use a larger step or a shorter range',
      { field: 'step' },
    );
  return r;
}

const incidentsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { status: { type: 'string', enum: INCIDENT_STATUSES }, from: FROM, to: TO, ...PAGE },
} as const;
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 64 } },
} as const;

/** Incidents (list, one, timeline, graph, acknowledge, resolve, scan), root causes, the service graph and MTTD/MTTR. */
export function incidentRoutes(ctx: ServerContext) {
  return (app: FastifyInstance): Promise<void> => {
    const who = (req: FastifyRequest) =>
      req.auth.keyId === 'open' ? 'an operator (open mode)' : `key ${req.auth.keyId}`;
    const notFound = (res: FastifyReply, id: string) =>
      res.code(404).send({ code: 404, message: `no incident ${id}` });

    app.get<{
      Querystring: {
        status?: IncidentStatus;
        from?: string;
        to?: string;
        limit: number;
        cursor?: string;
      };
    }>(
      '/incidents',
      {
        schema: {
          tags: ['incidents'],
          summary: 'Incidents, newest first symptom first (cursor pages), by status and time',
          querystring: incidentsQuery,
          response: answers(INCIDENT_PAGE),
        },
      },
      async (req) => {
        const q = req.query;
        const page = await ctx.history.listIncidents(req.auth.tenant, {
          limit: q.limit,
          ...(q.status ? { status: q.status } : {}),
          ...optionalRange(q.from, q.to),
          ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
        });
        return { items: page.items.map(incidentView), next: page.next ?? null };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/incidents/:id',
      {
        schema: {
          tags: ['incidents'],
          summary:
            'One incident: status, services, ranked causes with reasons, timeline, MTTD/MTTR',
          params: idParams,
          response: answers(INCIDENT, 404),
        },
      },
      async (req, res) => {
        const i = await ctx.history.getIncident(req.auth.tenant, req.params.id);
        return i === undefined ? notFound(res, req.params.id) : incidentView(i);
      },
    );

    app.get<{ Params: { id: string } }>(
      '/incidents/:id/timeline',
      {
        schema: {
          tags: ['incidents'],
          summary:
            "An incident's timeline: first symptom, detection, symptoms, changes, acknowledgement, resolution",
          params: idParams,
          response: answers(TIMELINE, 404),
        },
      },
      async (req, res) => {
        const i = await ctx.history.getIncident(req.auth.tenant, req.params.id);
        return i === undefined
          ? notFound(res, req.params.id)
          : {
              id: i.id,
              timeline: i.timeline.map((e) => ({ ...e, time: new Date(e.timeMs).toISOString() })),
            };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/incidents/:id/graph',
      {
        schema: {
          tags: ['incidents'],
          summary:
            'The service graph around an incident: its services, their callers and callees, abnormal ones marked with their cause score',
          params: idParams,
          response: answers(INCIDENT_GRAPH, 404),
        },
      },
      async (req, res) => {
        const i = await ctx.history.getIncident(req.auth.tenant, req.params.id);
        if (i === undefined) return notFound(res, req.params.id);
        const edges = await ctx.store.serviceEdges(req.auth.tenant, {
          fromMs: i.firstSymptomMs - 10 * 60_000,
          toMs: i.lastSymptomMs,
        });
        const involved = new Set(i.services);
        const near = edges.filter((e) => involved.has(e.caller) || involved.has(e.callee));
        const names = new Set([...i.services, ...near.flatMap((e) => [e.caller, e.callee])]);
        const score = new Map(i.causes.map((c) => [c.service, c.score]));
        return {
          id: i.id,
          nodes: [...names].sort().map((s) => ({
            service: s,
            abnormal: involved.has(s),
            causeScore: score.get(s) ?? null,
          })),
          edges: near,
        };
      },
    );

    const explainBody = {
      type: 'object',
      additionalProperties: false,
      properties: {
        prompt: {
          type: 'string',
          pattern: '^v[0-9]{1,4}$',
          description: 'prompt version (default: the newest)',
        },
        compare: {
          type: 'string',
          pattern: '^v[0-9]{1,4}$',
          description: 'a second prompt version run on the same context (A/B); both are recorded',
        },
        fresh: {
          type: 'boolean',
          default: false,
          description: 'ask the model again instead of answering from the 24 h cache',
        },
      },
    } as const;
    app.post<{
      Params: { id: string };
      Body: { prompt?: string; compare?: string; fresh?: boolean } | undefined;
    }>(
      '/incidents/:id/explain',
      {
        schema: {
          tags: ['incidents'],
          summary:
            'Have the configured model explain an incident, citing its evidence (redacted first). With Accept: text/event-stream the answer streams: `text` events as it is written, then one `explanation` event',
          params: idParams,
          body: explainBody,
          response: answers(EXPLAINED, 404),
        },
        // a POST without a body asks with the defaults
        preValidation: (req, _res, done) => {
          req.body ??= {};
          done();
        },
      },
      async (req, res) => {
        const i = await ctx.history.getIncident(req.auth.tenant, req.params.id);
        if (i === undefined) return notFound(res, req.params.id);
        const b = req.body ?? {};
        const prompts = [
          ctx.explainer.prompt('incident', b.prompt),
          ...(b.compare === undefined ? [] : [ctx.explainer.prompt('incident', b.compare)]),
        ];
        const context = await incidentContext(
          { telemetry: ctx.store, history: ctx.history },
          req.auth.tenant,
          i,
          ctx.explainer.contextChars,
          ctx.explainer.embed,
        );
        const subject = `incident:${i.id}`;
        const stream = (req.headers.accept ?? '').includes('text/event-stream');
        if (!stream) {
          const out: Explanation[] = [];
          for (const prompt of prompts)
            out.push(
              await ctx.explainer.explain({
                tenant: req.auth.tenant,
                subject,
                context,
                prompt,
                fresh: b.fresh === true,
              }),
            );
          return {
            incident: i.id,
            explanation: out[0],
            ...(out[1] === undefined ? {} : { compare: out[1] }),
          };
        }
        res.hijack();
        const raw = res.raw;
        raw.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        const send = (event: string, data: unknown) =>
          raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        try {
          for (const prompt of prompts) {
            const e = await ctx.explainer.explain({
              tenant: req.auth.tenant,
              subject,
              context,
              prompt,
              fresh: b.fresh === true,
              onText: (text) => send('text', { prompt: `${prompt.kind}@${prompt.version}`, text }),
            });
            send('explanation', e);
          }
        } finally {
          raw.end();
        }
        return res;
      },
    );

    app.get(
      '/llm',
      {
        schema: {
          tags: ['incidents'],
          summary:
            'The model behind explanations: provider, model, whether it answers and the models it offers (none configured: provider null)',
          response: answers(LLM),
        },
      },
      async () => {
        const llm = ctx.explainer.llm;
        if (llm === undefined)
          return {
            provider: null,
            model: null,
            reachable: false,
            note: 'no model configured: start the server with --llm ollama (or openai, bedrock)',
          };
        const r = await llm.models();
        return r.status === 'ok'
          ? {
              provider: llm.provider,
              model: llm.model,
              reachable: true,
              models: r.value,
              modelAvailable: r.value.some((m) => m === llm.model || m === `${llm.model}:latest`),
            }
          : { provider: llm.provider, model: llm.model, reachable: false, note: r.error.message };
      },
    );

    app.get<{ Params: { id: string }; Querystring: { limit: number } }>(
      '/incidents/:id/explanations',
      {
        schema: {
          tags: ['incidents'],
          summary:
            'Explanations recorded for an incident, newest first: prompt version, model, status, citations, tokens, time (to compare prompt versions)',
          params: idParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
          },
          response: answers(EXPLANATIONS),
        },
      },
      async (req) => {
        const recs = await ctx.history.listExplanations(
          req.auth.tenant,
          `incident:${req.params.id}`,
          req.query.limit,
        );
        return {
          items: recs.map((r) => ({
            id: r.id,
            created: new Date(r.createdMs).toISOString(),
            ...r.explanation,
          })),
        };
      },
    );

    const transition =
      (kind: 'acknowledge' | 'resolve') =>
      async (req: FastifyRequest<{ Params: { id: string } }>, res: FastifyReply) => {
        const r =
          kind === 'acknowledge'
            ? await ctx.incidents.acknowledge(req.auth.tenant, req.params.id, Date.now(), who(req))
            : await ctx.incidents.resolve(req.auth.tenant, req.params.id, Date.now(), who(req));
        if (r === undefined) return notFound(res, req.params.id);
        if (r.change !== undefined) announce(ctx, [r.change]);
        return incidentView(r.incident);
      };
    app.post(
      '/incidents/:id/acknowledge',
      {
        schema: {
          tags: ['incidents'],
          summary: 'Acknowledge an open incident (kept when it is detected again)',
          params: idParams,
          response: answers(INCIDENT, 404),
        },
      },
      transition('acknowledge'),
    );
    app.post(
      '/incidents/:id/resolve',
      {
        schema: {
          tags: ['incidents'],
          summary: 'Resolve an incident by hand (new symptoms after this reopen it)',
          params: idParams,
          response: answers(INCIDENT, 404),
        },
      },
      transition('resolve'),
    );

    app.post<{ Body: { from: string; to: string; reference?: string } }>(
      '/incidents/scan',
      {
        schema: {
          tags: ['incidents'],
          summary:
            'Look for incidents in stored data of a past period (imports), each minute against the data around it; the incidents found are kept',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['from', 'to'],
            properties: { from: FROM, to: TO, reference: DURATION },
          },
          response: answers(SCAN),
        },
      },
      async (req) => {
        const { fromMs, toMs } = rangeParams(req.body.from, req.body.to, 0);
        if (toMs - fromMs > 7 * 86_400_000)
          throw new AppError('INPUT.BAD_OPTION', 'scan at most 7 days at once', { field: 'to' });
        const { incidents, changes, findings } = await ctx.incidents.scanRange(
          req.auth.tenant,
          fromMs,
          toMs,
          req.body.reference === undefined ? undefined : duration(req.body.reference),
        );
        for (const f of findings) ctx.events.publish(req.auth.tenant, 'finding', f);
        announce(ctx, changes);
        return {
          items: incidents.map(incidentView),
          changes: changes.map((c) => ({ type: c.type, id: c.incident.id })),
          findings: findings.length,
        };
      },
    );

    app.get<{ Querystring: { at: string; window: string; reference: string; top: number } }>(
      '/rca',
      {
        schema: {
          tags: ['incidents'],
          summary: 'Rank root-cause services for an alert at a time (as bifrost rca)',
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['at'],
            properties: {
              at: { type: 'string', description: 'ISO date-time or epoch ms' },
              window: { ...DURATION, default: '10m' },
              reference: { ...DURATION, default: '2h' },
              top: { type: 'integer', minimum: 1, maximum: 100, default: 5 },
            },
          },
          response: answers(RCA),
        },
      },
      async (req) => {
        const atMs = timeParam('at', req.query.at)!;
        return rcaView(
          await analyzeRootCause(ctx.store, req.auth.tenant, {
            atMs,
            windowMs: duration(req.query.window),
            referenceMs: duration(req.query.reference),
          }),
          req.query.top,
        );
      },
    );

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

    app.get<{ Querystring: { service: string; from?: string; to?: string; step: number } }>(
      '/calls',
      {
        schema: {
          tags: ['traces'],
          summary:
            "The call paths to and from a service over time: calls per step, failed calls, and the median time a call spent outside its callee's span (the caller's span less the callee's: the network both ways, a request waiting to be taken up), the series behind 'network' evidence (default: the last hour, 1-minute steps)",
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              service: { type: 'string', minLength: 1, maxLength: 512 },
              from: FROM,
              to: TO,
              step: {
                type: 'integer',
                minimum: 1,
                maximum: 86_400,
                default: 60,
                description: 'step in seconds',
              },
            },
            required: ['service'],
          },
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
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              service: { type: 'string', minLength: 1, maxLength: 512 },
              from: FROM,
              to: TO,
              step: {
                type: 'integer',
                minimum: 1,
                maximum: 86_400,
                default: 60,
                description: 'step in seconds',
              },
            },
            required: ['service'],
          },
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

    app.get<{ Querystring: { from?: string; to?: string } }>(
      '/mttr',
      {
        schema: {
          tags: ['incidents'],
          summary:
            'Incidents, mean time to detect and to resolve per service (the top cause), over a period (default: 30 days)',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { from: FROM, to: TO },
          },
          response: answers(MTTR),
        },
      },
      async (req) => {
        const { fromMs, toMs } = rangeParams(req.query.from, req.query.to, 30 * 86_400_000);
        const per = new Map<string, { incidents: number; mttd: number[]; mttr: number[] }>();
        let cursor: string | undefined;
        do {
          const page = await ctx.history.listIncidents(req.auth.tenant, {
            fromMs,
            toMs,
            limit: 1000,
            ...(cursor === undefined ? {} : { cursor }),
          });
          for (const i of page.items) {
            const service = i.causes[0]?.service ?? i.services[0] ?? '';
            let p = per.get(service);
            if (p === undefined) per.set(service, (p = { incidents: 0, mttd: [], mttr: [] }));
            const t = incidentTimes(i);
            p.incidents++;
            p.mttd.push(t.mttdMs);
            if (t.mttrMs !== undefined) p.mttr.push(t.mttrMs);
          }
          cursor = page.next;
        } while (cursor !== undefined);
        const mean = (xs: number[]) =>
          xs.length === 0 ? null : Math.round(xs.reduce((a, x) => a + x, 0) / xs.length);
        return {
          from: new Date(fromMs).toISOString(),
          to: new Date(toMs).toISOString(),
          services: [...per]
            .sort((a, b) => b[1].incidents - a[1].incidents || (a[0] < b[0] ? -1 : 1))
            .map(([service, p]) => ({
              service,
              incidents: p.incidents,
              mttdMs: mean(p.mttd),
              mttrMs: mean(p.mttr),
              resolved: p.mttr.length,
            })),
        };
      },
    );
    return Promise.resolve();
  };
}

function optionalRange(
  from: string | undefined,
  to: string | undefined,
): { fromMs?: number; toMs?: number } {
  const f = timeParam('from', from);
  const t = timeParam('to', to);
  return { ...(f === undefined ? {} : { fromMs: f }), ...(t === undefined ? {} : { toMs: t }) };
}
