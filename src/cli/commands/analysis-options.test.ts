import { describe, expect, it } from 'vitest';
import { timeOption } from './analysis-options.js';

const NOW = Date.UTC(2026, 11, 8, 12, 0, 0);

describe('--since / --until', () => {
  it('reads ISO times (UTC when no zone is named) and spans back from now', () => {
    expect(timeOption('--since', '2026-01-01T10:00Z', NOW)).toBe(Date.UTC(2026, 0, 1, 10));
    expect(timeOption('--since', '2026-01-01T10:00', NOW)).toBe(Date.UTC(2026, 0, 1, 10));
    expect(timeOption('--since', '2026-01-01 10:00:30.5', NOW)).toBe(
      Date.UTC(2026, 0, 1, 10, 0, 30, 500),
    );
    expect(timeOption('--since', '2026-01-01T10:00+02:00', NOW)).toBe(Date.UTC(2026, 0, 1, 8));
    expect(timeOption('--since', '2026-01-01', NOW)).toBe(Date.UTC(2026, 0, 1));
    expect(timeOption('--since', '30m', NOW)).toBe(NOW - 30 * 60_000);
    expect(timeOption('--since', '2h', NOW)).toBe(NOW - 2 * 3_600_000);
    expect(timeOption('--since', '1d', NOW)).toBe(NOW - 86_400_000);
    expect(timeOption('--since', undefined, NOW)).toBeUndefined();
  });

  it('refuses anything else with what it expects', () => {
    for (const bad of ['yesterday', '2026-02-30', '2026-13-01T00:00', '-2h', '2 hours', ''])
      expect(() => timeOption('--until', bad, NOW)).toThrow(
        /^--until '.*': expected an ISO time \('2026-01-01T10:00Z', UTC when it names no zone\) or a span back from now/,
      );
  });
});
