import type { Graph } from '../api/types.js';
import type { Health } from './health.js';
import { healthOf } from './health.js';

export type EdgeState = 'failing' | 'slow' | 'ok';

/** A call edge's state: failing when ≥ 5 % of calls fail or go unanswered, or the error share rose by a point; slow when its p90 doubled. */
export function edgeState(e: Graph['edges'][number]): EdgeState {
  const all = e.calls + (e.unanswered ?? 0);
  const errors = all > 0 ? (e.errors + (e.unanswered ?? 0)) / all : 0;
  if (errors >= 0.05 || (e.shift?.errorRatioChange ?? 0) >= 0.01) return 'failing';
  if ((e.shift?.p90Ratio ?? 1) >= 2) return 'slow';
  return 'ok';
}

export interface GraphElements {
  nodes: { id: string; health: Health }[];
  edges: { id: string; source: string; target: string; calls: number; state: EdgeState }[];
}

/**
 * Nodes for every service that has spans or takes part in a call; edges caller → callee. A
 * service without spans that left most calls to it unanswered is failing (down), not idle; a
 * dependency without spans of its own (a database: its edges are external) is as its calls are.
 */
export function graphElements(g: Graph): GraphElements {
  const health = new Map(g.services.map((s) => [s.service, healthOf(s)]));
  const names = new Set([
    ...g.services.map((s) => s.service),
    ...g.edges.flatMap((e) => [e.caller, e.callee]),
  ]);
  const down = (id: string) => {
    const calls = g.edges.filter((e) => e.callee === id);
    const unanswered = calls.reduce((a, e) => a + (e.unanswered ?? 0), 0);
    return unanswered > 0 && unanswered >= calls.reduce((a, e) => a + e.calls, 0);
  };
  const external = (id: string): Health | undefined => {
    const states = g.edges.filter((e) => e.callee === id && e.external === true).map(edgeState);
    return states.length === 0
      ? undefined
      : states.includes('failing')
        ? 'failing'
        : states.includes('slow')
          ? 'degraded'
          : 'ok';
  };
  return {
    nodes: [...names].sort().map((id) => ({
      id,
      health: health.get(id) ?? external(id) ?? (down(id) ? 'failing' : 'idle'),
    })),
    edges: g.edges.map((e) => ({
      id: `${e.caller}->${e.callee}`,
      source: e.caller,
      target: e.callee,
      calls: e.calls + (e.unanswered ?? 0),
      state: edgeState(e),
    })),
  };
}

/**
 * Short node labels: the prefix and suffix every name shares (up to a "-", "_" or "."), such as
 * a namespace-like "shop-" or a "-service" on every name, left out; a name that would be left
 * empty keeps its full form. Nothing is specific to one system's naming.
 */
export function shortLabels(names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (names.length < 2) {
    for (const n of names) out.set(n, n);
    return out;
  }
  let pre = names[0]!;
  let suf = names[0]!;
  for (const n of names) {
    while (!n.startsWith(pre)) pre = pre.slice(0, -1);
    while (!n.endsWith(suf)) suf = suf.slice(1);
  }
  // cut only at a separator, so "payments" and "pay" do not lose "pay"
  const cutPre = Math.max(pre.lastIndexOf('-'), pre.lastIndexOf('_'), pre.lastIndexOf('.')) + 1;
  const sep = [suf.indexOf('-'), suf.indexOf('_'), suf.indexOf('.')].filter((i) => i >= 0);
  const cutSuf = sep.length === 0 ? 0 : suf.length - Math.min(...sep);
  for (const n of names) {
    const s = n.slice(cutPre, n.length - cutSuf);
    out.set(n, s === '' || cutPre + cutSuf >= n.length ? n : s);
  }
  return out;
}
