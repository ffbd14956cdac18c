import type { ApiKeyRecord } from '../../../core/domain/api-key.js';
import type { HistoryStorePort } from '../../../core/ports/history-store.port.js';

export function createMemoryHistoryStore(): HistoryStorePort {
  const keys = new Map<string, ApiKeyRecord>();
  return {
    addKey: (k) => {
      keys.set(k.id, { ...k });
      return Promise.resolve();
    },
    findKey: (id) => Promise.resolve(keys.has(id) ? { ...keys.get(id)! } : undefined),
    listKeys: () => Promise.resolve([...keys.values()].sort((a, b) => a.createdMs - b.createdMs || (a.id < b.id ? -1 : 1)).map((k) => ({ ...k }))),
    revokeKey: (id, atMs) => {
      const k = keys.get(id);
      if (k === undefined) return Promise.resolve(false);
      k.revokedMs ??= atMs;
      return Promise.resolve(true);
    },
  };
}
