import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { ServerContext } from '../context.js';

/** ISO date-time (no zone = UTC) or epoch milliseconds, for query parameters. */
function timeParam(name: string, v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
  if (!Number.isFinite(n)) throw new AppError('INPUT.BAD_OPTION', `${name}: expected an ISO date-time or epoch milliseconds, got "${v}"`, { field: name });
  return n;
}

const findingsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'string', description: 'ISO date-time or epoch ms (inclusive)' },
    to: { type: 'string', description: 'ISO date-time or epoch ms (exclusive)' },
    kind: { type: 'string', enum: ['metric-anomaly', 'error-burst', 'new-template', 'rare-template', 'latency-shift', 'error-rate', 'change'] },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    cursor: { type: 'string', maxLength: 512 },
  },
} as const;

const pointsQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 1024 },
    from: { type: 'string' },
    to: { type: 'string' },
    limit: { type: 'integer', minimum: 1, maximum: 100000, default: 10000 },
  },
} as const;

/** REST under /api/v1: findings (newest first, cursor pages) and metric points. */
export function apiRoutes(ctx: ServerContext) {
  return (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: { from?: string; to?: string; kind?: 'metric-anomaly'; limit: number; cursor?: string } }>('/findings', { schema: { querystring: findingsQuery } }, async (req) => {
      const q = req.query;
      const fromMs = timeParam('from', q.from);
      const toMs = timeParam('to', q.to);
      const page = await ctx.store.findings(ctx.tenant, { limit: q.limit, ...(fromMs === undefined ? {} : { fromMs }), ...(toMs === undefined ? {} : { toMs }), ...(q.kind === undefined ? {} : { kind: q.kind }), ...(q.cursor === undefined ? {} : { cursor: q.cursor }) });
      return { items: page.items.map((f) => ({ ...f, time: new Date(f.timeMs).toISOString() })), next: page.next ?? null };
    });

    app.get<{ Querystring: { name: string; from?: string; to?: string; limit: number } }>('/metrics/points', { schema: { querystring: pointsQuery } }, async (req) => {
      const q = req.query;
      const fromMs = timeParam('from', q.from);
      const toMs = timeParam('to', q.to);
      const points = await ctx.store.metricPoints(ctx.tenant, { name: q.name, limit: q.limit, ...(fromMs === undefined ? {} : { fromMs }), ...(toMs === undefined ? {} : { toMs }) });
      return { items: points.map((p) => ({ ...p, time: new Date(p.timeMs).toISOString() })) };
    });
    return Promise.resolve();
  };
}
