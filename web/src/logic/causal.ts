/** The causal chain of a root-cause answer: each service's findings on a time axis, and which finding explains which. */

export interface CausalInput {
  candidates: readonly {
    service: string;
    score: number;
    explains: readonly string[];
    evidence: readonly { id: string; signal: string; reason: string; onsetMs?: number }[];
  }[];
}

export interface CausalNode {
  /** The evidence id (e1, e2…), as the incident view and explanations cite it. */
  id: string;
  service: string;
  signal: string;
  reason: string;
  timeMs: number;
}

export interface CausalLink {
  /** The cause's first finding. */
  from: CausalNode;
  /** The first finding of a service whose symptoms the cause explains. */
  to: CausalNode;
}

export interface CausalChain {
  /** Services best first, each with its findings in time order. */
  rows: { service: string; score: number; nodes: CausalNode[] }[];
  links: CausalLink[];
  fromMs: number;
  toMs: number;
}

/**
 * The findings of the best `maxServices` candidates (those with a known onset) as rows, then (up
 * to as many again) the services they explain that rank lower: a symptom that is explained
 * loses weight, so its service may rank far down, yet it is the other end of the arrow. A link
 * goes from a cause's first finding to the first finding of each service it explains (when that
 * service is shown too). An answer without timed evidence gives no rows.
 */
export function causalChain(rca: CausalInput, maxServices = 6): CausalChain {
  const timed = rca.candidates
    .map((c) => ({
      service: c.service,
      score: c.score,
      nodes: c.evidence
        .filter(
          (e): e is typeof e & { onsetMs: number } =>
            e.onsetMs !== undefined && Number.isFinite(e.onsetMs),
        )
        .map((e) => ({
          id: e.id,
          service: c.service,
          signal: e.signal,
          reason: e.reason,
          timeMs: e.onsetMs,
        }))
        .sort((a, b) => a.timeMs - b.timeMs || (a.id < b.id ? -1 : 1)),
    }))
    .filter((r) => r.nodes.length > 0);
  const rows = timed.slice(0, maxServices);
  const shown = new Set(rows.map((r) => r.service));
  const explained = new Set(
    rca.candidates.filter((c) => shown.has(c.service)).flatMap((c) => c.explains),
  );
  rows.push(
    ...timed
      .slice(maxServices)
      .filter((r) => explained.has(r.service))
      .slice(0, maxServices),
  );
  const firstOf = new Map(rows.map((r) => [r.service, r.nodes[0]!]));
  const links: CausalLink[] = [];
  for (const c of rca.candidates) {
    const from = firstOf.get(c.service);
    if (from === undefined) continue;
    for (const s of c.explains) {
      const to = firstOf.get(s);
      if (to !== undefined && s !== c.service) links.push({ from, to });
    }
  }
  const times = rows.flatMap((r) => r.nodes.map((n) => n.timeMs));
  return {
    rows,
    links,
    fromMs: times.length === 0 ? 0 : Math.min(...times),
    toMs: times.length === 0 ? 0 : Math.max(...times),
  };
}
