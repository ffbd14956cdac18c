import { describe, expect, it } from 'vitest';
import { loadLoghub, scoreParse } from '../bench/loghub.js';
import { parseSystem } from '../bench/parse-accuracy.js';

// Floors, not exact numbers (CONVENTIONS.md): the targets are mean GA >= 0.90 and PA >= 0.70.
describe('template mining accuracy on Loghub-2k (../shared/data)', () => {
  const systems = loadLoghub();
  const scores = systems.map((s) => {
    const { ids, templates } = parseSystem(s.lines, s.layout);
    return { name: s.name, ...scoreParse(ids, templates, s.truthIds, s.truthTemplates) };
  });
  const mean = (k: 'GA' | 'PA' | 'FGA' | 'FTA') =>
    scores.reduce((a, s) => a + s[k], 0) / scores.length;

  it('reaches the mean GA and PA targets', () => {
    expect(mean('GA')).toBeGreaterThanOrEqual(0.9);
    expect(mean('PA')).toBeGreaterThanOrEqual(0.7);
    expect(mean('FGA')).toBeGreaterThanOrEqual(0.9);
  });

  it.each(systems.map((s) => s.name))('%s stays above a floor', (name) => {
    const s = scores.find((x) => x.name === name)!;
    expect(s.GA).toBeGreaterThanOrEqual(0.65);
    expect(s.PA).toBeGreaterThanOrEqual(0.4);
  });
});
