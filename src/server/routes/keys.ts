import type { FastifyInstance } from 'fastify';
import { KEY_SCOPES } from '../../core/domain/api-key.js';
import type { KeyScope } from '../../core/domain/api-key.js';
import type { ServerContext } from '../context.js';
import { keyView } from '../../views/keys.js';
import { KEYS, KEY_CREATED, answers, answersWith } from './response-schemas.js';

/** Key management for a tenant's admin: create (shown once), list (no secrets), revoke. Own tenant only. */
export function keyRoutes(ctx: Pick<ServerContext, 'keys'>) {
  return (app: FastifyInstance): Promise<void> => {
    app.post<{ Body: { scope: KeyScope; name?: string } }>(
      '/keys',
      {
        schema: {
          tags: ['keys'],
          summary: "Create a key for the caller's tenant (admin); the key is in the answer, once",
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['scope'],
            properties: {
              scope: { type: 'string', enum: [...KEY_SCOPES] },
              name: { type: 'string', maxLength: 200 },
            },
          },
          response: answersWith(201, KEY_CREATED),
        },
      },
      async (req, res) => {
        const { key, record } = await ctx.keys.create({
          tenant: req.auth.tenant,
          scope: req.body.scope,
          origin: { via: 'api', address: req.ip },
          ...(req.body.name === undefined ? {} : { name: req.body.name }),
        });
        return res.code(201).send({
          key,
          id: record.id,
          tenant: record.tenant,
          scope: record.scope,
          name: record.name,
          created: new Date(record.createdMs).toISOString(),
          note: 'the key is shown only now; store it safely',
        });
      },
    );
    app.get(
      '/keys',
      {
        schema: {
          tags: ['keys'],
          summary: "The tenant's keys, without secrets (admin)",
          response: answers(KEYS),
        },
      },
      async (req) => ({
        items: (await ctx.keys.list()).filter((k) => k.tenant === req.auth.tenant).map(keyView),
      }),
    );
    app.delete<{ Params: { id: string } }>(
      '/keys/:id',
      {
        schema: {
          tags: ['keys'],
          summary: "Revoke one of the tenant's keys (admin)",
          response: answersWith(204, null, 404),
        },
      },
      async (req, res) => {
        const mine = (await ctx.keys.list()).find(
          (k) => k.id === req.params.id && k.tenant === req.auth.tenant,
        );
        if (mine === undefined)
          return res.code(404).send({ code: 404, message: `no key ${req.params.id}` });
        await ctx.keys.revoke(mine.id);
        return res.code(204).send();
      },
    );
    return Promise.resolve();
  };
}
