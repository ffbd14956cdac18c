import type { ApiKeyRecord } from '../../../core/domain/api-key.js';
import type { AnalysisSummary, HistoryStorePort, StoredAnalysis } from '../../../core/ports/history-store.port.js';
import { pageOf, requireCursor } from '../page-cursor.js';

function summary(a: StoredAnalysis): AnalysisSummary {
  return { id: a.id, createdMs: a.createdMs, name: a.name, lines: a.report.summary.lines, findings: a.report.findings.length };
}

export function createMemoryHistoryStore(): HistoryStorePort {
  const keys = new Map<string, ApiKeyRecord>();
  const analyses = new Map<string, StoredAnalysis>();
  return {
    addAnalysis: (a) => {
      analyses.set(`${a.tenant}\u0000${a.id}`, structuredClone(a));
      return Promise.resolve();
    },
    getAnalysis: (tenant, id) => {
      const a = analyses.get(`${tenant}\u0000${id}`);
      return Promise.resolve(a === undefined ? undefined : structuredClone(a));
    },
    listAnalyses: (tenant, q) =>
      new Promise((resolve) => {
        const after = q.cursor === undefined ? undefined : requireCursor(q.cursor);
        const all = [...analyses.values()]
          .filter((a) => a.tenant === tenant && (after === undefined || a.createdMs < after.timeMs || (a.createdMs === after.timeMs && a.id < after.id)))
          .sort((a, b) => b.createdMs - a.createdMs || (a.id < b.id ? 1 : -1));
        resolve(pageOf(all.slice(0, q.limit + 1).map(summary), q.limit, (a) => [a.createdMs, a.id]));
      }),
    deleteAnalysis: (tenant, id) => Promise.resolve(analyses.delete(`${tenant}\u0000${id}`)),
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
