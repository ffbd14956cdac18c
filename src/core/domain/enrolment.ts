import type { KeyScope } from './api-key.js';

/**
 * Enrolment of a collector or agent host: a one-time token (`bfe_<id>_<secret>`, shown once) lets
 * it obtain an API key over a hybrid key exchange (X25519 + ML-KEM-768), so the key never crosses
 * the wire in clear. Messages carry bytes as base64url; their sizes are fixed by the algorithms.
 */

/** A stored enrolment token: never the token itself, only a one-way verifier derived from it. */
export interface EnrolTokenRecord {
  /** Public part of the token (also in the token text), used to find the record. */
  id: string;
  /** HKDF-SHA-256 of the token's secret, hex: the key its holder proves possession with. */
  verifier: string;
  tenant: string;
  scope: KeyScope;
  /** A note that the issued key inherits. */
  name: string;
  createdMs: number;
  expiresMs: number;
  /** Set once, when an enrolment with it completed. */
  usedMs?: number;
  /** The key that enrolment issued. */
  keyId?: string;
}

/** First message, host → server: its ephemeral public keys, proved made by the token's holder. */
export interface EnrolHello {
  v: 1;
  /** The token's id (public). */
  token: string;
  /** X25519 public key, 32 bytes. */
  x25519: string;
  /** ML-KEM-768 encapsulation key, 1,184 bytes. */
  mlkem: string;
  /** 32 random bytes. */
  nonce: string;
  /** What the host calls itself (the key's name when given). */
  name: string;
  /** HMAC-SHA-256 of the transcript under the token's verifier, 32 bytes. */
  mac: string;
}

/** Second message, server → host: its half of the exchange and the new key, sealed. */
export interface EnrolReply {
  v: 1;
  /** Names this exchange in the confirmation. */
  session: string;
  /** The server's X25519 public key, 32 bytes. */
  x25519: string;
  /** ML-KEM-768 ciphertext to the host's key, 1,088 bytes. */
  mlkem: string;
  /** AES-256-GCM nonce, 12 bytes. */
  iv: string;
  /** The key (JSON), sealed with AES-256-GCM under the shared secret; tag last. */
  sealed: string;
}

/** Third message, host → server: proof that it derived the same secret (the key works only after it). */
export interface EnrolConfirm {
  v: 1;
  session: string;
  /** HMAC-SHA-256 of the transcript under the confirmation key, 32 bytes. */
  mac: string;
}

/** What the sealed payload holds. */
export interface EnrolPayload {
  key: string;
  id: string;
  tenant: string;
  scope: KeyScope;
}

/** Enrolment token text: `bfe_<8-character id>_<43-character secret>` (32 random bytes). */
export const ENROL_TOKEN_FORMAT = /^bfe_([A-Za-z0-9_-]{8})_([A-Za-z0-9_-]{43})$/;
