import type { FastifyInstance } from 'fastify';
import { FINDING_KINDS } from '../../core/domain/finding.js';
import { parseSeverity } from '../../core/domain/severity.js';
import { AppError } from '../../core/errors.js';
import type { ServerContext } from '../context.js';
import { FROM, PAGE, TO, optionalRange } from './query-params.js';
import {
  FINDING_PAGE,
  LOG_PAGE,
  METRIC_NAMES,
  METRIC_POINTS,
  METRIC_SERIES,
  SERVICES,
  SPANS,
  TEMPLATE_COUNTS,
  TRACE,
  answers,
} from './response-schemas.js';

const SERVICE = { type: 'string', maxLength: 512 } as const;

const findingsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: FROM,
    to: TO,
    kind: { type: 'string', enum: FINDING_KINDS },
    ...PAGE,
  },
} as const;

const pointsQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 1024 },
    from: FROM,
    to: TO,
    limit: { type: 'integer', minimum: 1, maximum: 100000, default: 10000 },
  },
} as const;

const seriesQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 1024 },
    from: FROM,
    to: TO,
    step: {
      type: 'integer',
      minimum: 1,
      maximum: 31_536_000,
      default: 60,
      description: 'step in seconds',
    },
    agg: { type: 'string', enum: ['avg', 'min', 'max', 'sum', 'count'], default: 'avg' },
    service: SERVICE,
    labels: {
      type: 'string',
      maxLength: 4096,
      description: 'JSON object of labels that must match, e.g. {"core":"1"}',
    },
    limit: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 100,
      description: 'at most this many series',
    },
  },
} as const;

function labelsParam(v: string | undefined): Record<string, string> | undefined {
  if (v === undefined || v === '') return undefined;
  let o: unknown;
  try {
    o = JSON.parse(v);
  } catch {
    o = undefined;
  }
  if (
    o === null ||
    typeof o !== 'object' ||
    Array.isArray(o) ||
    !Object.values(o).every(
      (x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean',
    )
  ) {
    throw new AppError(
      'INPUT.BAD_OPTION',
      `labels: expected a JSON object of label values, e.g. {"core":"1"}, got "${v.slice(0, 80)}"`,
      { field: 'labels' },
    );
  }
  return Object.fromEntries(
    Object.entries(o as Record<string, unknown>).map(([k, x]) => [k, String(x)]),
  );
}

const logsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: FROM,
    to: TO,
    service: SERVICE,
    severity: {
      type: 'string',
      maxLength: 16,
      description: 'minimum level: a name (warn, error…) or an OTel number',
    },
    template: { type: 'string', maxLength: 64, description: 'template id' },
    q: {
      type: 'string',
      maxLength: 1024,
      description: 'text the body contains (case-insensitive)',
    },
    ...PAGE,
  },
} as const;

const templatesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: FROM,
    to: TO,
    service: SERVICE,
    bucket: {
      type: 'integer',
      minimum: 1,
      maximum: 31_536_000,
      default: 60,
      description: 'bucket width in seconds',
    },
    limit: { type: 'integer', minimum: 1, maximum: 100000, default: 10000 },
  },
} as const;

function severityParam(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : parseSeverity(v);
  if (!(n >= 1 && n <= 24))
    throw new AppError(
      'INPUT.BAD_OPTION',
      `severity: expected a level name (trace, debug, info, warn, error, fatal) or a number 1-24, got "${v}"`,
      { field: 'severity' },
    );
  return n;
}

const spansQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    service: SERVICE,
    operation: { type: 'string', maxLength: 1024 },
    from: FROM,
    to: TO,
    minDuration: {
      type: 'number',
      minimum: 0,
      description: 'only spans that lasted at least this many milliseconds',
    },
    status: {
      type: 'string',
      enum: ['any', 'error'],
      default: 'any',
      description: 'error: only spans with status error',
    },
    order: {
      type: 'string',
      enum: ['start', 'duration'],
      default: 'start',
      description: 'start: in start order; duration: the longest first',
    },
    limit: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 },
  },
} as const;

const metricNamesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    service: SERVICE,
    from: FROM,
    to: TO,
    limit: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 },
  },
} as const;

