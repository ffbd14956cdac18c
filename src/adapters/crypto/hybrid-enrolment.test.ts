import { shake128 } from '@noble/hashes/sha3.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { describe, expect, it } from 'vitest';
import type { EnrolHello, EnrolReply } from '../../core/domain/enrolment.js';
import { ENROL_SIZES, hybridEnrolCrypto, startEnrolment, tokenKeyOf } from './hybrid-enrolment.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');

describe('ML-KEM-768 (FIPS 203) known answers', () => {
  // Accumulated vectors (Go's crypto/mlkem TestAccumulated, from C2SP/CCTV): keys, messages and
  // bad ciphertexts drawn from one SHAKE-128 stream of empty input; every ek, ct, k and the
  // implicit-rejection k written to another SHAKE-128 whose first 32 bytes are published.
  // 100 vectors here; BIFROST_KAT_FULL=1 runs the 10,000 (about 30 s on this machine).
  const full = process.env.BIFROST_KAT_FULL === '1';
  const n = full ? 10_000 : 100;
  const expected = full
    ? '8a518cc63da366322a8e7a818c7a0d63483cb3528d34a4cf42f35d5ad73f22fc'
    : '1114b1b6699ed191734fa339376afa7e285c9e6acf6ff0177d346696ce564415';
  it(`${n} accumulated vectors hash to the published value`, { timeout: 120_000 }, () => {
    const source = shake128.create({});
    const sink = shake128.create({});
    for (let i = 0; i < n; i++) {
      const { publicKey: ek, secretKey: dk } = ml_kem768.keygen(source.xof(64));
      sink.update(ek);
      const { cipherText, sharedSecret } = ml_kem768.encapsulate(ek, source.xof(32));
      sink.update(cipherText).update(sharedSecret);
      expect(b64(ml_kem768.decapsulate(cipherText, dk))).toBe(b64(sharedSecret));
      sink.update(ml_kem768.decapsulate(source.xof(ENROL_SIZES.mlkemCt), dk));
    }
    expect(Buffer.from(sink.xof(32)).toString('hex')).toBe(expected);
  });

  it('has the sizes the protocol checks', () => {
    const { publicKey, secretKey } = ml_kem768.keygen();
    const { cipherText } = ml_kem768.encapsulate(publicKey);
    expect([publicKey.length, secretKey.length, cipherText.length]).toEqual([1184, 2400, 1088]);
  });
});

describe('X25519 (RFC 7748) known answers', () => {
  it('§5.2: one scalar multiplication', () => {
    const out = x25519.scalarMult(
      hex('a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4'),
      hex('e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c'),
    );
    expect(Buffer.from(out).toString('hex')).toBe(
      'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552',
    );
  });

  it('§6.1: Alice and Bob agree on the published secret', () => {
    const alice = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bob = hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    expect(Buffer.from(x25519.getPublicKey(alice)).toString('hex')).toBe(
      '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
    );
    expect(Buffer.from(x25519.getPublicKey(bob)).toString('hex')).toBe(
      'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
    );
    const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    expect(
      Buffer.from(x25519.getSharedSecret(alice, x25519.getPublicKey(bob))).toString('hex'),
    ).toBe(shared);
    expect(
      Buffer.from(x25519.getSharedSecret(bob, x25519.getPublicKey(alice))).toString('hex'),
    ).toBe(shared);
  });
});

const ID = 'AbCdEf12';
const SECRET = Buffer.alloc(32, 7).toString('base64url');
const TOKEN = `bfe_${ID}_${SECRET}`;
const verifier = tokenKeyOf(ID, SECRET).toString('hex');
const PAYLOAD = JSON.stringify({
  key: 'bfk_AAAAAAAA_x',
  id: 'AAAAAAAA',
  tenant: 't',
  scope: 'ingest',
});

/** One exchange up to the reply: the host's state, the server's answer. */
function exchange() {
  const host = startEnrolment(TOKEN, 'node-1');
  const answer = hybridEnrolCrypto.answer(host.hello, verifier, 'session-1', PAYLOAD);
  return { host, answer };
}

/** The field with one byte flipped (same length, still base64url). */
function flipped(value: string, at = 5): string {
  const b = Buffer.from(value, 'base64url');
  b[at]! ^= 0x01;
  return b.toString('base64url');
}

