import type { FastifyInstance } from 'fastify';
import { analyzeRootCause } from '../../core/use-cases/root-cause-analysis.js';
import { rcaView } from '../../views/rca.js';
import type { ServerContext } from '../context.js';
import { RCA, answers } from './response-schemas.js';
import { DURATION, duration, timeParam } from './query-params.js';

/** Root causes of an alert at a time, ranked with their evidence. */
export function rcaRoutes(ctx: Pick<ServerContext, 'store'>) {
  return (app: FastifyInstance): Promise<void> => {
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
    return Promise.resolve();
  };
}
