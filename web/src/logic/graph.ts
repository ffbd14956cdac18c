import type { Graph } from '../api/types.js';
import type { Health } from './health.js';
import { healthOf } from './health.js';

export type EdgeState = 'failing' | 'slow' | 'ok';

/** A call edge's state: failing when ≥ 5 % of calls fail or the error share rose by a point; slow when its p90 doubled. */
export function edgeState(e: Graph['edges'][number]): EdgeState {
  const errors = e.calls > 0 ? e.errors / e.calls : 0;
  if (errors >= 0.05 || (e.shift?.errorRatioChange ?? 0) >= 0.01) return 'failing';
  if ((e.shift?.p90Ratio ?? 1) >= 2) return 'slow';
  return 'ok';
}

export interface GraphElements {
  nodes: { id: string; health: Health }[];
  edges: { id: string; source: string; target: string; calls: number; state: EdgeState }[];
}

/** Nodes for every service that has spans or takes part in a call; edges caller → callee. */
export function graphElements(g: Graph): GraphElements {
  const health = new Map(g.services.map((s) => [s.service, healthOf(s)]));
  const names = new Set([...g.services.map((s) => s.service), ...g.edges.flatMap((e) => [e.caller, e.callee])]);
  return {
    nodes: [...names].sort().map((id) => ({ id, health: health.get(id) ?? 'idle' })),
    edges: g.edges.map((e) => ({ id: `${e.caller}->${e.callee}`, source: e.caller, target: e.callee, calls: e.calls, state: edgeState(e) })),
  };
}
