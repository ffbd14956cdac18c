import type { Explanation, ExplanationContextInfo } from '../domain/explanation.js';
import { ANSWER_SCHEMA, checkAnswer, mapAnswerText } from '../engine/explain/answer.js';
import type { BuiltContext } from '../engine/explain/context-builder.js';
import type { PromptTemplate } from '../engine/explain/prompt.js';
import { promptId, renderPrompt } from '../engine/explain/prompt.js';
import type { Redactor } from '../engine/redaction/redactor.js';
import type { ExplanationStorePort } from '../ports/explanation-store.port.js';
import type { LlmMessage, LlmPort } from '../ports/llm.port.js';

export interface ExplainDeps {
  /** undefined: no model configured; `unavailableNote` says how to configure one. */
  llm: LlmPort | undefined;
  unavailableNote?: string;
  /** Cache, usage and records; undefined keeps nothing. */
  store: ExplanationStorePort | undefined;
  /** One per explanation: its placeholders are restored in the answer shown locally. */
  redactor: Redactor;
  sha256: (text: string) => string;
  now: () => number;
  newId: () => string;
  cacheTtlMs: number;
  maxOutputTokens: number;
  temperature: number;
  /** Answer text as it streams in. */
  onText?: (chunk: string) => void;
}

export interface ExplainRequest {
  tenant: string;
  subject: string;
  context: BuiltContext;
  prompt: PromptTemplate;
  /** Skip the cache lookup (a fresh answer is still cached). */
  fresh?: boolean;
}

const tokensOf = (chars: number) => Math.ceil(chars / 4);

/**
 * Has the model narrate the evidence: the context is redacted, looked up in the cache, sent
 * with the prompt and the answer's JSON Schema; the answer must cite existing evidence ids. An
 * invalid answer gets one retry with the validator's problems, then the result is
 * "inconclusive". A provider failure or spent budget gives "unavailable" with the reason; the
 * caller's deterministic report stands either way. The answer returned has the original
 * values restored (local display); what is cached and sent holds placeholders only.
 */
export async function explainContext(req: ExplainRequest, deps: ExplainDeps): Promise<Explanation> {
  const started = deps.now();
  const redacted = deps.redactor.redact(req.context.text);
  const user = renderPrompt(req.prompt, redacted);
  const info: ExplanationContextInfo = {
    chars: redacted.length,
    tokensEstimate: tokensOf(redacted.length),
    included: req.context.included,
    omitted: req.context.omitted,
    redacted: deps.redactor.counts(),
  };
  const base = {
    prompt: promptId(req.prompt),
    cached: false,
    attempts: 0,
    usage: { inputTokens: 0, outputTokens: 0 },
    context: info,
    createdMs: started,
  };
  const llm = deps.llm;
  if (llm === undefined) {
    return {
      ...base,
      status: 'unavailable',
      note: deps.unavailableNote ?? 'no model configured',
      durationMs: 0,
    };
  }
  const who = { provider: llm.provider, model: llm.model };
  const key = deps.sha256(
    JSON.stringify([
      redacted,
      base.prompt,
      req.prompt.system,
      req.prompt.user,
      llm.provider,
      llm.model,
    ]),
  );
  const restore = (e: Explanation): Explanation =>
    e.answer === undefined
      ? e
      : { ...e, answer: mapAnswerText(e.answer, (s) => deps.redactor.restore(s)) };
  if (deps.store !== undefined && req.fresh !== true) {
    const hit = await deps.store.getCachedExplanation(key, started);
    if (hit !== undefined)
      return restore({ ...hit, cached: true, durationMs: deps.now() - started, context: info });
  }

  const messages: LlmMessage[] = [{ role: 'user', content: user }];
  const usage = { inputTokens: 0, outputTokens: 0 };
  let out: Explanation | undefined;
  let problems: string[] = [];
  for (let attempt = 1; attempt <= 2 && out === undefined; attempt++) {
    const r = await llm.complete({
      system: req.prompt.system,
      messages,
      schema: ANSWER_SCHEMA,
      maxTokens: deps.maxOutputTokens,
      temperature: deps.temperature,
      ...(deps.onText === undefined ? {} : { onText: deps.onText }),
    });
    if (r.status !== 'ok') {
      out = {
        ...base,
        ...who,
        status: 'unavailable',
        note: `${llm.provider} (${llm.model}): ${r.error.message}`,
        attempts: attempt,
        usage,
        durationMs: deps.now() - started,
      };
      break;
    }
    usage.inputTokens += r.value.usage.inputTokens;
    usage.outputTokens += r.value.usage.outputTokens;
    const check = checkAnswer(r.value.text, req.context.evidenceIds);
    if (check.ok) {
      const firm = check.answer.verdict === 'explained';
      out = {
        ...base,
        ...who,
        model: r.value.model || llm.model,
        status: firm ? 'explained' : 'inconclusive',
        answer: check.answer,
        ...(firm ? {} : { note: 'the model found the evidence inconclusive' }),
        attempts: attempt,
        usage,
        durationMs: deps.now() - started,
      };
      break;
    }
    problems = check.problems;
    messages.push(
      { role: 'assistant', content: r.value.text.slice(0, 8000) },
      {
        role: 'user',
        content: `Your answer cannot be used: ${problems.join('; ')}. Reply again with one JSON object following the schema, citing only the evidence ids given.`,
      },
    );
  }
  out ??= {
    ...base,
    ...who,
    status: 'inconclusive',
    note: `the model's answers did not pass validation twice: ${problems.join('; ')}`,
    attempts: 2,
    usage,
    durationMs: deps.now() - started,
  };
  if (deps.store !== undefined) {
    const day = new Date(started).toISOString().slice(0, 10);
    const spent = usage.inputTokens + usage.outputTokens;
    if (spent > 0) await deps.store.addLlmTokens(day, spent);
    // only answers worth reusing are cached: a failure is retried next time
    if (out.answer !== undefined)
      await deps.store.putCachedExplanation(key, out, started + deps.cacheTtlMs);
    await deps.store.addExplanation({
      id: deps.newId(),
      tenant: req.tenant,
      subject: req.subject,
      createdMs: started,
      explanation: out,
    });
  }
  return restore(out);
}
