import { describe, expect, it } from 'vitest';
import { CardinalityBudget, seriesBudget, serviceBudget } from './cardinality-budget.js';

const rec = (service?: string) => ({ resource: service === undefined ? {} : { service } });

describe('CardinalityBudget (services, series per tenant)', () => {
  it('keeps the records of the first services up to the limit, refuses those of new ones past it, per tenant', () => {
    const b = serviceBudget(2);
    const first = b.admit('t', [rec('a'), rec('b'), rec('c'), rec('a'), rec()]);
    expect(first.kept.map((r) => r.resource.service)).toEqual(['a', 'b', 'a', undefined]);
    expect(first.refused).toBe(1);
    expect(first.reason).toBe(
      'the tenant has 2 services already (--max-services 2): records of new services are refused',
    );
    // known services still pass; another tenant has its own count
    expect(b.admit('t', [rec('b'), rec('d')]).kept).toHaveLength(1);
    expect(b.admit('u', [rec('x'), rec('y')]).refused).toBe(0);
    expect(b.count('t')).toBe(2);
    const known = [rec('a')];
    expect(b.admit('t', known)).toEqual({ kept: known, refused: 0, reason: undefined });
  });

  it('counts metric series by name and labels', () => {
    const point = (name: string, pod: string) => ({
      name,
      labels: `{"pod":"${pod}"}`,
      resource: {},
    });
    const b = seriesBudget(2);
    const r = b.admit('t', [
      point('cpu', 'a'),
      point('cpu', 'b'),
      point('cpu', 'a'),
      point('mem', 'a'),
    ]);
    expect(r.kept).toHaveLength(3);
    expect(r.refused).toBe(1);
    expect(r.reason).toBe(
      'the tenant has 2 metric series already (--max-series 2): points of new series are refused',
    );
  });

  it('remembers a bounded number of tenants (the least recently active start afresh)', () => {
    const b = new CardinalityBudget({
      limit: 1,
      maxTenants: 2,
      what: 'services',
      flag: '--max-services',
      items: 'records',
      keyOf: (r: { resource: { service?: string } }) => r.resource.service,
    });
    b.admit('t1', [rec('a')]);
    b.admit('t2', [rec('a')]);
    b.admit('t3', [rec('a')]);
    expect(b.count('t1')).toBe(0);
    expect(b.count('t3')).toBe(1);
  });
});
