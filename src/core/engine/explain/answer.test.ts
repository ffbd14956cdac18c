import { describe, expect, it } from 'vitest';
import { checkAnswer } from './answer.js';

const ids = new Set(['e1', 'e2', 'c1']);
const good = {
  verdict: 'explained',
  summary: 'ts-basic-service fails first.',
  probableCause: {
    service: 'ts-basic-service',
    text: 'It logs errors before its callers.',
    citations: ['e1'],
  },
  issues: [{ text: 'Errors in ts-basic-service', citations: ['e1', 'e2'] }],
  suggestions: [{ text: 'Roll back the deployment', citations: ['c1'] }],
  confidence: 'high',
};

describe('checkAnswer', () => {
  it('accepts a valid answer, also inside a code fence or with text around it', () => {
    expect(checkAnswer(JSON.stringify(good), ids)).toMatchObject({
      ok: true,
      answer: { verdict: 'explained', probableCause: { service: 'ts-basic-service' } },
    });
    expect(checkAnswer('```json\n' + JSON.stringify(good) + '\n```', ids).ok).toBe(true);
    expect(checkAnswer('Here it is: ' + JSON.stringify(good) + ' done', ids).ok).toBe(true);
  });

  it('rejects citations that were not sent, and says which ids exist', () => {
    const r = checkAnswer(
      JSON.stringify({ ...good, issues: [{ text: 'x', citations: ['e9'] }] }),
      ids,
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join()).toMatch(/"e9".*not an evidence id.*e1, e2, c1/);
  });

  it('rejects issues that cite nothing, an empty issue list, a bad verdict or confidence, and prose', () => {
    expect(
      checkAnswer(JSON.stringify({ ...good, issues: [{ text: 'x', citations: [] }] }), ids).ok,
    ).toBe(false);
    expect(checkAnswer(JSON.stringify({ ...good, issues: [] }), ids).ok).toBe(false);
    expect(checkAnswer(JSON.stringify({ ...good, verdict: 'maybe' }), ids).ok).toBe(false);
    expect(checkAnswer(JSON.stringify({ ...good, confidence: 0.9 }), ids).ok).toBe(false);
    const prose = checkAnswer('The service is broken.', ids);
    expect(prose.ok).toBe(false);
    if (!prose.ok) expect(prose.problems[0]).toMatch(/not valid JSON/);
    expect(checkAnswer('[1,2]', ids).ok).toBe(false);
    expect(checkAnswer('', ids).ok).toBe(false);
  });

  it('lets an inconclusive answer cite nothing', () => {
    const r = checkAnswer(
      JSON.stringify({
        ...good,
        verdict: 'inconclusive',
        probableCause: { service: '', text: 'unclear', citations: [] },
        issues: [],
        confidence: 'low',
      }),
      ids,
    );
    expect(r).toMatchObject({ ok: true, answer: { verdict: 'inconclusive' } });
  });
});
