import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { ENROL_TOKEN_FORMAT } from '../../core/domain/enrolment.js';
import type {
  EnrolConfirm,
  EnrolHello,
  EnrolPayload,
  EnrolReply,
} from '../../core/domain/enrolment.js';
import { AppError } from '../../core/errors.js';
import type { EnrolCrypto } from '../../core/use-cases/enrolment.js';

/**
 * The hybrid key exchange of enrolment (both halves), built from audited primitives only:
 * ML-KEM-768 (FIPS 203, @noble/post-quantum), X25519 (RFC 7748, @noble/curves), and Node's
 * SHA-256, HMAC, HKDF (RFC 5869) and AES-256-GCM.
 *
 *   host                                             server
 *   hello: token id, X25519 pk, ML-KEM ek, nonce,
 *          HMAC(token key, T1)                 →     checks the HMAC (the token's holder asks)
 *                                              ←     reply: X25519 pk, ML-KEM ct, iv,
 *                                                           AES-GCM(seal key, the API key; aad T2)
 *   confirm: HMAC(confirm key, T2)             →     the key works from now on
 *
 * T1 and T2 are SHA-256 transcripts of every field sent so far (length-prefixed). The secret
 * is HKDF-SHA-256 over ML-KEM's shared secret then X25519's (the order of the X25519MLKEM768 TLS
 * group), salted with the token key and bound to T2: it stays secret while either algorithm
 * holds (a recording broken later by a quantum computer still needs ML-KEM), and a relay that
 * swaps the public keys has no token key to make either HMAC or read the seal.
 */

const LABEL = 'bifrost-enrol-v1';
/** Byte sizes of each field (ML-KEM-768: ek 1,184, ct 1,088). */
export const ENROL_SIZES = {
  x25519: 32,
  mlkem: 1184,
  mlkemCt: 1088,
  nonce: 32,
  mac: 32,
  iv: 12,
  tag: 16,
} as const;
/** The sealed payload is a short JSON: anything longer is not ours. */
const MAX_SEALED = 2048;

const B64URL = /^[A-Za-z0-9_-]*$/;

/** base64url field of exactly `size` bytes (or at most, with `max`), else a 400 naming the field. */
function bytesOf(
  value: unknown,
  field: string,
  size: number,
  max = false,
  where = 'enrolment message',
): Buffer {
  if (typeof value !== 'string' || !B64URL.test(value))
    throw new AppError(
      'INPUT.BAD_LAYOUT',
      `${where}: field ${field} must be base64url text (A-Z a-z 0-9 - _, no padding)`,
      { field },
    );
  const b = Buffer.from(value, 'base64url');
  if (max ? b.length > size || b.length === 0 : b.length !== size)
    throw new AppError(
      'INPUT.BAD_LAYOUT',
      `${where}: field ${field} holds ${b.length} bytes; expected ${max ? `1 to ${size}` : size} (truncated or not of this protocol)`,
      { field },
    );
  return b;
}

/** SHA-256 over length-prefixed parts: no two different field lists hash alike. */
function transcript(...parts: (string | Uint8Array)[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    h.update(len).update(b);
  }
  return h.digest();
}

const hmac = (key: Uint8Array, ...parts: (string | Uint8Array)[]) =>
  createHmac('sha256', key)
    .update(transcript(...parts))
    .digest();

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && timingSafeEqual(a, b);

function helloTranscript(h: EnrolHello): Buffer {
  return transcript(
    LABEL,
    'hello',
    h.token,
    bytesOf(h.x25519, 'x25519', ENROL_SIZES.x25519),
    bytesOf(h.mlkem, 'mlkem', ENROL_SIZES.mlkem),
    bytesOf(h.nonce, 'nonce', ENROL_SIZES.nonce),
    h.name,
  );
}

function replyTranscript(t1: Buffer, r: Omit<EnrolReply, 'v' | 'sealed'>): Buffer {
  return transcript(
    LABEL,
    'reply',
    t1,
    r.session,
    bytesOf(r.x25519, 'x25519', ENROL_SIZES.x25519, false, 'server reply'),
    bytesOf(r.mlkem, 'mlkem', ENROL_SIZES.mlkemCt, false, 'server reply'),
    bytesOf(r.iv, 'iv', ENROL_SIZES.iv, false, 'server reply'),
  );
}

