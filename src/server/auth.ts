import type { FastifyReply, FastifyRequest } from 'fastify';
import { scopeAllows } from '../core/domain/api-key.js';
import { Lru } from '../core/domain/lru.js';
import type { KeyScope } from '../core/domain/api-key.js';
import type { AuthContext } from '../core/use-cases/api-keys.js';
import { timingSafeEqual } from 'node:crypto';
import { BUS_HEADERS, BUS_KEY_ID } from './context.js';
import type { ServerContext } from './context.js';

const OPEN: AuthContext = { keyId: 'open', tenant: 'default', scope: 'admin' };
const PUBLIC = new Set(['/healthz', '/readyz', '/openapi.json']);
/** A host enrolling: no tenant's data is reachable with it (the enrolment routes read none). */
const ENROLLING: AuthContext = { keyId: 'enrolling', tenant: '', scope: 'ingest' };

/** The scope a route needs: OTLP ingest, reads, or key management. */
function needed(req: FastifyRequest): KeyScope {
  const url = req.routeOptions.url ?? req.url;
  if (url.startsWith('/v1/')) return 'ingest';
  if (url.startsWith('/api/v1/keys') || url.startsWith('/api/v1/notifiers')) return 'admin';
  // the server's own counters cover every tenant's traffic
  if (url === '/metrics' || url.startsWith('/metrics?')) return 'admin';
  // analyses are the caller's own working history: reading is enough to make and manage them
  if (url.startsWith('/api/v1/analyses') || url.startsWith('/api/v1/jobs')) return 'read';
  // on-call people acknowledge and resolve incidents with the key they read them with
  if (url.startsWith('/api/v1/incidents')) return 'read';
  return req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'admin';
}

function presented(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h === 'string') {
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (m !== null) return m[1];
  }
  const x = req.headers['x-api-key'];
  return typeof x === 'string' && x !== '' ? x : undefined;
}

/**
 * onRequest: who is asking. Open mode (loopback without --auth): everyone is the admin of the
 * "default" tenant. Otherwise a key (Authorization: Bearer, or x-api-key) is required: 401 when
 * missing or not valid (the answer never says which), 403 when its scope does not cover the route.
 */
/** Failed authentications an address may make in a minute before it is turned away (429) unheard. */
export const AUTH_FAILURES_PER_MINUTE = 60;
const MINUTE = 60_000;

/**
 * Failed authentications per address in the current minute (API keys, and enrolment tokens and
 * their proofs), bounded: the least recently seen addresses are forgotten.
 */
export class AuthFailures {
  private readonly byAddress = new Lru<string, { count: number; since: number }>(10_000);

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds until the address may try again, or undefined when it may now. */
  waitSeconds(address: string): number | undefined {
    const t = this.now();
    const f = this.byAddress.get(address);
    if (f === undefined || t - f.since >= MINUTE || f.count < AUTH_FAILURES_PER_MINUTE)
      return undefined;
    return Math.max(1, Math.ceil((f.since + MINUTE - t) / 1000));
  }

  failed(address: string): void {
    const t = this.now();
    let f = this.byAddress.get(address);
    if (f !== undefined && t - f.since >= MINUTE) f = undefined;
    this.byAddress.set(address, { count: (f?.count ?? 0) + 1, since: f?.since ?? t });
  }
}

/** 429 with Retry-After for an address past its failures; true when it was sent. */
export async function turnedAway(
  ctx: ServerContext,
  failures: AuthFailures,
  req: FastifyRequest,
  res: FastifyReply,
): Promise<boolean> {
  const wait = failures.waitSeconds(req.ip);
  if (wait === undefined) return false;
  // guessing keys: turned away before any key is checked
  ctx.metrics.rejected.inc({ signal: 'api', reason: 'auth_rate_limited' });
  await res
    .code(429)
    .header('retry-after', String(wait))
    .send({
      code: 429,
      message: `too many failed authentications from this address (${AUTH_FAILURES_PER_MINUTE} a minute); retry after ${wait} s`,
    });
  return true;
}

/** Enrolment authenticates by its token, inside the exchange: no key is asked for (failures still count). */
const ENROL_PREFIX = '/api/v1/enrol/';

export function authenticate(ctx: ServerContext, failures: AuthFailures) {
  return async (req: FastifyRequest, res: FastifyReply): Promise<void> => {
    const path = req.url.split('?')[0]!;
    // a request the bus handed to this worker (app.inject, never the network): it acts for the
    // tenant the gateway authenticated; the token is this process's own
    const token = req.headers[BUS_HEADERS.token];
    if (
      ctx.bus?.role === 'worker' &&
      typeof token === 'string' &&
      path.startsWith('/v1/') &&
      sameSecret(token, ctx.bus.token)
    ) {
      const tenant = req.headers[BUS_HEADERS.tenant];
      req.auth = {
        keyId: BUS_KEY_ID,
        tenant: typeof tenant === 'string' ? tenant : 'default',
        scope: 'ingest',
      };
      return;
    }
    // the API description, its docs UI and the dashboard's files are public (the dashboard asks for a key for its API calls)
    if (
      !ctx.config.auth ||
      PUBLIC.has(path) ||
      path === '/docs' ||
      path.startsWith('/docs/') ||
      path === '/' ||
      path === '/index.html' ||
      path.startsWith('/assets/') ||
      path === '/favicon.svg'
    ) {
      req.auth = OPEN;
      return;
    }
    if (await turnedAway(ctx, failures, req, res)) return;
    if (path.startsWith(ENROL_PREFIX)) {
      req.auth = ENROLLING;
      return;
    }
    const key = presented(req);
    const who = key === undefined ? undefined : await ctx.keys.verify(key);
    if (who === undefined) {
      failures.failed(req.ip);
      ctx.metrics.rejected.inc({ signal: 'api', reason: 'unauthenticated' });
      await res
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({
          code: 401,
          message:
            key === undefined
              ? 'an API key is required: Authorization: Bearer <key> or x-api-key (bifrost keys create)'
              : 'this API key is not valid (unknown, malformed or revoked)',
        });
      return;
    }
    const need = needed(req);
    if (!scopeAllows(who.scope, need)) {
      ctx.metrics.rejected.inc({ signal: 'api', reason: 'forbidden' });
      await res
        .code(403)
        .send({ code: 403, message: `this key's scope is ${who.scope}; this needs ${need}` });
      return;
    }
    req.auth = who;
  };
}

/** Whether two secrets are equal, in time that does not tell how much of them matched. */
function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
