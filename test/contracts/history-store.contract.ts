import { describe, expect, it } from 'vitest';
import type { HistoryStorePort } from '../../src/core/ports/history-store.port.js';

export function runHistoryStoreContract(name: string, create: () => Promise<HistoryStorePort>): void {
  describe(`HistoryStorePort contract: ${name}`, () => {
    it('adds, finds, lists and revokes keys (revoking twice keeps the first time)', async () => {
      const s = await create();
      await s.addKey({ id: 'AAAAAAAA', hash: 'ab'.repeat(32), tenant: 'acme', scope: 'read', name: 'grafana', createdMs: 2 });
      await s.addKey({ id: 'BBBBBBBB', hash: 'cd'.repeat(32), tenant: 'other', scope: 'admin', name: '', createdMs: 1 });
      expect(await s.findKey('AAAAAAAA')).toEqual({ id: 'AAAAAAAA', hash: 'ab'.repeat(32), tenant: 'acme', scope: 'read', name: 'grafana', createdMs: 2 });
      expect(await s.findKey('nope')).toBeUndefined();
      expect((await s.listKeys()).map((k) => k.id)).toEqual(['BBBBBBBB', 'AAAAAAAA']);
      expect(await s.revokeKey('AAAAAAAA', 10)).toBe(true);
      expect(await s.revokeKey('AAAAAAAA', 20)).toBe(true);
      expect((await s.findKey('AAAAAAAA'))!.revokedMs).toBe(10);
      expect(await s.revokeKey('nope', 10)).toBe(false);
    });
  });
}
