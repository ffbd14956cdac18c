import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { isAppError } from '../core/errors.js';
import type { ServerContext } from './context.js';
import { AuthFailures, authenticate } from './auth.js';
import { HTTP_STATUS } from './http-errors.js';
import { serializerCompiler } from './response-check.js';
import { HEALTH, READY, SHARED_SCHEMAS } from './routes/response-schemas.js';
import { analysesRoutes } from './routes/analyses.js';
import { apiRoutes } from './routes/api.js';
import { keyRoutes } from './routes/keys.js';
import { enrolRoutes, enrolTokenRoutes } from './routes/enrol.js';
import { notifierRoutes } from './routes/notifiers.js';
import { webRoot, webUi } from './web-ui.js';
import { incidentRoutes } from './routes/incidents.js';
import { llmRoutes } from './routes/llm.js';
import { rcaRoutes } from './routes/rca.js';
import { redRoutes } from './routes/red.js';
import { serviceGraphRoutes } from './routes/service-graph.js';
import { otlpRoutes, rateKeyOf, signalOf as otlpSignalOf } from './routes/otlp.js';
import { streamRoutes } from './routes/stream.js';

/**
 * The HTTP server: OTLP/HTTP receiver, REST API, health and Prometheus metrics on one
 * listener. Logs are pino JSON (Fastify's logger) with a request id; bodies and headers are
 * never logged (they may carry secrets).
 */
export function buildApp(
  ctx: ServerContext,
  logger: boolean | { level: string; stream?: NodeJS.WritableStream } = false,
  https?: { cert: Buffer; key: Buffer },
): FastifyInstance {
  // with https the instance serves a tls.Server; routes and hooks do not differ
  const app = Fastify({
    ...(https === undefined ? {} : { https: { cert: https.cert, key: https.key } }),
    logger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: ctx.config.maxBodyBytes,
    // a parameter or field the schema does not name is an error, not silently dropped (Fastify's
    // default): a misspelt filter would otherwise answer everything
    ajv: { customOptions: { removeAdditional: false } },
  }) as unknown as FastifyInstance;
  // answers go out as JSON.stringify writes them; response schemas document them (checked in tests)
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  // every operation named for client generators: get /api/v1/incidents/:id/timeline → getIncidentsByIdTimeline
  app.addHook('onRoute', (route) => {
    const method = Array.isArray(route.method) ? route.method[0] : route.method;
    if (
      route.schema === undefined ||
      method === undefined ||
      method === 'HEAD' ||
      (route.schema as { operationId?: string }).operationId !== undefined
    )
      return;
    route.schema = { ...route.schema, operationId: operationIdOf(method, route.url) };
  });
  app.setSerializerCompiler(serializerCompiler(ctx.config.checkResponses, SHARED_SCHEMAS));

  app.decorateRequest('auth');
  // who is asking, before anything else (the rate limit counts per key)
  const authFailures = new AuthFailures();
  app.addHook('onRequest', authenticate(ctx, authFailures));
  void app.register(rateLimit, {
    max: ctx.config.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: rateKeyOf,
    // OTLP ingest is limited by records and bytes a second per key instead (routes/otlp.ts)
    allowList: (req) =>
      (req.method === 'POST' && otlpSignalOf(req.url) !== undefined) ||
      req.url === '/healthz' ||
      req.url === '/readyz' ||
      req.url === '/openapi.json' ||
      req.url.startsWith('/docs') ||
      req.url.startsWith('/assets/'),
    errorResponseBuilder: (_req, c) => ({
      statusCode: 429,
      code: 429,
      error: 'RATE_LIMITED',
      message: `more than ${c.max} requests per minute from this key; retry in ${Math.ceil(c.ttl / 1000)} s`,
    }),
  });

  app.addHook('onResponse', (req, res, done) => {
    ctx.metrics.http.observe(
      {
        method: req.method,
        route: req.routeOptions.url ?? 'unmatched',
        status: String(res.statusCode),
      },
      res.elapsedTime / 1000,
    );
    done();
  });

  app.setErrorHandler((err, req, res) => {
    if (isAppError(err)) {
      const status = HTTP_STATUS[err.code];
      if (status >= 500) req.log.error({ code: err.code }, err.message);
      // a 503 says when to come back (exporters retry it; without Retry-After they guess)
      if (status === 503) void res.header('retry-after', '5');
      return res.code(status).send({
        code: status,
        error: err.code,
        message: err.message,
        ...(typeof err.details.field === 'string' ? { field: err.details.field } : {}),
      });
    }
    const e = err as { statusCode?: number; validation?: unknown; message: string; code?: string };
    const status = e.statusCode ?? 500;
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return res.code(415).send({
        code: 415,
        error: e.code,
        message: `Content-Type ${req.headers['content-type'] ?? '(none)'} is not accepted here: send application/x-protobuf or application/json`,
      });
    if (status === 429) return res.code(429).send(err);
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return res.code(413).send({
        code: 413,
        error: e.code,
        message: `the body is larger than ${ctx.config.maxBodyBytes} bytes (--max-body-mb)`,
      });
    if (e.code === 'FST_ERR_VALIDATION')
      return res.code(400).send({
        code: 400,
        error: e.code,
        ...validationAdvice(e.validation, e.message, {
          context: (err as { validationContext?: string }).validationContext,
          route: req.routeOptions.url,
          schema: req.routeOptions.schema,
        }),
      });
    if (status >= 500) req.log.error({ err }, 'request failed');
    return res.code(status).send({
      code: status,
      error: e.code ?? 'INTERNAL',
      message: status >= 500 ? 'internal error (see the server log)' : e.message,
    });
  });

  // OpenAPI 3 from the routes' own JSON schemas (the same ones that validate requests)
  void app.register(swagger, {
    openapi: {
      info: {
        title: 'Bifrost',
        version: ctx.version,
        description:
          'OTLP/HTTP receiver and REST API of bifrost serve. With API keys: Authorization: Bearer <key> or x-api-key.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
      servers: [{ url: '/', description: 'this server' }],
    },
    // shared answer schemas keep their names (components/schemas/Incident…)
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });
  void app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'The process answers (liveness)',
        response: { 200: HEALTH },
      },
    },
    () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary:
          'The store is open and the ingest queue has room (readiness); 503 lists the problems',
        response: { 200: READY, 503: READY },
      },
    },
    (_req, res) => {
      const problems = [
        ...(ctx.store.healthy() ? [] : ['store closed']),
        ...(ctx.queue.full ? ['ingest queue full'] : []),
      ];
      return problems.length === 0
        ? { status: 'ready' }
        : res.code(503).send({ status: 'not ready', problems });
    },
  );
  app.get('/metrics', async (_req, res) =>
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics()),
  );

  void app.register(otlpRoutes(ctx));
  void app.register(apiRoutes(ctx), { prefix: '/api/v1' });
  void app.register(keyRoutes(ctx), { prefix: '/api/v1' });
  void app.register(enrolRoutes(ctx, authFailures), { prefix: '/api/v1' });
  void app.register(enrolTokenRoutes(ctx), { prefix: '/api/v1' });
  void app.register(notifierRoutes(ctx), { prefix: '/api/v1' });
  void app.register(analysesRoutes(ctx), { prefix: '/api/v1' });
  void app.register(incidentRoutes(ctx), { prefix: '/api/v1' });
  void app.register(rcaRoutes(ctx), { prefix: '/api/v1' });
  void app.register(serviceGraphRoutes(ctx), { prefix: '/api/v1' });
  void app.register(redRoutes(ctx), { prefix: '/api/v1' });
  void app.register(llmRoutes(ctx), { prefix: '/api/v1' });
  void app.register(streamRoutes(ctx), { prefix: '/api/v1' });
  void app.register(webUi(webRoot()));
  return app;
}

