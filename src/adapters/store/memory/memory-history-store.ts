import type { ApiKeyRecord } from '../../../core/domain/api-key.js';
import type { EnrolTokenRecord } from '../../../core/domain/enrolment.js';
import type { Explanation } from '../../../core/domain/explanation.js';
import type { Incident } from '../../../core/domain/incident.js';
import type { ExplanationRecord } from '../../../core/ports/explanation-store.port.js';
import type {
  AnalysisSummary,
  HistoryStorePort,
  StoredAnalysis,
} from '../../../core/ports/history-store.port.js';
import { pageOf, requireCursor } from '../page-cursor.js';

function summary(a: StoredAnalysis): AnalysisSummary {
  return {
    id: a.id,
    createdMs: a.createdMs,
    name: a.name,
    lines: a.report.summary.lines,
    findings: a.report.findings.length,
  };
}

export function createMemoryHistoryStore(): HistoryStorePort {
  const keys = new Map<string, ApiKeyRecord>();
  const tokens = new Map<string, EnrolTokenRecord>();
  const analyses = new Map<string, StoredAnalysis>();
  const incidents = new Map<string, { tenant: string; incident: Incident }>();
  const cache = new Map<string, { expiresMs: number; value: Explanation }>();
  const usage = new Map<string, number>();
  const explanations: ExplanationRecord[] = [];
  return {
    getCachedExplanation: (key, nowMs) => {
      const e = cache.get(key);
      return Promise.resolve(
        e === undefined || e.expiresMs <= nowMs ? undefined : structuredClone(e.value),
      );
    },
    putCachedExplanation: (key, value, expiresMs) => {
      cache.set(key, { expiresMs, value: structuredClone(value) });
      return Promise.resolve();
    },
    llmTokensUsed: (day) => Promise.resolve(usage.get(day) ?? 0),
    addLlmTokens: (day, tokens) => {
      usage.set(day, (usage.get(day) ?? 0) + tokens);
      return Promise.resolve();
    },
    addExplanation: (rec) => {
      explanations.push(structuredClone(rec));
      return Promise.resolve();
    },
    listExplanations: (tenant, subject, limit) =>
      Promise.resolve(
        explanations
          .filter((e) => e.tenant === tenant && e.subject === subject)
          .sort((a, b) => b.createdMs - a.createdMs || (a.id < b.id ? 1 : -1))
          .slice(0, limit)
          .map((e) => structuredClone(e)),
      ),
    putIncident: (tenant, incident) => {
      incidents.set(`${tenant}\u0000${incident.id}`, {
        tenant,
        incident: structuredClone(incident),
      });
      return Promise.resolve();
    },
    getIncident: (tenant, id) => {
      const i = incidents.get(`${tenant}\u0000${id}`);
      return Promise.resolve(i === undefined ? undefined : structuredClone(i.incident));
    },
    listIncidents: (tenant, q) =>
      new Promise((resolve) => {
        const after = q.cursor === undefined ? undefined : requireCursor(q.cursor);
        const all = [...incidents.values()]
          .filter((x) => x.tenant === tenant)
          .map((x) => x.incident)
          .filter(
            (i) =>
              (q.status === undefined || i.status === q.status) &&
              (q.fromMs === undefined || i.firstSymptomMs >= q.fromMs) &&
              (q.toMs === undefined || i.firstSymptomMs < q.toMs),
          )
          .filter(
            (i) =>
              after === undefined ||
              i.firstSymptomMs < after.timeMs ||
              (i.firstSymptomMs === after.timeMs && i.id < after.id),
          )
          .sort((a, b) => b.firstSymptomMs - a.firstSymptomMs || (a.id < b.id ? 1 : -1));
        resolve(
          pageOf(
            all.slice(0, q.limit + 1).map((i) => structuredClone(i)),
            q.limit,
            (i) => [i.firstSymptomMs, i.id],
          ),
        );
      }),
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
          .filter(
            (a) =>
              a.tenant === tenant &&
              (after === undefined ||
                a.createdMs < after.timeMs ||
                (a.createdMs === after.timeMs && a.id < after.id)),
          )
          .sort((a, b) => b.createdMs - a.createdMs || (a.id < b.id ? 1 : -1));
        resolve(
          pageOf(all.slice(0, q.limit + 1).map(summary), q.limit, (a) => [a.createdMs, a.id]),
        );
      }),
    deleteAnalysis: (tenant, id) => Promise.resolve(analyses.delete(`${tenant}\u0000${id}`)),
    addKey: (k) => {
      keys.set(k.id, { ...k });
      return Promise.resolve();
    },
    findKey: (id) => Promise.resolve(keys.has(id) ? { ...keys.get(id)! } : undefined),
    listKeys: () =>
      Promise.resolve(
        [...keys.values()]
          .sort((a, b) => a.createdMs - b.createdMs || (a.id < b.id ? -1 : 1))
          .map((k) => ({ ...k })),
      ),
    revokeKey: (id, atMs) => {
      const k = keys.get(id);
      if (k === undefined) return Promise.resolve(false);
      k.revokedMs ??= atMs;
      return Promise.resolve(true);
    },
    addEnrolToken: (t) => {
      tokens.set(t.id, { ...t });
      return Promise.resolve();
    },
    findEnrolToken: (id) => Promise.resolve(tokens.has(id) ? { ...tokens.get(id)! } : undefined),
    listEnrolTokens: () =>
      Promise.resolve(
        [...tokens.values()]
          .sort((a, b) => a.createdMs - b.createdMs || (a.id < b.id ? -1 : 1))
          .map((t) => ({ ...t })),
      ),
    redeemEnrolToken: (id, atMs, key) => {
      const t = tokens.get(id);
      if (t === undefined || t.usedMs !== undefined || t.expiresMs <= atMs)
        return Promise.resolve(false);
      t.usedMs = atMs;
      t.keyId = key.id;
      keys.set(key.id, {
        ...key,
        ...(key.origin === undefined ? {} : { origin: { ...key.origin } }),
      });
      return Promise.resolve(true);
    },
  };
}
