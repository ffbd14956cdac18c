import { TENANT_PATTERN } from '../domain/api-key.js';
import type { ApiKeyRecord, KeyScope } from '../domain/api-key.js';
import type {
  EnrolConfirm,
  EnrolHello,
  EnrolPayload,
  EnrolReply,
  EnrolTokenRecord,
} from '../domain/enrolment.js';
import { Lru } from '../domain/lru.js';
import { AppError } from '../errors.js';
import type { HistoryStorePort } from '../ports/history-store.port.js';
import type { ApiKeys } from './api-keys.js';

/** The server's half of the hybrid exchange (adapters/crypto/hybrid-enrolment.ts): core does no crypto itself. */
export interface EnrolCrypto {
  /** n random bytes as base64url. */
  random(bytes: number): string;
  /** The one-way verifier stored for a token's secret (hex). */
  tokenVerifier(id: string, secret: string): string;
  /** Throws a 400 AppError naming the first malformed or truncated field of the hello. */
  checkHello(hello: EnrolHello): void;
  /** Whether the hello was made by the token's holder; throws a 400 AppError on a malformed field. */
  helloValid(hello: EnrolHello, verifier: string): boolean;
  /** Encapsulates to the host's keys and seals the payload; the confirmation key and transcript (hex) stay here. */
  answer(
    hello: EnrolHello,
    verifier: string,
    session: string,
    payload: string,
  ): { reply: EnrolReply; confirmKey: string; transcript: string };
  confirmValid(confirm: EnrolConfirm, confirmKey: string, transcript: string): boolean;
}

/** How long an exchange waits for its confirmation. */
export const ENROL_CONFIRM_MS = 60_000;
/** Bounds of a token's life. */
export const ENROL_TTL_MIN_MS = 60_000;
export const ENROL_TTL_MAX_MS = 30 * 24 * 3_600_000;

interface Pending {
  token: string;
  draft: { key: string; record: ApiKeyRecord };
  confirmKey: string;
  transcript: string;
  expiresMs: number;
}

const refused = (message: string) => new AppError('AUTH.REFUSED', message);
const bad = (message: string, field?: string) =>
  new AppError('INPUT.BAD_LAYOUT', message, field === undefined ? {} : { field });

function objectOf(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw bad(`${what}: expected a JSON object`);
  const o = body as Record<string, unknown>;
  if (o.v !== 1)
    throw bad(`${what}: field v must be 1 (this server speaks enrolment version 1)`, 'v');
  return o;
}

function text(o: Record<string, unknown>, field: string, what: string, max: number): string {
  const v = o[field];
  if (typeof v !== 'string' || v.length > max)
    throw bad(`${what}: field ${field} must be text of at most ${max} characters`, field);
  return v;
}

/**
 * Enrolment of collectors and agent hosts: a one-time token, then a hybrid key exchange that
 * hands the host a fresh API key sealed under the shared secret. The key works only once the host
 * has confirmed it derived the same secret; then the token is spent and the key stored, both at
 * once. Any refusal (unknown, expired, used or forged token; malformed or truncated message)
 * issues and stores nothing.
 */
export class Enrolment {
  private readonly pending = new Lru<string, Pending>(1_000);

  constructor(
    private readonly store: HistoryStorePort,
    private readonly crypto: EnrolCrypto,
    private readonly keys: ApiKeys,
    private readonly now: () => number,
  ) {}

  /** A one-time token (`bfe_<id>_<secret>`): printed once; only its verifier is stored. */
  async createToken(options: {
    tenant: string;
    scope: KeyScope;
    ttlMs: number;
    name?: string;
  }): Promise<{ token: string; record: EnrolTokenRecord }> {
    if (!TENANT_PATTERN.test(options.tenant))
      throw new AppError(
        'INPUT.BAD_OPTION',
        `tenant "${options.tenant}": use 1-64 letters, digits, '.', '_' or '-'`,
        { field: 'tenant' },
      );
    if (
      !Number.isFinite(options.ttlMs) ||
      options.ttlMs < ENROL_TTL_MIN_MS ||
      options.ttlMs > ENROL_TTL_MAX_MS
    )
      throw new AppError(
        'INPUT.BAD_OPTION',
        'ttl: a token lives from 1 minute to 30 days (for example 15m, 1h, 7d)',
        { field: 'ttl' },
      );
    const id = this.crypto.random(6);
    const secret = this.crypto.random(32);
    const created = this.now();
    const record: EnrolTokenRecord = {
      id,
      verifier: this.crypto.tokenVerifier(id, secret),
      tenant: options.tenant,
      scope: options.scope,
      name: options.name ?? '',
      createdMs: created,
      expiresMs: created + options.ttlMs,
    };
    await this.store.addEnrolToken(record);
    return { token: `bfe_${id}_${secret}`, record };
  }

