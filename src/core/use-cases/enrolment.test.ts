import { describe, expect, it } from 'vitest';
import { hybridEnrolCrypto, startEnrolment } from '../../adapters/crypto/hybrid-enrolment.js';
import { nodeKeyCrypto } from '../../adapters/crypto/node-key-crypto.js';
import { createMemoryHistoryStore } from '../../adapters/store/memory/memory-history-store.js';
import type { EnrolReply } from '../domain/enrolment.js';
import { ApiKeys } from './api-keys.js';
import { ENROL_CONFIRM_MS, Enrolment } from './enrolment.js';

const HOUR = 3_600_000;

function setup() {
  let now = 1_000_000;
  const store = createMemoryHistoryStore();
  const keys = new ApiKeys(store, nodeKeyCrypto, () => now);
  const enrolment = new Enrolment(store, hybridEnrolCrypto, keys, () => now);
  return {
    store,
    keys,
    enrolment,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** What a stored key list and token list look like, to prove a refusal changed nothing. */
async function state(s: ReturnType<typeof setup>) {
  return JSON.stringify([await s.store.listKeys(), await s.store.listEnrolTokens()]);
}

describe('Enrolment', () => {
  it('issues a working key once the host confirms; the token is spent; the key says where it came from', async () => {
    const s = setup();
    const { token, record } = await s.enrolment.createToken({
      tenant: 'shop',
      scope: 'ingest',
      ttlMs: HOUR,
      name: 'collectors',
    });
    expect(token).toMatch(/^bfe_[\w-]{8}_[\w-]{43}$/);
    // only a verifier is stored, never the token or its secret
    expect(JSON.stringify(await s.store.listEnrolTokens())).not.toContain(token.slice(13));
    expect(record.expiresMs - record.createdMs).toBe(HOUR);
    const host = startEnrolment(token, 'node-1');
    const reply = await s.enrolment.hello(host.hello);
    const opened = host.open(reply);
    // sealed, not yet valid
    expect(await s.keys.verify(opened.payload.key)).toBeUndefined();
    const done = await s.enrolment.confirm(opened.confirm, '10.1.2.3');
    expect(done).toEqual({ id: opened.payload.id, tenant: 'shop', scope: 'ingest' });
    expect(await s.keys.verify(opened.payload.key)).toEqual({
      keyId: opened.payload.id,
      tenant: 'shop',
      scope: 'ingest',
    });
    const [key] = await s.store.listKeys();
    expect(key).toMatchObject({
      name: 'node-1',
      origin: { via: 'enrolment', token: record.id, address: '10.1.2.3' },
    });
    expect((await s.store.findEnrolToken(record.id))!.keyId).toBe(opened.payload.id);
    // and revoking works as for any key
    await s.keys.revoke(opened.payload.id);
    expect(await s.keys.verify(opened.payload.key)).toBeUndefined();
  });

  it('refuses a reused token (replay of the whole exchange, or a new exchange) and issues nothing', async () => {
    const s = setup();
    const { token } = await s.enrolment.createToken({ tenant: 't', scope: 'ingest', ttlMs: HOUR });
    const host = startEnrolment(token, 'a');
    const reply = await s.enrolment.hello(host.hello);
    const { confirm } = host.open(reply);
    await s.enrolment.confirm(confirm, '::1');
    const before = await state(s);
    // the recorded hello sent again
    await expect(s.enrolment.hello(host.hello)).rejects.toThrow(/was already used/);
    // the recorded confirmation sent again
    await expect(s.enrolment.confirm(confirm, '::1')).rejects.toThrow(/no enrolment under way/);
    // a fresh exchange with the same token
    await expect(s.enrolment.hello(startEnrolment(token, 'b').hello)).rejects.toThrow(
      /already used/,
    );
    expect(await state(s)).toBe(before);
  });

  it('two exchanges under way with one token: the first to confirm wins, the other is refused', async () => {
    const s = setup();
    const { token } = await s.enrolment.createToken({ tenant: 't', scope: 'ingest', ttlMs: HOUR });
    const a = startEnrolment(token, 'a');
    const b = startEnrolment(token, 'b');
    const ra = a.open(await s.enrolment.hello(a.hello));
    const rb = b.open(await s.enrolment.hello(b.hello));
    await s.enrolment.confirm(rb.confirm, '::1');
    await expect(s.enrolment.confirm(ra.confirm, '::1')).rejects.toThrow(/used .* meanwhile/);
    expect(await s.keys.verify(ra.payload.key)).toBeUndefined();
    expect((await s.store.listKeys()).length).toBe(1);
  });

  it('refuses an expired token, an unknown one, and a wrong token text, storing nothing', async () => {
    const s = setup();
    const { token } = await s.enrolment.createToken({ tenant: 't', scope: 'ingest', ttlMs: HOUR });
    const before = await state(s);
    const forged = token.slice(0, 13) + 'A'.repeat(43);
    await expect(s.enrolment.hello(startEnrolment(forged, 'x').hello)).rejects.toThrow(
      /proof does not verify/,
    );
    const unknown = `bfe_ZZZZZZZZ${token.slice(12)}`;
    await expect(s.enrolment.hello(startEnrolment(unknown, 'x').hello)).rejects.toThrow(
      /unknown enrolment token ZZZZZZZZ/,
    );
    s.advance(HOUR);
    await expect(s.enrolment.hello(startEnrolment(token, 'x').hello)).rejects.toThrow(/expired at/);
    expect(await state(s)).toBe(before);
  });

  it('a token that expires while its exchange waits is not redeemed', async () => {
    const s = setup();
    const { token } = await s.enrolment.createToken({ tenant: 't', scope: 'read', ttlMs: 60_000 });
    s.advance(59_000);
    const host = startEnrolment(token, 'x');
    const { confirm } = host.open(await s.enrolment.hello(host.hello));
    s.advance(2_000);
    await expect(s.enrolment.confirm(confirm, '::1')).rejects.toThrow(
      /expired meanwhile|used .* meanwhile/,
    );
    expect(await s.store.listKeys()).toEqual([]);
  });

  it('refuses a confirmation that comes too late, or whose proof is wrong, storing nothing', async () => {
    const s = setup();
    const { token } = await s.enrolment.createToken({ tenant: 't', scope: 'ingest', ttlMs: HOUR });
    const host = startEnrolment(token, 'x');
    const { confirm } = host.open(await s.enrolment.hello(host.hello));
    await expect(
      s.enrolment.confirm(
        { ...confirm, mac: confirm.mac.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) },
        '::1',
      ),
    ).rejects.toThrow(/confirmation does not verify/);
    expect(await s.store.listKeys()).toEqual([]);
    // the token is still good: the host starts again
    const again = startEnrolment(token, 'x');
    const second = again.open(await s.enrolment.hello(again.hello));
    s.advance(ENROL_CONFIRM_MS + 1);
    await expect(s.enrolment.confirm(second.confirm, '::1')).rejects.toThrow(
      /no enrolment under way/,
    );
    expect(await s.store.listKeys()).toEqual([]);
    expect((await s.store.listEnrolTokens())[0]!.usedMs).toBeUndefined();
  });

  it('a reply altered on the way: the host cannot open it, so it never confirms and no key works', async () => {
    const s = setup();
    const { token } = await s.enrolment.createToken({ tenant: 't', scope: 'ingest', ttlMs: HOUR });
    const host = startEnrolment(token, 'x');
    const reply = await s.enrolment.hello(host.hello);
    const ct = Buffer.from(reply.mlkem, 'base64url');
    ct[7]! ^= 0x80;
    const altered: EnrolReply = { ...reply, mlkem: ct.toString('base64url') };
    expect(() => host.open(altered)).toThrow(/does not open/);
    expect(await s.store.listKeys()).toEqual([]);
  });

  it('malformed and truncated messages: a 400-kind error naming the field, nothing stored', async () => {
    const s = setup();
    const { token } = await s.enrolment.createToken({ tenant: 't', scope: 'ingest', ttlMs: HOUR });
    const { hello } = startEnrolment(token, 'x');
    const before = await state(s);
    for (const [body, message] of [
      [null, /expected a JSON object/],
      [[1], /expected a JSON object/],
      [{ ...hello, v: 2 }, /field v must be 1/],
      [{ ...hello, token: 'x'.repeat(9) }, /field token/],
      [{ ...hello, name: 'n'.repeat(201) }, /field name/],
      [{ ...hello, mlkem: hello.mlkem.slice(0, 1000) }, /field mlkem holds 750 bytes/],
      [{ ...hello, mac: undefined }, /field mac/],
    ] as const) {
      const err = await s.enrolment.hello(body).catch((e: unknown) => e);
      expect(err, `body ${JSON.stringify(body).slice(0, 40)}`).toMatchObject({
        code: 'INPUT.BAD_LAYOUT',
      });
      expect((err as Error).message).toMatch(message);
    }
    await expect(s.enrolment.confirm({ v: 1 }, '::1')).rejects.toThrow(/field session/);
    expect(await state(s)).toBe(before);
  });

  it('checks the token options', async () => {
    const s = setup();
    await expect(
      s.enrolment.createToken({ tenant: 'a b', scope: 'ingest', ttlMs: HOUR }),
    ).rejects.toThrow(/tenant "a b"/);
    await expect(
      s.enrolment.createToken({ tenant: 't', scope: 'ingest', ttlMs: 1000 }),
    ).rejects.toThrow(/1 minute to 30 days/);
    await expect(
      s.enrolment.createToken({ tenant: 't', scope: 'ingest', ttlMs: Number.NaN }),
    ).rejects.toThrow(/1 minute to 30 days/);
  });
});
