import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { answers } from './response-schemas.js';
import { LLM } from './response-schemas.js';

/** The model layer: which model answers, and whether it is reachable. */
export function llmRoutes(ctx: Pick<ServerContext, 'explainer'>) {
  return (app: FastifyInstance): Promise<void> => {
    app.get(
      '/llm',
      {
        schema: {
          tags: ['incidents'],
          summary:
            'The model behind explanations: provider, model, whether it answers and the models it offers (none configured: provider null)',
          response: answers(LLM),
        },
      },
      async () => {
        const llm = ctx.explainer.llm;
        if (llm === undefined)
          return {
            provider: null,
            model: null,
            reachable: false,
            note: 'no model configured: start the server with --llm ollama (or openai, bedrock)',
          };
        const r = await llm.models();
        return r.status === 'ok'
          ? {
              provider: llm.provider,
              model: llm.model,
              reachable: true,
              models: r.value,
              modelAvailable: r.value.some((m) => m === llm.model || m === `${llm.model}:latest`),
            }
          : { provider: llm.provider, model: llm.model, reachable: false, note: r.error.message };
      },
    );
    return Promise.resolve();
  };
}
