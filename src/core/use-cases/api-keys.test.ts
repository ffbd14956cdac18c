import { describe, expect, it } from 'vitest';
import { nodeKeyCrypto } from '../../adapters/crypto/node-key-crypto.js';
import { createMemoryHistoryStore } from '../../adapters/store/memory/memory-history-store.js';
import { ApiKeys } from './api-keys.js';

describe('ApiKeys', () => {
  it('creates a key shown once, stores only its hash, verifies it, and revokes it', async () => {
    const store = createMemoryHistoryStore();
    const keys = new ApiKeys(store, nodeKeyCrypto, () => 1000);
    const { key, record } = await keys.create({
      tenant: 'acme',
      scope: 'ingest',
      name: 'collector',
    });
    expect(key).toMatch(/^bfk_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{43}$/);
    const stored = await store.findKey(record.id);
    expect(JSON.stringify(stored)).not.toContain(key.slice(13));
    expect(stored!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await keys.verify(key)).toEqual({ keyId: record.id, tenant: 'acme', scope: 'ingest' });
    expect(await keys.verify(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'))).toBeUndefined();
    expect(await keys.verify('Bearer nonsense')).toBeUndefined();
    expect(await keys.revoke(record.id)).toBe(true);
    expect(await keys.verify(key)).toBeUndefined();
  });

  it('refuses tenant names that are not plain', async () => {
    const keys = new ApiKeys(createMemoryHistoryStore(), nodeKeyCrypto, () => 0);
    await expect(keys.create({ tenant: '../etc', scope: 'read' })).rejects.toMatchObject({
      code: 'INPUT.BAD_OPTION',
    });
  });
});