/** Where a validation failure happened: the part of the request, the route and its schema. */
export interface ValidationWhere {
  context?: string | undefined;
  route?: string | undefined;
  schema?: unknown;
}

/**
 * A schema validation failure as advice: the field it concerns and, for a value outside a list,
 * the values accepted ("status must be one of: any, error"); for a parameter or field the
 * schema does not name, the ones it does.
 */
export function validationAdvice(
  validation: unknown,
  fallback: string,
  where: ValidationWhere = {},
): { message: string; field?: string } {
  const first = Array.isArray(validation)
    ? (validation[0] as
        | {
            instancePath?: string;
            keyword?: string;
            params?: {
              allowedValues?: unknown[];
              missingProperty?: string;
              additionalProperty?: string;
            };
          }
        | undefined)
    : undefined;
  if (first === undefined) return { message: fallback };
  const path = first.instancePath?.replace(/^\//, '').replaceAll('/', '.');
  if (
    first.keyword === 'additionalProperties' &&
    typeof first.params?.additionalProperty === 'string'
  ) {
    const name = first.params.additionalProperty;
    const field = path === undefined || path === '' ? name : `${path}.${name}`;
    const part =
      where.context === 'querystring'
        ? 'query parameter'
        : where.context === 'body'
          ? 'field'
          : 'property';
    const known =
      path === undefined || path === ''
        ? Object.keys(propertiesOf(where.schema, where.context))
        : [];
    const route = where.route === undefined ? '' : ` of ${where.route}`;
    return {
      message: `unknown ${part} "${name}"${route}${known.length === 0 ? '' : `; it takes: ${known.join(', ')}`}`,
      field,
    };
  }
  const field = first.params?.missingProperty ?? path;
  const named = field === undefined || field === '' ? {} : { field };
  if (first.keyword === 'enum' && Array.isArray(first.params?.allowedValues))
    return {
      message: `${field ?? 'the value'} must be one of: ${first.params.allowedValues.map(String).join(', ')}`,
      ...named,
    };
  return { message: fallback, ...named };
}

/** The properties a route's schema names for one part of the request (querystring, body, params). */
function propertiesOf(schema: unknown, context: string | undefined): Record<string, unknown> {
  if (context === undefined || typeof schema !== 'object' || schema === null) return {};
  const part = (schema as Record<string, unknown>)[context];
  const props =
    typeof part === 'object' && part !== null
      ? (part as { properties?: unknown }).properties
      : undefined;
  return typeof props === 'object' && props !== null ? (props as Record<string, unknown>) : {};
}

/** An operation's name from its method and path: post /api/v1/keys → postKeys, delete /api/v1/keys/:id → deleteKeysById. */
export function operationIdOf(method: string, url: string): string {
  const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  const words = url
    .replace(/^\/api\/v1(?=\/|$)/, '')
    .split('/')
    .filter((p) => p !== '')
    .map((p) =>
      p.startsWith(':')
        ? `By${cap(p.slice(1))}`
        : p
            .split(/[^A-Za-z0-9]+/)
            .filter(Boolean)
            .map(cap)
            .join(''),
    );
  return method.toLowerCase() + (words.join('') || 'Root');
}
