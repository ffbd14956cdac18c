import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyCrypto } from '../../core/use-cases/api-keys.js';

export const nodeKeyCrypto: KeyCrypto = {
  random: (bytes) => randomBytes(bytes).toString('base64url'),
  sha256Hex: (text) => createHash('sha256').update(text).digest('hex'),
  equal: (a, b) =>
    a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex')),
};