/** REST under /api/v1: findings (newest first, cursor pages), metric points, logs, templates, traces, spans, services. */
export function apiRoutes(ctx: Pick<ServerContext, 'store'>) {
  return (app: FastifyInstance): Promise<void> => {
    app.get<{
      Querystring: {
        from?: string;
        to?: string;
        kind?: 'metric-anomaly';
        limit: number;
        cursor?: string;
      };
    }>(
      '/findings',
      {
        schema: {
          tags: ['findings'],
          summary:
            'Findings (metric anomalies with their reasons), newest first; next is the cursor of the following page',
          querystring: findingsQuery,
          response: answers(FINDING_PAGE),
        },
      },
      async (req) => {
        const q = req.query;
        const range = optionalRange(q.from, q.to);
        const page = await ctx.store.findings(req.auth.tenant, {
          limit: q.limit,
          ...range,
          ...(q.kind === undefined ? {} : { kind: q.kind }),
          ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
        });
        return {
          items: page.items.map((f) => ({ ...f, time: new Date(f.timeMs).toISOString() })),
          next: page.next ?? null,
        };
      },
    );

    app.get<{ Querystring: { name: string; from?: string; to?: string; limit: number } }>(
      '/metrics/points',
      {
        schema: {
          tags: ['telemetry'],
          summary: 'Stored points of a metric, in time order',
          querystring: pointsQuery,
          response: answers(METRIC_POINTS),
        },
      },
      async (req) => {
        const q = req.query;
        const range = optionalRange(q.from, q.to);
        const points = await ctx.store.metricPoints(req.auth.tenant, {
          name: q.name,
          limit: q.limit,
          ...range,
        });
        return { items: points.map((p) => ({ ...p, time: new Date(p.timeMs).toISOString() })) };
      },
    );
    app.get<{
      Querystring: {
        name: string;
        from?: string;
        to?: string;
        step: number;
        agg: 'avg' | 'min' | 'max' | 'sum' | 'count';
        service?: string;
        labels?: string;
        limit: number;
      };
    }>(
      '/metrics/series',
      {
        schema: {
          tags: ['telemetry'],
          summary: "A metric's series, aggregated per step (avg, min, max, sum, count)",
          querystring: seriesQuery,
          response: answers(METRIC_SERIES),
        },
      },
      async (req) => {
        const q = req.query;
        const range = optionalRange(q.from, q.to);
        const labels = labelsParam(q.labels);
        const series = await ctx.store.metricSeries(req.auth.tenant, {
          name: q.name,
          stepMs: q.step * 1000,
          agg: q.agg,
          limit: q.limit,
          ...range,
          ...(q.service === undefined ? {} : { service: q.service }),
          ...(labels === undefined ? {} : { labels }),
        });
        return {
          name: q.name,
          step: q.step,
          agg: q.agg,
          series: series.map((x) => ({
            ...x,
            points: x.points.map((p) => ({ ...p, time: new Date(p.bucketMs).toISOString() })),
          })),
        };
      },
    );

    app.get<{
      Querystring: {
        from?: string;
        to?: string;
        service?: string;
        severity?: string;
        template?: string;
        q?: string;
        limit: number;
        cursor?: string;
      };
    }>(
      '/logs',
      {
        schema: {
          tags: ['telemetry'],
          summary: 'Log records with their templates, newest first (cursor pages)',
          querystring: logsQuery,
          response: answers(LOG_PAGE),
        },
      },
      async (req) => {
        const q = req.query;
        const range = optionalRange(q.from, q.to);
        const minSeverity = severityParam(q.severity);
        const page = await ctx.store.logs(req.auth.tenant, {
          limit: q.limit,
          ...range,
          ...(q.service === undefined ? {} : { service: q.service }),
          ...(minSeverity === undefined ? {} : { minSeverity }),
          ...(q.template === undefined ? {} : { templateId: q.template }),
          ...(q.q === undefined || q.q === '' ? {} : { text: q.q }),
          ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
        });
        return {
          items: page.items.map((l) => ({ ...l, time: new Date(l.timeMs).toISOString() })),
          next: page.next ?? null,
        };
      },
    );

    app.get<{
      Querystring: { from?: string; to?: string; service?: string; bucket: number; limit: number };
    }>(
      '/templates',
      {
        schema: {
          tags: ['telemetry'],
          summary: 'Log records per template and time bucket',
          querystring: templatesQuery,
          response: answers(TEMPLATE_COUNTS),
        },
      },
      async (req) => {
        const q = req.query;
        const range = optionalRange(q.from, q.to);
        const rows = await ctx.store.templateCounts(req.auth.tenant, {
          bucketMs: q.bucket * 1000,
          limit: q.limit,
          ...range,
          ...(q.service === undefined ? {} : { service: q.service }),
        });
        return {
          bucketSeconds: q.bucket,
          items: rows.map((r) => ({ ...r, bucket: new Date(r.bucketMs).toISOString() })),
        };
      },
    );
    app.get<{ Params: { traceId: string } }>(
      '/traces/:traceId',
      {
        schema: {
          tags: ['telemetry'],
          summary: 'The spans of one trace',
          params: {
            type: 'object',
            properties: { traceId: { type: 'string', pattern: '^[0-9a-fA-F]{32}$' } },
            required: ['traceId'],
          },
          response: answers(TRACE, 404),
        },
      },
      async (req, res) => {
        const spans = await ctx.store.spans(req.auth.tenant, {
          traceId: req.params.traceId.toLowerCase(),
          limit: 10_000,
        });
        if (spans.length === 0)
          return res.code(404).send({ code: 404, message: `no trace ${req.params.traceId}` });
        return {
          traceId: req.params.traceId.toLowerCase(),
          spans: spans.map((sp) => ({
            ...sp,
            durationMs: sp.endMs - sp.startMs,
            start: new Date(sp.startMs).toISOString(),
          })),
        };
      },
    );

    app.get<{
      Querystring: {
        service?: string;
        operation?: string;
        from?: string;
        to?: string;
        minDuration?: number;
        status: 'any' | 'error';
        order: 'start' | 'duration';
        limit: number;
      };
    }>(
      '/spans',
      {
        schema: {
          tags: ['telemetry'],
          summary:
            'Spans by service, operation, time, duration and status; in start order or the longest first',
          querystring: spansQuery,
          response: answers(SPANS),
        },
      },
      async (req) => {
        const q = req.query;
        const range = optionalRange(q.from, q.to);
        const spans = await ctx.store.spans(req.auth.tenant, {
          limit: q.limit,
          order: q.order,
          ...(q.status === 'error' ? { errorsOnly: true } : {}),
          ...(q.minDuration === undefined ? {} : { minDurationMs: q.minDuration }),
          ...(q.service === undefined ? {} : { service: q.service }),
          ...(q.operation === undefined ? {} : { operation: q.operation }),
          ...range,
        });
        return {
          items: spans.map((sp) => ({
            ...sp,
            durationMs: sp.endMs - sp.startMs,
            start: new Date(sp.startMs).toISOString(),
          })),
        };
      },
    );

    app.get<{ Querystring: { service?: string; from?: string; to?: string; limit: number } }>(
      '/metrics',
      {
        schema: {
          tags: ['telemetry'],
          summary:
            'Metric names with their series and point counts and time span, by service and time',
          querystring: metricNamesQuery,
          response: answers(METRIC_NAMES),
        },
      },
      async (req) => {
        const q = req.query;
        const range = optionalRange(q.from, q.to);
        const names = await ctx.store.metricNames(req.auth.tenant, {
          limit: q.limit,
          ...(q.service === undefined ? {} : { service: q.service }),
          ...range,
        });
        return {
          items: names.map((m) => ({
            ...m,
            first: new Date(m.firstMs).toISOString(),
            last: new Date(m.lastMs).toISOString(),
          })),
        };
      },
    );

    app.get(
      '/services',
      {
        schema: {
          tags: ['telemetry'],
          summary: 'Every service seen, with its log, span and metric counts',
          response: answers(SERVICES),
        },
      },
      async (req) => ({ items: await ctx.store.services(req.auth.tenant) }),
    );
    return Promise.resolve();
  };
}
