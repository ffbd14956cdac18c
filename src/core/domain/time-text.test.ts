import { describe, expect, it } from 'vitest';
import { parseDuration, parseInstant } from './time-text.js';

describe('time text', () => {
  it('reads durations', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration(' 2h ')).toBe(7_200_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    for (const bad of ['', '0m', '10', 'm', '1.5h', '-1h', '10 minutes', '9999999m'])
      expect(parseDuration(bad)).toBeUndefined();
  });

  it('reads instants as people write them, UTC unless a zone is given', () => {
    const t = Date.UTC(2023, 0, 29, 8, 43, 4);
    expect(parseInstant('2023-01-29 08:43:04')).toBe(t);
    expect(parseInstant('2023-01-29T08:43:04Z')).toBe(t);
    expect(parseInstant('2023-01-29T08:43:04.250Z')).toBe(t + 250);
    expect(parseInstant('2023-01-29 16:43:04+08:00')).toBe(t);
    expect(parseInstant('2023-01-29 16:43:04 +0800')).toBe(t);
    expect(parseInstant('2023-01-29 08:43 UTC')).toBe(t - 4000);
    expect(parseInstant('1674981784')).toBe(t);
    expect(parseInstant('1674981784000')).toBe(t);
    for (const bad of [
      '',
      'yesterday',
      '2023-13-45 99:99:99',
      '2023-01-29',
      '08:43',
      '16749817840',
      // a day the month does not have (Date.parse would roll it over into March)
      '2023-02-30 00:00',
      '2023-02-29T12:00Z',
    ])
      expect(parseInstant(bad)).toBeUndefined();
    expect(parseInstant('2024-02-29T12:00Z')).toBe(Date.UTC(2024, 1, 29, 12));
  });
});
