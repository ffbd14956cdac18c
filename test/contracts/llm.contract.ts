import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlmPort, LlmRequest } from '../../src/core/ports/llm.port.js';
import { startLlmStandIn } from '../helpers/llm-stand-in.js';
import type { StandIn } from '../helpers/llm-stand-in.js';

const schema = {
  type: 'object',
  properties: { verdict: { type: 'string' } },
  required: ['verdict'],
};
const req = (over: Partial<LlmRequest> = {}): LlmRequest => ({
  system: 'You explain incidents.',
  messages: [{ role: 'user', content: 'Evidence:\n[e1] api · log · ERROR timeout\nExplain.' }],
  schema,
  maxTokens: 256,
  temperature: 0.1,
  ...over,
});

/**
 * What every LlmPort adapter must do, run against the stand-in model server: complete with
 * usage, stream (when it streams), sort failures into retryable (5xx, 429, down, slow) and
 * failed (unreadable answers), list models, and send the system text and schema.
 */
export function runLlmContract(
  name: string,
  opts: { create: (standInUrl: string) => LlmPort; streams: boolean; models: string[] },
): void {
  describe(`LlmPort contract: ${name}`, () => {
    let s: StandIn;
    let llm: LlmPort;
    beforeAll(async () => {
      s = await startLlmStandIn();
      llm = opts.create(s.url);
    });
    afterAll(async () => {
      await s.close();
    });

    it('completes: the text, the model and token usage', async () => {
      const r = await llm.complete(req());
      expect(r.status).toBe('ok');
      if (r.status !== 'ok') return;
      expect(JSON.parse(r.value.text)).toMatchObject({
        verdict: 'explained',
        issues: [{ citations: ['e1'] }],
      });
      expect(r.value.usage.inputTokens).toBeGreaterThan(0);
      expect(r.value.usage.outputTokens).toBeGreaterThan(0);
      expect(r.value.model).not.toBe('');
    });

    it('sends the system text, the conversation and the answer schema', async () => {
      s.requests.length = 0;
      await llm.complete(req());
      const sent = s.requests[0]!.body;
      expect(sent).toContain('You explain incidents.');
      expect(sent).toContain('[e1] api');
      expect(sent).toContain('required');
    });

    it(
      opts.streams
        ? 'streams: the pieces arrive as they come and add up to the text'
        : 'does not stream: the whole text arrives once',
      async () => {
        const pieces: string[] = [];
        const r = await llm.complete(req({ onText: (t) => pieces.push(t) }));
        expect(r.status).toBe('ok');
        if (r.status !== 'ok') return;
        expect(pieces.join('')).toBe(r.value.text);
        if (opts.streams) expect(pieces.length).toBeGreaterThan(3);
        else expect(pieces).toHaveLength(1);
      },
    );

    if (opts.streams) {
      it('a stream that stops before it is done is retryable, not an answer', async () => {
        s.script.push('cut-stream');
        const r = await llm.complete(req({ onText: () => undefined }));
        expect(r).toMatchObject({ status: 'retryable', error: { code: 'LLM.SERVER' } });
      });
    }

    it('a 500 is retryable; a 429 is retryable and rate limited', async () => {
      s.script.push('error500', 'rate429');
      expect(await llm.complete(req())).toMatchObject({
        status: 'retryable',
        error: { code: 'LLM.SERVER' },
      });
      expect(await llm.complete(req())).toMatchObject({
        status: 'retryable',
        error: { code: 'LLM.RATE_LIMITED' },
      });
    });

    it('an answer body it cannot read fails as a bad response', async () => {
      s.script.push('broken-body');
      expect(await llm.complete(req())).toMatchObject({
        status: 'failed',
        error: { code: 'LLM.BAD_RESPONSE' },
      });
    });

    it('a slow answer is cut by the signal and is retryable', async () => {
      s.script.push('slow');
      const t0 = Date.now();
      const r = await llm.complete(req({ signal: AbortSignal.timeout(300) }));
      expect(r).toMatchObject({ status: 'retryable', error: { code: 'LLM.TIMEOUT' } });
      expect(Date.now() - t0).toBeLessThan(2500);
    });

    it('a server that is down is retryable and says where it tried', async () => {
      const down = opts.create('http://127.0.0.1:9');
      const r = await down.complete(req());
      expect(r.status).toBe('retryable');
      if (r.status === 'retryable') expect(r.error.message).toMatch(/127\.0\.0\.1:9|reach/);
    });

    it('lists models', async () => {
      expect(await llm.models()).toEqual({ status: 'ok', value: opts.models });
    });
  });
}