describe('hybrid enrolment exchange', () => {
  it('round trip: the hello verifies, the host opens the key, the confirmation verifies', () => {
    const { host, answer } = exchange();
    expect(hybridEnrolCrypto.helloValid(host.hello, verifier)).toBe(true);
    const { payload, confirm } = host.open(answer.reply);
    expect(payload).toEqual(JSON.parse(PAYLOAD));
    expect(hybridEnrolCrypto.confirmValid(confirm, answer.confirmKey, answer.transcript)).toBe(
      true,
    );
  });

  it('message sizes: the hello and the reply are under 2 KB of JSON each', () => {
    const { host, answer } = exchange();
    expect(JSON.stringify(host.hello).length).toBeLessThan(2048);
    expect(JSON.stringify(answer.reply).length).toBeLessThan(2048);
  });

  it('a hello made with another token, or altered in any field, does not verify', () => {
    const { host } = exchange();
    const other = tokenKeyOf(ID, Buffer.alloc(32, 8).toString('base64url')).toString('hex');
    expect(hybridEnrolCrypto.helloValid(host.hello, other)).toBe(false);
    for (const field of ['x25519', 'mlkem', 'nonce', 'mac'] as const)
      expect(
        hybridEnrolCrypto.helloValid(
          { ...host.hello, [field]: flipped(host.hello[field]) },
          verifier,
        ),
      ).toBe(false);
    expect(hybridEnrolCrypto.helloValid({ ...host.hello, name: 'node-2' }, verifier)).toBe(false);
    expect(hybridEnrolCrypto.helloValid({ ...host.hello, token: 'AbCdEf13' }, verifier)).toBe(
      false,
    );
  });

  it('a truncated or malformed field is refused naming the field', () => {
    const { host } = exchange();
    const cut: EnrolHello = { ...host.hello, mlkem: host.hello.mlkem.slice(0, 100) };
    expect(() => hybridEnrolCrypto.helloValid(cut, verifier)).toThrow(
      /field mlkem holds 75 bytes; expected 1184/,
    );
    expect(() => hybridEnrolCrypto.helloValid({ ...host.hello, x25519: 'a+b/' }, verifier)).toThrow(
      /field x25519 must be base64url/,
    );
    expect(() =>
      hybridEnrolCrypto.helloValid({ ...host.hello, mac: 42 } as unknown as EnrolHello, verifier),
    ).toThrow(/field mac/);
  });

  it('refuses an ML-KEM key that fails the modulus check, and an X25519 point of low order', () => {
    const { host } = exchange();
    const badEk = b64(Buffer.alloc(ENROL_SIZES.mlkem, 0xff));
    expect(() =>
      hybridEnrolCrypto.answer({ ...host.hello, mlkem: badEk }, verifier, 's', PAYLOAD),
    ).toThrow(/not a valid ML-KEM-768 encapsulation key/);
    const zero = b64(Buffer.alloc(32));
    expect(() =>
      hybridEnrolCrypto.answer({ ...host.hello, x25519: zero }, verifier, 's', PAYLOAD),
    ).toThrow(/not a usable X25519 public key/);
  });

  it('the host refuses a reply whose KEM ciphertext, X25519 key, nonce, session or seal was changed', () => {
    for (const change of [
      (r: EnrolReply) => ({ ...r, mlkem: flipped(r.mlkem, 100) }),
      (r: EnrolReply) => ({ ...r, x25519: flipped(r.x25519) }),
      (r: EnrolReply) => ({ ...r, iv: flipped(r.iv, 1) }),
      (r: EnrolReply) => ({ ...r, session: 'session-2' }),
      (r: EnrolReply) => ({ ...r, sealed: flipped(r.sealed, 2) }),
    ]) {
      const { host, answer } = exchange();
      expect(() => host.open(change(answer.reply))).toThrow(/does not open/);
    }
  });

  it('the host refuses a reply made for another host (another exchange with the same token)', () => {
    const { answer } = exchange();
    const other = startEnrolment(TOKEN, 'node-1');
    expect(() => other.open(answer.reply)).toThrow(/does not open/);
  });

  it('the host refuses a truncated or foreign reply with a clear error', () => {
    const { host, answer } = exchange();
    expect(() => host.open({ ...answer.reply, mlkem: answer.reply.mlkem.slice(0, 40) })).toThrow(
      /server reply: field mlkem holds 30 bytes; expected 1088/,
    );
    expect(() => host.open({ ...answer.reply, sealed: 'AAAA' })).toThrow(
      /field sealed is truncated/,
    );
    expect(() => host.open({ status: 'ok' })).toThrow(/not an enrolment reply/);
    expect(() => host.open(null)).toThrow(/not an enrolment reply/);
  });

  it('a confirmation from a host that did not open the seal does not verify', () => {
    const { host, answer } = exchange();
    const { confirm } = host.open(answer.reply);
    expect(
      hybridEnrolCrypto.confirmValid(
        { ...confirm, mac: flipped(confirm.mac) },
        answer.confirmKey,
        answer.transcript,
      ),
    ).toBe(false);
    const second = exchange();
    expect(
      hybridEnrolCrypto.confirmValid(confirm, second.answer.confirmKey, second.answer.transcript),
    ).toBe(false);
  });

  it('refuses text that is not an enrolment token', () => {
    expect(() => startEnrolment('bfk_AAAAAAAA_' + SECRET, 'x')).toThrow(/not an enrolment token/);
    expect(() => startEnrolment(`bfe_${ID}_short`, 'x')).toThrow(/not an enrolment token/);
  });
});
