import { TENANT_PATTERN } from '../domain/api-key.js';
import type { ApiKeyRecord, KeyOrigin, KeyScope } from '../domain/api-key.js';
import { AppError } from '../errors.js';
import type { HistoryStorePort } from '../ports/history-store.port.js';

/** What the use case needs from the platform (injected: core does no crypto I/O itself). */
export interface KeyCrypto {
  /** n random bytes as base64url. */
  random(bytes: number): string;
  sha256Hex(text: string): string;
  /** Constant-time comparison of two hex digests. */
  equal(a: string, b: string): boolean;
}

export interface AuthContext {
  keyId: string;
  tenant: string;
  scope: KeyScope;
}

const KEY_FORMAT = /^bfk_([A-Za-z0-9_-]{8})_([A-Za-z0-9_-]{43})$/;

/**
 * API keys: `bfk_<id>_<secret>`. Only the SHA-256 of the whole key is stored; the key is shown
 * once, at creation. Verification looks the record up by id and compares digests in constant time.
 */
export class ApiKeys {
  constructor(
    private readonly store: HistoryStorePort,
    private readonly crypto: KeyCrypto,
    private readonly now: () => number,
  ) {}

  async create(options: {
    tenant: string;
    scope: KeyScope;
    name?: string;
    origin?: KeyOrigin;
  }): Promise<{ key: string; record: ApiKeyRecord }> {
    const made = this.draft(options);
    await this.store.addKey(made.record);
    return made;
  }

  /** A new key and its record, not stored yet (enrolment stores it once the host confirms). */
  draft(options: { tenant: string; scope: KeyScope; name?: string; origin?: KeyOrigin }): {
    key: string;
    record: ApiKeyRecord;
  } {
    if (!TENANT_PATTERN.test(options.tenant))
      throw new AppError(
        'INPUT.BAD_OPTION',
        `tenant "${options.tenant}": use 1-64 letters, digits, '.', '_' or '-'`,
        { field: 'tenant' },
      );
    const id = this.crypto.random(6);
    const key = `bfk_${id}_${this.crypto.random(32)}`;
    const record: ApiKeyRecord = {
      id,
      hash: this.crypto.sha256Hex(key),
      tenant: options.tenant,
      scope: options.scope,
      name: options.name ?? '',
      createdMs: this.now(),
      ...(options.origin === undefined ? {} : { origin: options.origin }),
    };
    return { key, record };
  }

  /** The key's tenant and scope, or undefined for an unknown, malformed or revoked key. */
  async verify(key: string): Promise<AuthContext | undefined> {
    const m = KEY_FORMAT.exec(key);
    if (m === null) return undefined;
    const record = await this.store.findKey(m[1]!);
    if (record === undefined || record.revokedMs !== undefined) return undefined;
    if (!this.crypto.equal(record.hash, this.crypto.sha256Hex(key))) return undefined;
    return { keyId: record.id, tenant: record.tenant, scope: record.scope };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.store.listKeys();
  }

  revoke(id: string): Promise<boolean> {
    return this.store.revokeKey(id, this.now());
  }
}
