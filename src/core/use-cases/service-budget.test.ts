import { describe, expect, it } from 'vitest';
import { ServiceBudget } from './service-budget.js';

const rec = (service?: string) => ({ resource: service === undefined ? {} : { service } });

describe('ServiceBudget (services per tenant)', () => {
  it('keeps the records of the first services up to the limit, refuses those of new ones past it, per tenant', () => {
    const b = new ServiceBudget(2);
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
    expect(b.admit('t', [rec('a')])).toEqual({ kept: [rec('a')], refused: 0, reason: undefined });
  });

  it('remembers a bounded number of tenants (the least recently active start afresh)', () => {
    const b = new ServiceBudget(1, 2);
    b.admit('t1', [rec('a')]);
    b.admit('t2', [rec('a')]);
    b.admit('t3', [rec('a')]);
    expect(b.count('t1')).toBe(0);
    expect(b.count('t3')).toBe(1);
  });
});
