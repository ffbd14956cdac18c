import type { ApiKeyRecord } from '../core/domain/api-key.js';
import type { EnrolTokenRecord } from '../core/domain/enrolment.js';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** A key as `bifrost keys list -o json` and `GET /api/v1/keys` show it: never its hash. */
export function keyView(k: ApiKeyRecord) {
  return {
    id: k.id,
    tenant: k.tenant,
    scope: k.scope,
    name: k.name,
    created: new Date(k.createdMs).toISOString(),
    revoked: iso(k.revokedMs),
    origin:
      k.origin === undefined
        ? null
        : { via: k.origin.via, token: k.origin.token ?? null, address: k.origin.address ?? null },
  };
}

/** An enrolment token as `bifrost keys tokens -o json` and `GET /api/v1/keys/enrol-tokens` show it: never its verifier. */
export function enrolTokenView(t: EnrolTokenRecord, nowMs: number) {
  return {
    id: t.id,
    tenant: t.tenant,
    scope: t.scope,
    name: t.name,
    created: new Date(t.createdMs).toISOString(),
    expires: new Date(t.expiresMs).toISOString(),
    used: iso(t.usedMs),
    key: t.keyId ?? null,
    state: t.usedMs !== undefined ? 'used' : t.expiresMs <= nowMs ? 'expired' : 'open',
  } as const;
}
