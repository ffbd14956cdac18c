import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { createBufferSource } from '../../adapters/sources/buffer-source.js';
import { analyzeSources } from '../../core/use-cases/analyze-logs.js';
import type { ServerContext } from '../context.js';

const NAME = /^[\w.@:/ -]{1,200}$/;

/**
 * POST /api/v1/analyses: a log text in, the same report `bifrost analyze --output json` gives
 * (same engine). The body is the text itself (text/plain or application/octet-stream, gzip
 * accepted by its magic bytes), JSON {"text", "name"}, or a multipart upload (field "file").
 */
export function analysesRoutes(ctx: ServerContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addContentTypeParser(['text/plain', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: ctx.config.maxBodyBytes }, (_req, body, done) => {
      done(null, body);
    });
    await app.register(multipart, { limits: { fileSize: ctx.config.maxBodyBytes, files: 1, fields: 4 } });

    const analyse = async (res: FastifyReply, name: string, bytes: Buffer) => {
      const report = await analyzeSources([createBufferSource(name, bytes)], { referenceYear: new Date().getUTCFullYear() });
      // nothing readable (binary, broken gzip): the reason, as a 400 naming the body
      const problem = report.summary.sources[0]?.problem;
      if (report.summary.lines === 0 && problem !== undefined) return res.code(400).send({ code: 400, error: problem.code, field: 'body', message: problem.message });
      return res.code(200).send(report);
    };

    app.post<{ Querystring: { name?: string } }>(
      '/analyses',
      {
        schema: {
          tags: ['analyses'],
          summary: 'Analyse a log text: the report of bifrost analyze (findings with evidence, templates, summary)',
          querystring: { type: 'object', additionalProperties: false, properties: { name: { type: 'string', pattern: NAME.source, description: 'source name shown in the report' } } },
        },
      },
      async (req, res) => {
        const name = req.query.name ?? 'upload';
        if (req.isMultipart()) {
          const part = await req.file();
          if (part === undefined) return res.code(400).send({ code: 400, field: 'file', message: 'the multipart body has no file part (send the log as field "file")' });
          const bytes = await part.toBuffer().catch((err: unknown) => err as Error);
          if (bytes instanceof Error || part.file.truncated) return res.code(413).send({ code: 413, message: `the file is larger than ${ctx.config.maxBodyBytes} bytes (--max-body-mb)` });
          return analyse(res, NAME.test(part.filename) ? part.filename : name, bytes);
        }
        if (Buffer.isBuffer(req.body)) return analyse(res, name, req.body);
        const raw: unknown = req.body;
        const body = (raw !== null && typeof raw === 'object' ? raw : {}) as { text?: unknown; name?: unknown };
        if (typeof body.text !== 'string') return res.code(400).send({ code: 400, field: 'text', message: 'send the log as text/plain, as JSON {"text": "…", "name": "…"}, or as a multipart file' });
        return analyse(res, typeof body.name === 'string' && NAME.test(body.name) ? body.name : name, Buffer.from(body.text, 'utf8'));
      },
    );
  };
}
