/** Who answers the calls that CLIENT spans name (peer.service, server.address …), and the peers no traced service answers. */
import type { PeerCallStats, ServiceEdge } from '../../../domain/telemetry-aggregates.js';

/**
 * Which service answers each caller's peer (`caller\u0000peer`): the one whose spans were below
 * most of its calls, when that is at least half of them; a peer never answered (a database, an
 * outside API) has none.
 */
export function peerAnswerers(
  rows: readonly PeerCallStats[],
): Map<string, { service: string; share: number; calls: number }> {
  const paths = new Map<string, { calls: number; by: Map<string, number> }>();
  for (const r of rows) {
    const key = `${r.caller}\u0000${r.peer}`;
    let p = paths.get(key);
    if (p === undefined) paths.set(key, (p = { calls: 0, by: new Map() }));
    p.calls += r.calls;
    if (r.callee !== '' && r.callee !== r.caller)
      p.by.set(r.callee, (p.by.get(r.callee) ?? 0) + r.calls);
  }
  const out = new Map<string, { service: string; share: number; calls: number }>();
  for (const [key, p] of paths) {
    const [service, n] = [...p.by].reduce<[string, number]>(
      (a, e) => (e[1] > a[1] ? e : a),
      ['', 0],
    );
    if (service !== '' && n >= 0.5 * p.calls)
      out.set(key, { service, share: n / p.calls, calls: p.calls });
  }
  return out;
}

/**
 * The peers that callers name in their CLIENT spans and that no traced service ever answered (no
 * span of another service below any call to them): a database, a cache, an outside API, a
 * service without tracing. They are known only from those calls.
 */
export function externalPeers(rows: readonly PeerCallStats[]): Map<string, PeerCallStats[]> {
  const answered = new Set<string>();
  for (const r of rows) if (r.callee !== '' && r.callee !== r.caller) answered.add(r.peer);
  const out = new Map<string, PeerCallStats[]>();
  for (const r of rows) {
    if (answered.has(r.peer) || r.peer === r.caller) continue;
    const l = out.get(r.peer);
    if (l === undefined) out.set(r.peer, [r]);
    else l.push(r);
  }
  return out;
}

/** The calls to dependencies without spans of their own as edges of the service graph (caller → the peer as named), so they can explain their callers' symptoms. */
export function externalEdges(rows: readonly PeerCallStats[]): ServiceEdge[] {
  const edges = new Map<string, ServiceEdge>();
  for (const [peer, list] of externalPeers(rows)) {
    for (const r of list) {
      const key = `${r.caller}\u0000${peer}`;
      const e = edges.get(key);
      if (e === undefined)
        edges.set(key, {
          caller: r.caller,
          callee: peer,
          calls: r.calls,
          errors: r.errors,
          p90Ms: r.p90Ms,
        });
      else
        Object.assign(e, {
          calls: e.calls + r.calls,
          errors: e.errors + r.errors,
          p90Ms: Math.max(e.p90Ms, r.p90Ms),
        });
    }
  }
  return [...edges.values()].sort((a, b) =>
    a.caller < b.caller
      ? -1
      : a.caller > b.caller
        ? 1
        : a.callee < b.callee
          ? -1
          : a.callee > b.callee
            ? 1
            : 0,
  );
}
