import { Lru } from '../domain/lru.js';

/**
 * How many services a tenant may have (a cardinality limit): the records of the first `limit`
 * services it sends are kept; past it, records of a service not seen before are refused (OTLP
 * partial success) and counted, so 20,000 distinct `service.name` values in one request cost
 * nothing downstream (per-service state, queries, the incident scan). Services are counted since
 * the server started; the `maxTenants` least recently active tenants are remembered.
 */
export class ServiceBudget {
  private readonly seen: Lru<string, Set<string>>;

  constructor(
    readonly limit: number,
    maxTenants = 10_000,
  ) {
    this.seen = new Lru(maxTenants);
  }

  /** Services the tenant has so far. */
  count(tenant: string): number {
    return this.seen.get(tenant)?.size ?? 0;
  }

  /** The records to keep, how many were refused and why (records without a service are kept). */
  admit<T extends { resource: { service?: string } }>(
    tenant: string,
    records: readonly T[],
  ): { kept: T[]; refused: number; reason: string | undefined } {
    let known = this.seen.get(tenant);
    if (known === undefined) this.seen.set(tenant, (known = new Set()));
    const kept: T[] = [];
    let refused = 0;
    for (const r of records) {
      const s = r.resource.service;
      if (s === undefined || known.has(s)) kept.push(r);
      else if (known.size < this.limit) {
        known.add(s);
        kept.push(r);
      } else refused++;
    }
    return {
      kept,
      refused,
      reason:
        refused === 0
          ? undefined
          : `the tenant has ${this.limit} services already (--max-services ${this.limit}): records of new services are refused`,
    };
  }
}
