export type KeyScope = 'ingest' | 'read' | 'admin';
export const KEY_SCOPES: readonly KeyScope[] = ['ingest', 'read', 'admin'];

/** How a key came to exist: made by hand (CLI or API), or issued to an enrolled host. */
export interface KeyOrigin {
  via: 'cli' | 'api' | 'enrolment';
  /** The enrolment token's id. */
  token?: string;
  /** The address the enrolment came from. */
  address?: string;
}

/** A stored API key: never the key itself, only its SHA-256. */
export interface ApiKeyRecord {
  /** Public part of the key (also in the key text), used to find the record. */
  id: string;
  /** SHA-256 of the whole key, hex. */
  hash: string;
  tenant: string;
  scope: KeyScope;
  name: string;
  createdMs: number;
  revokedMs?: number;
  /** How it was issued (keys made before enrolment existed have none: made by hand). */
  origin?: KeyOrigin;
}

/** Whether a key of this scope may do what the route needs (admin may do everything). */
export function scopeAllows(have: KeyScope, need: KeyScope): boolean {
  return have === 'admin' || have === need;
}

/** Tenant names: 1–64 of letters, digits, '.', '_' and '-'. */
export const TENANT_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
