import type { Finding } from '../api/types.js';

/** Findings of one service, kind and subject (a metric, a template) together. */
export interface FindingGroup {
  key: string;
  service: string;
  kind: Finding['kind'];
  /** The strongest of them: its reason stands for the group. */
  top: Finding;
  count: number;
  /** The newest one's time. */
  lastMs: number;
}

/**
 * Recent findings as a person can read them: one line per service, kind and subject (a metric
 * anomaly found 40 times in an hour is one line "40×"), the strongest first, then the newest.
 */
export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const f of findings) {
    const service = f.subject.resource.service ?? '';
    const key = `${service}\u0000${f.kind}\u0000${f.subject.metric}\u0000${f.subject.labels}\u0000${f.kind === 'metric-anomaly' ? '' : f.detail}`;
    const g = groups.get(key);
    if (g === undefined) {
      groups.set(key, { key, service, kind: f.kind, top: f, count: 1, lastMs: f.timeMs });
      continue;
    }
    g.count++;
    g.lastMs = Math.max(g.lastMs, f.timeMs);
    if (f.score > g.top.score || (f.score === g.top.score && f.timeMs > g.top.timeMs)) g.top = f;
  }
  return [...groups.values()].sort(
    (a, b) => b.top.score - a.top.score || b.lastMs - a.lastMs || (a.key < b.key ? -1 : 1),
  );
}
