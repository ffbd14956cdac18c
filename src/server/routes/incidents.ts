import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { INCIDENT_STATUSES, incidentTimes } from '../../core/domain/incident.js';
import { incidentView } from '../../views/incident.js';
import type { IncidentStatus } from '../../core/domain/incident.js';
import { AppError } from '../../core/errors.js';
import { incidentContext } from '../../core/use-cases/explain-inputs.js';
import type { Explanation } from '../../core/domain/explanation.js';
import type { ServerContext } from '../context.js';
import { announce } from '../incident-events.js';
import {
  INCIDENT,
  INCIDENT_GRAPH,
  INCIDENT_PAGE,
  MTTR,
  SCAN,
  TIMELINE,
  answers,
} from './response-schemas.js';
import { EXPLAINED, EXPLANATIONS } from './response-schemas.js';
import {
  DURATION,
  FROM,
  PAGE,
  TO,
  duration,
  idParams,
  optionalRange,
  rangeParams,
} from './query-params.js';

const incidentsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { status: { type: 'string', enum: INCIDENT_STATUSES }, from: FROM, to: TO, ...PAGE },
} as const;

/** Incidents (list, one, timeline, graph, explain, explanations, acknowledge, resolve, scan) and MTTD/MTTR. */
export function incidentRoutes(
  ctx: Pick<
    ServerContext,
    'events' | 'explainer' | 'history' | 'incidents' | 'metrics' | 'notifier' | 'store'
  >,
) {
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
          response: answers(EXPLANATIONS, 404),
        },
      },
      async (req, res) => {
        if ((await ctx.history.getIncident(req.auth.tenant, req.params.id)) === undefined)
          return notFound(res, req.params.id);
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
