import { fnv1a32 } from '../domain/hash.js';
import { Lru } from '../domain/lru.js';
import { seriesKey } from '../domain/metric-point.js';
import type { MetricPoint } from '../domain/metric-point.js';

/** 53 bits of two FNV-1a hashes: a key's identity without keeping its text (collisions ~1 in 10^9 at 100k keys). */
function identity(key: string): number {
  return fnv1a32(key) * 0x200000 + (fnv1a32(key, 0x9e3779b9) & 0x1fffff);
}

/**
 * How many distinct things (services, metric series) a tenant may have: the items of the first
 * `limit` keys it sends are kept; past it, items of a key not seen before are refused (OTLP partial
 * success) and counted, so 20,000 distinct `service.name` values or a label with a user id in it
 * cost nothing downstream (per-key state, queries, the incident scan). Keys are counted since the
 * server started (as hashes, not their text); the `maxTenants` least recently active tenants are
 * remembered. Items without a key (a record with no service) are kept.
 */
export class CardinalityBudget<T> {
  private readonly seen: Lru<string, Set<number>>;

  constructor(
    private readonly options: {
      limit: number;
      /** "services", "metric series": for the reason. */
      what: string;
      /** The flag that sets the limit, for the reason. */
      flag: string;
      /** "records", "points": for the reason. */
      items: string;
      keyOf: (item: T) => string | undefined;
      maxTenants?: number;
    },
  ) {
    this.seen = new Lru(options.maxTenants ?? 10_000);
  }

  get limit(): number {
    return this.options.limit;
  }

  /** Keys the tenant has so far. */
  count(tenant: string): number {
    return this.seen.get(tenant)?.size ?? 0;
  }

  /** The items to keep, how many were refused and why. */
  admit<I extends T>(
    tenant: string,
    items: readonly I[],
  ): { kept: I[]; refused: number; reason: string | undefined } {
    let known = this.seen.get(tenant);
    if (known === undefined) this.seen.set(tenant, (known = new Set()));
    const { limit, keyOf } = this.options;
    const kept: I[] = [];
    let refused = 0;
    for (const item of items) {
      const key = keyOf(item);
      if (key === undefined) {
        kept.push(item);
        continue;
      }
      const id = identity(key);
      if (known.has(id)) kept.push(item);
      else if (known.size < limit) {
        known.add(id);
        kept.push(item);
      } else refused++;
    }
    return {
      kept: refused === 0 ? (items as I[]) : kept,
      refused,
      reason:
        refused === 0
          ? undefined
          : `the tenant has ${limit} ${this.options.what} already (${this.options.flag} ${limit}): ${this.options.items} of new ${this.options.what.replace(/^metric /, '')} are refused`,
    };
  }
}

/** Services per tenant (--max-services). */
export const serviceBudget = (limit: number) =>
  new CardinalityBudget<{ resource: { service?: string } }>({
    limit,
    what: 'services',
    flag: '--max-services',
    items: 'records',
    keyOf: (r) => r.resource.service,
  });

/** Metric series per tenant (--max-series): a name with its labels and resource. */
export const seriesBudget = (limit: number) =>
  new CardinalityBudget<Pick<MetricPoint, 'name' | 'labels' | 'resource'>>({
    limit,
    what: 'metric series',
    flag: '--max-series',
    items: 'points',
    keyOf: seriesKey,
  });
