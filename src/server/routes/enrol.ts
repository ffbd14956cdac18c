import type { FastifyInstance } from 'fastify';
import { KEY_SCOPES } from '../../core/domain/api-key.js';
import type { KeyScope } from '../../core/domain/api-key.js';
import { isAppError } from '../../core/errors.js';
import { ENROL_TTL_MAX_MS, ENROL_TTL_MIN_MS } from '../../core/use-cases/enrolment.js';
import type { AuthFailures } from '../auth.js';
import type { ServerContext } from '../context.js';
import { enrolTokenView } from '../../views/keys.js';
import {
  ENROL_CONFIRMED,
  ENROL_REPLY,
  ENROL_TOKENS,
  ENROL_TOKEN_CREATED,
  answers,
  answersWith,
} from './response-schemas.js';

const B64 = (bytes: number) =>
  ({
    type: 'string',
    // base64url without padding; the exact size is checked (and named) by the exchange
    maxLength: Math.ceil((bytes * 4) / 3) + 4,
    description: `${bytes} bytes, base64url`,
  }) as const;

/**
 * Enrolment of collectors and agent hosts (hybrid X25519 + ML-KEM-768 exchange): the token's
 * holder proves itself inside the exchange (no API key), and every refusal counts as a failed
 * authentication of its address. Tokens are made by a tenant's admin.
 */
export function enrolRoutes(ctx: Pick<ServerContext, 'enrolment'>, failures: AuthFailures) {
  return (app: FastifyInstance): Promise<void> => {
    // a refused token or proof is a failed authentication (the address is turned away past the limit)
    app.addHook('onError', (req, _res, err, done) => {
      if (isAppError(err) && err.code === 'AUTH.REFUSED') failures.failed(req.ip);
      done();
    });
    app.post(
      '/enrol/hello',
      {
        schema: {
          tags: ['enrolment'],
          summary:
            "An agent host's first message: its X25519 and ML-KEM-768 public keys, proved with the token; the answer seals a new API key to them",
          security: [],
          body: {
            type: 'object',
            required: ['v', 'token', 'x25519', 'mlkem', 'nonce', 'name', 'mac'],
            properties: {
              v: { type: 'integer' },
              token: { type: 'string', maxLength: 64, description: "the token's id" },
              x25519: B64(32),
              mlkem: B64(1184),
              nonce: B64(32),
              name: { type: 'string', maxLength: 200 },
              mac: B64(32),
            },
          },
          response: answers(ENROL_REPLY, 429),
        },
      },
      (req) => ctx.enrolment.hello(req.body),
    );
    app.post(
      '/enrol/confirm',
      {
        schema: {
          tags: ['enrolment'],
          summary:
            'The host proves it opened the sealed key: the key works from now on and the token is spent',
          security: [],
          body: {
            type: 'object',
            required: ['v', 'session', 'mac'],
            properties: {
              v: { type: 'integer' },
              session: { type: 'string', maxLength: 64 },
              mac: B64(32),
            },
          },
          response: answersWith(201, ENROL_CONFIRMED, 429),
        },
      },
      async (req, res) => res.code(201).send(await ctx.enrolment.confirm(req.body, req.ip)),
    );
    return Promise.resolve();
  };
}

/** Enrolment tokens of the caller's tenant (admin): make one (shown once), list them. */
export function enrolTokenRoutes(ctx: Pick<ServerContext, 'enrolment'>) {
  return (app: FastifyInstance): Promise<void> => {
    app.post<{ Body: { scope: KeyScope; ttlSeconds?: number; name?: string } }>(
      '/keys/enrol-tokens',
      {
        schema: {
          tags: ['keys'],
          summary:
            "A one-time enrolment token for the caller's tenant (admin); the token is in the answer, once",
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['scope'],
            properties: {
              scope: { type: 'string', enum: [...KEY_SCOPES] },
              ttlSeconds: {
                type: 'integer',
                minimum: ENROL_TTL_MIN_MS / 1000,
                maximum: ENROL_TTL_MAX_MS / 1000,
                default: 3600,
              },
              name: { type: 'string', maxLength: 200 },
            },
          },
          response: answersWith(201, ENROL_TOKEN_CREATED),
        },
      },
      async (req, res) => {
        const { token, record } = await ctx.enrolment.createToken({
          tenant: req.auth.tenant,
          scope: req.body.scope,
          ttlMs: (req.body.ttlSeconds ?? 3600) * 1000,
          ...(req.body.name === undefined ? {} : { name: req.body.name }),
        });
        return res.code(201).send({
          token,
          ...enrolTokenView(record, Date.now()),
          note: 'the token is shown only now; it enrols one host: bifrost enrol --server <url> --token <token>',
        });
      },
    );
    app.get(
      '/keys/enrol-tokens',
      {
        schema: {
          tags: ['keys'],
          summary: "The tenant's enrolment tokens, without secrets (admin)",
          response: answers(ENROL_TOKENS),
        },
      },
      async (req) => ({
        items: (await ctx.enrolment.listTokens())
          .filter((t) => t.tenant === req.auth.tenant)
          .map((t) => enrolTokenView(t, Date.now())),
      }),
    );
    return Promise.resolve();
  };
}
