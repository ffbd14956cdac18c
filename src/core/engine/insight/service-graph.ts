import type { ServiceEdge } from '../../domain/telemetry-aggregates.js';

/**
 * Which service calls which, from parent/child spans. Cycles (a calls b calls a) are allowed:
 * reachability stops at services already visited.
 */
export class ServiceGraph {
  private readonly out = new Map<string, Map<string, ServiceEdge>>();
  private readonly in = new Map<string, Set<string>>();
  private readonly downCache = new Map<string, Set<string>>();

  constructor(edges: readonly ServiceEdge[]) {
    for (const e of edges) {
      if (e.caller === e.callee) continue;
      let o = this.out.get(e.caller);
      if (o === undefined) this.out.set(e.caller, (o = new Map<string, ServiceEdge>()));
      const prev = o.get(e.callee);
      o.set(
        e.callee,
        prev === undefined
          ? { ...e }
          : {
              ...prev,
              calls: prev.calls + e.calls,
              errors: prev.errors + e.errors,
              p90Ms: Math.max(prev.p90Ms, e.p90Ms),
            },
      );
      let i = this.in.get(e.callee);
      if (i === undefined) this.in.set(e.callee, (i = new Set()));
      i.add(e.caller);
    }
  }

  get edges(): ServiceEdge[] {
    return [...this.out.values()].flatMap((m) => [...m.values()]);
  }

  callees(service: string): string[] {
    return [...(this.out.get(service)?.keys() ?? [])];
  }

  callers(service: string): string[] {
    return [...(this.in.get(service) ?? [])];
  }

  /** Every service reachable by following calls from `service` (not itself, even in a cycle). */
  downstream(service: string): ReadonlySet<string> {
    let d = this.downCache.get(service);
    if (d === undefined) {
      d = this.reach(service, (s) => this.out.get(s)?.keys() ?? []);
      this.downCache.set(service, d);
    }
    return d;
  }

  private reach(from: string, next: (s: string) => Iterable<string>): Set<string> {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
      for (const n of next(stack.pop()!)) {
        if (n === from || seen.has(n)) continue;
        seen.add(n);
        stack.push(n);
      }
    }
    return seen;
  }
}
