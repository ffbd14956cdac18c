import type { CitedText, ExplanationAnswer } from '../../domain/explanation.js';

const cited = {
  type: 'object',
  properties: { text: { type: 'string' }, citations: { type: 'array', items: { type: 'string' } } },
  required: ['text', 'citations'],
} as const;

/** JSON Schema of the answer (sent to providers that constrain output to a schema). */
export const ANSWER_SCHEMA = {
  type: 'object',
  properties: {
    verdict: { type: 'string', enum: ['explained', 'inconclusive'] },
    summary: { type: 'string' },
    probableCause: {
      type: 'object',
      properties: { service: { type: 'string' }, ...cited.properties },
      required: ['service', 'text', 'citations'],
    },
    issues: { type: 'array', items: cited },
    suggestions: { type: 'array', items: cited },
    confidence: { type: 'string', enum: ['low', 'medium', 'high'] },
  },
  required: ['verdict', 'summary', 'probableCause', 'issues', 'suggestions', 'confidence'],
} as const;

export type AnswerCheck =
  { ok: true; answer: ExplanationAnswer } | { ok: false; problems: string[] };

/** The JSON object in a model's text: the text itself, or inside a ``` fence, or from the first { to the last }. */
function jsonOf(text: string): unknown {
  const t = text.trim();
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n```\s*$/.exec(t);
  const body = fenced?.[1] ?? t;
  try {
    return JSON.parse(body);
  } catch {
    const a = body.indexOf('{');
    const b = body.lastIndexOf('}');
    if (a >= 0 && b > a) return JSON.parse(body.slice(a, b + 1));
    throw new Error('no JSON object in the answer');
  }
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses and checks an answer: the shape of ANSWER_SCHEMA, every citation an id of the
 * evidence that was sent, every issue and the probable cause citing something (unless the
 * verdict is inconclusive). The problems are written for the model to correct itself.
 */
export function checkAnswer(text: string, evidenceIds: ReadonlySet<string>): AnswerCheck {
  let v: unknown;
  try {
    v = jsonOf(text);
  } catch (e) {
    return {
      ok: false,
      problems: [
        `the answer is not valid JSON (${(e as Error).message}); reply with one JSON object only`,
      ],
    };
  }
  if (!isObj(v)) return { ok: false, problems: ['the answer must be one JSON object'] };
  const problems: string[] = [];
  const str = (x: unknown, field: string): string => {
    if (typeof x === 'string' && x.trim() !== '') return x.trim();
    problems.push(`"${field}" must be a non-empty string`);
    return '';
  };
  const citedText = (x: unknown, field: string, mustCite: boolean): CitedText => {
    if (!isObj(x)) {
      problems.push(`"${field}" must be an object with "text" and "citations"`);
      return { text: '', citations: [] };
    }
    const t = str(x.text, `${field}.text`);
    const c = Array.isArray(x.citations)
      ? x.citations
          .filter((i): i is string => typeof i === 'string')
          .map((i) => i.trim().replace(/^\[|\]$/g, ''))
      : [];
    if (!Array.isArray(x.citations))
      problems.push(`"${field}.citations" must be an array of evidence ids`);
    const unknown = c.filter((i) => !evidenceIds.has(i));
    if (unknown.length > 0)
      problems.push(
        `"${field}" cites ${unknown.map((i) => `"${i}"`).join(', ')}, which ${unknown.length === 1 ? 'is' : 'are'} not an evidence id; cite only the ids given (${[...evidenceIds].slice(0, 12).join(', ')}${evidenceIds.size > 12 ? ', …' : ''})`,
      );
    else if (mustCite && c.length === 0)
      problems.push(`"${field}" cites nothing; every claim must cite the evidence ids it rests on`);
    return { text: t, citations: [...new Set(c)] };
  };
  const verdict =
    v.verdict === 'inconclusive'
      ? 'inconclusive'
      : v.verdict === 'explained'
        ? 'explained'
        : undefined;
  if (verdict === undefined) problems.push('"verdict" must be "explained" or "inconclusive"');
  const firm = verdict !== 'inconclusive';
  const summary = str(v.summary, 'summary');
  const pc = citedText(v.probableCause, 'probableCause', firm);
  const service =
    isObj(v.probableCause) && typeof v.probableCause.service === 'string'
      ? v.probableCause.service.trim()
      : '';
  const list = (x: unknown, field: string, mustCite: boolean): CitedText[] => {
    if (!Array.isArray(x)) {
      problems.push(`"${field}" must be an array`);
      return [];
    }
    return x.map((item, i) => citedText(item, `${field}[${i}]`, mustCite));
  };
  const issues = list(v.issues, 'issues', true);
  const suggestions = list(v.suggestions, 'suggestions', false);
  const confidence =
    v.confidence === 'low' || v.confidence === 'medium' || v.confidence === 'high'
      ? v.confidence
      : undefined;
  if (confidence === undefined) problems.push('"confidence" must be "low", "medium" or "high"');
  if (firm && issues.length === 0)
    problems.push(
      '"issues" is empty; name at least one issue with its citations, or answer with verdict "inconclusive"',
    );
  if (problems.length > 0 || verdict === undefined || confidence === undefined)
    return { ok: false, problems };
  return {
    ok: true,
    answer: {
      verdict,
      summary,
      probableCause: { service, ...pc },
      issues,
      suggestions,
      confidence,
    },
  };
}

/** The answer's texts passed through a function (placeholders restored for local display). */
export function mapAnswerText(a: ExplanationAnswer, f: (s: string) => string): ExplanationAnswer {
  const c = (x: CitedText): CitedText => ({ text: f(x.text), citations: x.citations });
  return {
    ...a,
    summary: f(a.summary),
    probableCause: { ...c(a.probableCause), service: f(a.probableCause.service) },
    issues: a.issues.map(c),
    suggestions: a.suggestions.map(c),
  };
}
