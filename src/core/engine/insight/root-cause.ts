import type { ServiceEvidence, Signal } from './evidence.js';
import type { InsightConfig } from './insight-config.js';
import type { ServiceGraph } from './service-graph.js';

export interface RootCauseCandidate {
  service: string;
  /** 0..1 */
  score: number;
  /** Its own evidence, how well it explains the others' symptoms; sentences a person reads. */
  reasons: string[];
  /** The signals behind the reasons, strongest first. */
  signals: Signal[];
  /** Abnormal services that call it (their symptoms it can explain). */
  explains: string[];
  /** Abnormal services it calls (which may explain its own symptoms). */
  explainedBy: string[];
}

function list(names: readonly string[]): string {
  return names.length <= 4 ? names.join(', ') : `${names.slice(0, 4).join(', ')} and ${names.length - 4} more`;
}

/**
 * Ranks services as the root cause of what the evidence shows. A service is scored by its own
 * evidence, raised for each abnormal service that calls it (directly or not: a cause sits
 * downstream of the symptoms it explains) and lowered when an abnormal service it calls could
 * explain its own symptoms. Services with no evidence are not candidates.
 */
export function rankRootCauses(evidence: readonly ServiceEvidence[], graph: ServiceGraph, config: InsightConfig): RootCauseCandidate[] {
  const own = new Map(evidence.map((e) => [e.service, e.score]));
  const abnormal = evidence.filter((e) => e.score >= config.abnormalAt);
  const total = abnormal.reduce((a, e) => a + e.score, 0);
  const out: RootCauseCandidate[] = [];
  for (const e of evidence) {
    const explains = abnormal.filter((a) => a.service !== e.service && graph.downstream(a.service).has(e.service));
    const down = graph.downstream(e.service);
    const explainedBy = abnormal.filter((d) => d.service !== e.service && down.has(d.service) && d.score >= e.score * 0.5);
    const explainedShare = explains.reduce((a, x) => a + x.score, 0) / Math.max(total, 1e-9);
    const byDown = explainedBy.reduce((m, d) => Math.max(m, d.score), 0);
    const score = (e.score * (1 - config.explainedPenalty * byDown) + config.explainBonus * explainedShare) / (1 + config.explainBonus);
    const reasons = e.signals.slice(0, 3).map((s) => s.reason);
    if (explains.length > 0) reasons.push(`explains the symptoms of ${list(explains.map((x) => x.service))}, which call it`);
    if (explainedBy.length > 0) reasons.push(`it calls ${list(explainedBy.map((x) => x.service))}, abnormal too: its symptoms may come from there`);
    out.push({ service: e.service, score, reasons, signals: e.signals, explains: explains.map((x) => x.service), explainedBy: explainedBy.map((x) => x.service) });
  }
  // own evidence breaks ties, then the name (deterministic)
  return out.sort((a, b) => b.score - a.score || (own.get(b.service) ?? 0) - (own.get(a.service) ?? 0) || (a.service < b.service ? -1 : 1));
}