/** Seal key and confirmation key from both shared secrets (ML-KEM's first), the token key, T2. */
function sessionKeys(
  kem: Uint8Array,
  dh: Uint8Array,
  tokenKey: Uint8Array,
  t2: Buffer,
): { seal: Buffer; confirm: Buffer } {
  const okm = Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.concat([kem, dh]),
      tokenKey,
      Buffer.concat([Buffer.from(`${LABEL} keys`), t2]),
      64,
    ),
  );
  return { seal: okm.subarray(0, 32), confirm: okm.subarray(32) };
}

/** The verifier stored for a token: HKDF-SHA-256 of its secret (one-way; the token is never kept). */
export function tokenKeyOf(id: string, secret: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(secret, 'base64url'), LABEL, `token ${id}`, 32),
  );
}

function x25519Shared(secret: Uint8Array, peer: Buffer, who: string): Uint8Array {
  try {
    return x25519.getSharedSecret(secret, peer);
  } catch {
    // a low-order point gives an all-zero secret: refused, not used
    throw new AppError(
      'INPUT.BAD_LAYOUT',
      `${who}: field x25519 is not a usable X25519 public key`,
      { field: 'x25519' },
    );
  }
}

/** The server's half, for the enrolment use case. */
export const hybridEnrolCrypto: EnrolCrypto = {
  random: (bytes) => randomBytes(bytes).toString('base64url'),
  tokenVerifier: (id, secret) => tokenKeyOf(id, secret).toString('hex'),
  checkHello(hello) {
    helloTranscript(hello);
    bytesOf(hello.mac, 'mac', ENROL_SIZES.mac);
  },
  helloValid(hello, verifier) {
    const t1 = helloTranscript(hello);
    const mac = bytesOf(hello.mac, 'mac', ENROL_SIZES.mac);
    return sameBytes(hmac(Buffer.from(verifier, 'hex'), 'hello-mac', t1), mac);
  },
  answer(hello, verifier, session, payload) {
    const t1 = helloTranscript(hello);
    const tokenKey = Buffer.from(verifier, 'hex');
    let kem: { cipherText: Uint8Array; sharedSecret: Uint8Array };
    try {
      kem = ml_kem768.encapsulate(bytesOf(hello.mlkem, 'mlkem', ENROL_SIZES.mlkem));
    } catch {
      // FIPS 203's check of the encapsulation key (every coefficient below q)
      throw new AppError(
        'INPUT.BAD_LAYOUT',
        'enrolment message: field mlkem is not a valid ML-KEM-768 encapsulation key',
        { field: 'mlkem' },
      );
    }
    const mine = x25519.keygen();
    const dh = x25519Shared(
      mine.secretKey,
      bytesOf(hello.x25519, 'x25519', ENROL_SIZES.x25519),
      'enrolment message',
    );
    const iv = randomBytes(ENROL_SIZES.iv);
    const head = {
      session,
      x25519: Buffer.from(mine.publicKey).toString('base64url'),
      mlkem: Buffer.from(kem.cipherText).toString('base64url'),
      iv: iv.toString('base64url'),
    };
    const t2 = replyTranscript(t1, head);
    const keys = sessionKeys(kem.sharedSecret, dh, tokenKey, t2);
    const c = createCipheriv('aes-256-gcm', keys.seal, iv).setAAD(t2);
    const sealed = Buffer.concat([c.update(payload, 'utf8'), c.final(), c.getAuthTag()]);
    return {
      reply: { v: 1, ...head, sealed: sealed.toString('base64url') },
      confirmKey: keys.confirm.toString('hex'),
      transcript: t2.toString('hex'),
    };
  },
  confirmValid(confirm, confirmKey, t2) {
    const mac = bytesOf(confirm.mac, 'mac', ENROL_SIZES.mac);
    return sameBytes(
      hmac(Buffer.from(confirmKey, 'hex'), 'confirm-mac', Buffer.from(t2, 'hex')),
      mac,
    );
  },
};

/** The host's half: `hello` to send, then `open(reply)` gives the key and the confirmation. */
export interface EnrolClient {
  hello: EnrolHello;
  open(reply: unknown): { payload: EnrolPayload; confirm: EnrolConfirm };
}