  listTokens(): Promise<EnrolTokenRecord[]> {
    return this.store.listEnrolTokens();
  }

  /** The first message: checks the token and its proof, answers with the sealed key (not yet valid). */
  async hello(body: unknown): Promise<EnrolReply> {
    const o = objectOf(body, 'enrolment hello');
    const id = text(o, 'token', 'enrolment hello', 8);
    const name = text(o, 'name', 'enrolment hello', 200);
    const hello = { ...(o as unknown as EnrolHello), name };
    // the message first (a truncated one is a 400 whatever its token), then the token
    this.crypto.checkHello(hello);
    const token = await this.usable(id);
    if (!this.crypto.helloValid(hello, token.verifier))
      throw refused(
        "the enrolment token's proof does not verify: the token text is wrong, or the message was altered on the way",
      );
    const draft = this.keys.draft({
      tenant: token.tenant,
      scope: token.scope,
      name: name === '' ? token.name : name,
    });
    const payload: EnrolPayload = {
      key: draft.key,
      id: draft.record.id,
      tenant: token.tenant,
      scope: token.scope,
    };
    const session = this.crypto.random(16);
    const answer = this.crypto.answer(hello, token.verifier, session, JSON.stringify(payload));
    this.pending.set(session, {
      token: id,
      draft,
      confirmKey: answer.confirmKey,
      transcript: answer.transcript,
      expiresMs: this.now() + ENROL_CONFIRM_MS,
    });
    return answer.reply;
  }

  /** The host proves it opened the seal: the token is spent and the key stored (from `address`). */
  async confirm(
    body: unknown,
    address: string,
  ): Promise<{ id: string; tenant: string; scope: KeyScope }> {
    const o = objectOf(body, 'enrolment confirmation');
    const session = text(o, 'session', 'enrolment confirmation', 64);
    const p = this.pending.peek(session);
    if (p === undefined || p.expiresMs < this.now()) {
      this.pending.delete(session);
      throw refused(
        `no enrolment under way as session "${session}" (an exchange waits ${ENROL_CONFIRM_MS / 1000} s for its confirmation): start again with the same token`,
      );
    }
    if (!this.crypto.confirmValid(o as unknown as EnrolConfirm, p.confirmKey, p.transcript)) {
      this.pending.delete(session);
      throw refused(
        'the confirmation does not verify: the host did not derive the same secret (a message was altered on the way); start again with the same token',
      );
    }
    this.pending.delete(session);
    const record: ApiKeyRecord = {
      ...p.draft.record,
      origin: { via: 'enrolment', token: p.token, address },
    };
    const redeemed = await this.store.redeemEnrolToken(p.token, this.now(), record);
    if (!redeemed)
      throw refused(
        `enrolment token ${p.token} was used by another enrolment or expired meanwhile; make a new token`,
      );
    return { id: record.id, tenant: record.tenant, scope: record.scope };
  }

  private async usable(id: string): Promise<EnrolTokenRecord> {
    const token = await this.store.findEnrolToken(id);
    const t = this.now();
    if (token === undefined)
      throw refused(
        `unknown enrolment token ${id}: make one with bifrost keys enrol-token (or POST /api/v1/keys/enrol-tokens)`,
      );
    if (token.usedMs !== undefined)
      throw refused(
        `enrolment token ${id} was already used (${new Date(token.usedMs).toISOString()}, key ${token.keyId ?? '?'}); a token enrols one host: make a new one`,
      );
    if (token.expiresMs <= t)
      throw refused(
        `enrolment token ${id} expired at ${new Date(token.expiresMs).toISOString()}: make a new one`,
      );
    return token;
  }
}
