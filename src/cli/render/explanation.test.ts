import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import type { Explanation } from '../../core/domain/explanation.js';
import { contextLine, renderExplanation, summaryStreamer } from './explanation.js';

const colors = pc.createColors(false);
const e: Explanation = {
  status: 'explained',
  provider: 'ollama',
  model: 'llama3.1',
  prompt: 'incident@v2',
  cached: false,
  attempts: 2,
  durationMs: 900,
  usage: { inputTokens: 6036, outputTokens: 412 },
  context: {
    chars: 24103,
    tokensEstimate: 6026,
    included: { candidates: 5, evidence: 25 },
    omitted: { similar: 1 },
    redacted: { EMAIL: 2 },
  },
  createdMs: 0,
  answer: {
    verdict: 'explained',
    summary: 'basic fails first.',
    probableCause: {
      service: 'ts-basic-service',
      text: 'route lookups fail',
      citations: ['e1', 'e2'],
    },
    issues: [{ text: 'travel answers 500', citations: ['e6'] }],
    suggestions: [{ text: 'check the database', citations: [] }],
    confidence: 'medium',
  },
};

describe('explanation rendering', () => {
  it('text: who answered with which prompt and tokens, the answer with its citations, what the context held', () => {
    const out = renderExplanation(e, 'text', colors);
    expect(out).toContain(
      'Explanation (ollama llama3.1, prompt incident@v2, 6,036 + 412 tokens, 2 attempts)',
    );
    expect(out).toContain('Probable cause (ts-basic-service): route lookups fail [e1, e2]');
    expect(out).toContain('- travel answers 500 [e6]');
    expect(out).toContain('confidence: medium');
    expect(contextLine(e)).toBe(
      'context ~6,026 tokens (24,103 chars); included 5 candidates, 25 evidence; left out for the budget 1 similar; redacted 2 EMAIL',
    );
    const unavailable: Explanation = { ...e, status: 'unavailable', note: 'no model' };
    delete unavailable.answer;
    expect(renderExplanation(unavailable, 'markdown', colors)).toContain('Unavailable: no model');
  });

  it('streams the summary out of the JSON as it arrives, escapes decoded, split anywhere', () => {
    const out: string[] = [];
    const s = summaryStreamer((t) => out.push(t));
    const json = JSON.stringify({
      verdict: 'explained',
      summary: 'Line one "quoted"\nand é',
      issues: [],
    });
    for (let i = 0; i < json.length; i += 3) s.onText(json.slice(i, i + 3));
    s.finish();
    expect(out.join('')).toBe('  Line one "quoted"\nand é\n');
    const none: string[] = [];
    const q = summaryStreamer((t) => none.push(t));
    q.onText('not json at all');
    q.finish();
    expect(none).toEqual([]);
  });
});