export function startEnrolment(token: string, name: string): EnrolClient {
  const m = ENROL_TOKEN_FORMAT.exec(token.trim());
  if (m === null)
    throw new AppError(
      'INPUT.BAD_OPTION',
      'the token is not an enrolment token: expected bfe_<8 characters>_<43 characters> (bifrost keys enrol-token prints one)',
      { field: 'token' },
    );
  const [, id, secret] = m as unknown as [string, string, string];
  const tokenKey = tokenKeyOf(id, secret);
  const dhKeys = x25519.keygen();
  const kemKeys = ml_kem768.keygen();
  const unsigned = {
    v: 1 as const,
    token: id,
    x25519: Buffer.from(dhKeys.publicKey).toString('base64url'),
    mlkem: Buffer.from(kemKeys.publicKey).toString('base64url'),
    nonce: randomBytes(ENROL_SIZES.nonce).toString('base64url'),
    name,
  };
  const t1 = helloTranscript({ ...unsigned, mac: '' });
  const hello: EnrolHello = {
    ...unsigned,
    mac: hmac(tokenKey, 'hello-mac', t1).toString('base64url'),
  };
  return {
    hello,
    open(answer) {
      if (typeof answer !== 'object' || answer === null || (answer as { v?: unknown }).v !== 1)
        throw new AppError(
          'INPUT.BAD_LAYOUT',
          'server reply: not an enrolment reply of version 1 (is the URL a bifrost server?)',
        );
      const r = answer as Record<string, unknown>;
      if (typeof r.session !== 'string' || r.session === '' || r.session.length > 64)
        throw new AppError('INPUT.BAD_LAYOUT', 'server reply: field session is missing', {
          field: 'session',
        });
      const head = {
        session: r.session,
        x25519: r.x25519 as string,
        mlkem: r.mlkem as string,
        iv: r.iv as string,
      };
      const t2 = replyTranscript(t1, head);
      const sealed = bytesOf(r.sealed, 'sealed', MAX_SEALED, true, 'server reply');
      if (sealed.length <= ENROL_SIZES.tag)
        throw new AppError('INPUT.BAD_LAYOUT', 'server reply: field sealed is truncated', {
          field: 'sealed',
        });
      // ML-KEM rejects implicitly: a ciphertext that is not the server's gives another secret
      const kem = ml_kem768.decapsulate(
        bytesOf(r.mlkem, 'mlkem', ENROL_SIZES.mlkemCt, false, 'server reply'),
        kemKeys.secretKey,
      );
      const dh = x25519Shared(
        dhKeys.secretKey,
        bytesOf(r.x25519, 'x25519', ENROL_SIZES.x25519, false, 'server reply'),
        'server reply',
      );
      const keys = sessionKeys(kem, dh, tokenKey, t2);
      let text: string;
      try {
        const d = createDecipheriv(
          'aes-256-gcm',
          keys.seal,
          bytesOf(r.iv, 'iv', ENROL_SIZES.iv, false, 'server reply'),
        ).setAAD(t2);
        d.setAuthTag(sealed.subarray(sealed.length - ENROL_SIZES.tag));
        text = Buffer.concat([
          d.update(sealed.subarray(0, sealed.length - ENROL_SIZES.tag)),
          d.final(),
        ]).toString('utf8');
      } catch {
        throw new AppError(
          'INPUT.BAD_LAYOUT',
          'server reply: the sealed key does not open: the reply was altered on the way, or the server does not hold this token. No key was written; ask for a new token',
          { field: 'sealed' },
        );
      }
      let payload: EnrolPayload;
      try {
        payload = JSON.parse(text) as EnrolPayload;
      } catch {
        throw new AppError('INPUT.BAD_LAYOUT', 'server reply: the sealed payload is not JSON');
      }
      if (typeof payload.key !== 'string' || typeof payload.id !== 'string')
        throw new AppError('INPUT.BAD_LAYOUT', 'server reply: the sealed payload holds no key');
      return {
        payload,
        confirm: {
          v: 1,
          session: head.session,
          mac: hmac(keys.confirm, 'confirm-mac', t2).toString('base64url'),
        },
      };
    },
  };
}
