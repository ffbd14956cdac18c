import { createHash } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findingsCsv } from '../../adapters/export/report-csv.js';
import { createBufferSource } from '../../adapters/sources/buffer-source.js';
import { dateReferenceAt } from '../../core/engine/logs/timestamp.js';
import type { LogReport } from '../../core/domain/log-report.js';
import type { LineSink, LogSource } from '../../core/ports/log-source.port.js';
import { LOG_ENGINE_VERSION } from '../../core/engine/logs/version.js';
import { analyzeSources } from '../../core/use-cases/analyze-logs.js';
import type { ServerContext } from '../context.js';
import { logsContext, similarAnalyses } from '../../core/use-cases/explain-inputs.js';
import type { Job } from '../jobs.js';
import {
  ANALYSES,
  ANALYSIS,
  JOB,
  LOG_REPORT,
  answers,
  answersWith,
  notJson,
} from './response-schemas.js';

interface Upload {
  name: string;
  bytes: Buffer;
}

/** A source that reports when it has been read (batch progress). */
function counted(source: LogSource, done: () => void): LogSource {
  return {
    name: source.name,
    read: async (sink: LineSink) => {
      const r = await source.read(sink);
      done();
      return r;
    },
  };
}

function jobView(j: Job) {
  return {
    id: j.id,
    status: j.status,
    total: j.total,
    done: j.done,
    created: new Date(j.createdMs).toISOString(),
    ...(j.analysisId === undefined ? {} : { analysis: `/api/v1/analyses/${j.analysisId}` }),
    ...(j.error === undefined ? {} : { error: j.error }),
    events: `/api/v1/jobs/${j.id}/events`,
  };
}

const NAME = /^[\w.@:/ -]{1,200}$/;

/**
 * POST /api/v1/analyses: a log text in, the same report `bifrost analyze --output json` gives
 * (same engine). The body is the text itself (text/plain or application/octet-stream, gzip
 * accepted by its magic bytes), JSON {"text", "name"}, or a multipart upload (field "file").
 */
interface LlmRequest {
  prompt?: string;
  fresh?: boolean;
}

/** `llm` of an analysis request: absent/false (none), true, or {prompt: "v1", fresh: true}; the problem in words otherwise. */
function llmOf(v: unknown): LlmRequest | undefined | string {
  if (v === undefined || v === false || v === null) return undefined;
  if (v === true) return {};
  if (typeof v !== 'object' || Array.isArray(v))
    return 'llm must be true, false or {"prompt": "v1", "fresh": false}';
  const o = v as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => k !== 'prompt' && k !== 'fresh');
  if (extra.length > 0)
    return `llm has unknown field ${extra.map((k) => `"${k}"`).join(', ')}; it takes "prompt" and "fresh"`;
  if (o.prompt !== undefined && (typeof o.prompt !== 'string' || !/^v\d{1,4}$/.test(o.prompt)))
    return 'llm.prompt must be a prompt version such as "v1"';
  if (o.fresh !== undefined && typeof o.fresh !== 'boolean')
    return 'llm.fresh must be true or false';
  return {
    ...(typeof o.prompt === 'string' ? { prompt: o.prompt } : {}),
    ...(o.fresh === true ? { fresh: true } : {}),
  };
}

export function analysesRoutes(
  ctx: Pick<ServerContext, 'cache' | 'config' | 'explainer' | 'history' | 'jobs' | 'newId'>,
) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addContentTypeParser(
      ['text/plain', 'application/octet-stream'],
      { parseAs: 'buffer', bodyLimit: ctx.config.maxBodyBytes },
      (_req, body, done) => {
        done(null, body);
      },
    );
    await app.register(multipart, {
      limits: { fileSize: ctx.config.maxBodyBytes, files: 100, fields: 10 },
    });

    const keep = async (tenant: string, name: string, report: LogReport) => {
      const id = ctx.newId();
      await ctx.history.addAnalysis({ id, tenant, createdMs: Date.now(), name, report });
      return id;
    };

    /** From the result cache when the same bytes under the same names were analysed by this engine version this year. */
    const reportOf = async (
      files: readonly Upload[],
    ): Promise<{ report: LogReport; hit: boolean }> => {
      const dateReference = dateReferenceAt(Date.now());
      const hash = createHash('sha256').update(
        JSON.stringify({
          v: LOG_ENGINE_VERSION,
          dateReference,
          api: 'analyses',
          name: files.length === 1 ? files[0]!.name : files.map((f) => f.name),
        }),
      );
      for (const f of files) hash.update('\u0000').update(f.bytes);
      const key = hash.digest('hex');
      const cached = await ctx.cache?.get<LogReport>(key);
      if (cached !== undefined) return { report: cached, hit: true };
      const fresh = await analyzeSources(
        files.map((f) => createBufferSource(f.name, f.bytes)),
        { dateReference },
      );
      await ctx.cache?.set(key, fresh).catch(() => undefined);
      return { report: fresh, hit: false };
    };

    /** Analyses one upload or several (one report: incidents across them), keeps it, answers with it (and the model's explanation when asked). */
    const analyse = async (
      req: FastifyRequest,
      res: FastifyReply,
      name: string,
      files: readonly Upload[],
      llm?: LlmRequest,
    ) => {
      // an unknown prompt version is refused before anything is analysed or kept
      const prompt = llm === undefined ? undefined : ctx.explainer.prompt('logs', llm.prompt);
      const { report, hit } = await reportOf(files);
      res.header('x-cache', ctx.cache === undefined ? 'off' : hit ? 'hit' : 'miss');
      // nothing readable (binary, broken gzip): the reason, as a 400 naming the body
      const problem = report.summary.sources[0]?.problem;
      if (report.summary.lines === 0 && problem !== undefined)
        return res
          .code(400)
          .send({ code: 400, error: problem.code, field: 'body', message: problem.message });
      const id = await keep(req.auth.tenant, name, report);
      res.code(200).header('location', `/api/v1/analyses/${id}`).header('x-analysis-id', id);
      if (llm === undefined || prompt === undefined) return res.send(report);
      // the model reads the findings (redacted) and the most similar earlier analyses of the tenant
      const similar = await similarAnalyses(ctx.history, req.auth.tenant, report, id);
      const context = logsContext(name, report, similar, ctx.explainer.contextChars);
      const explanation =
        report.findings.length === 0
          ? undefined
          : await ctx.explainer.explain({
              tenant: req.auth.tenant,
              subject: `analysis:${id}`,
              context,
              prompt,
              fresh: llm.fresh === true,
            });
      return res.send({
        ...report,
        explanation: explanation ?? {
          status: 'unavailable',
          note: 'nothing abnormal in the logs: nothing to explain',
        },
      });
    };

    /** Uploads from a multipart body (every file part) or JSON {items: [{name, text}]}. */
    const uploads = async (
      req: FastifyRequest,
      unnamed = (i: number) => `file-${i + 1}`,
    ): Promise<Upload[] | string> => {
      if (req.isMultipart()) {
        const out: Upload[] = [];
        for await (const part of req.files()) {
          const bytes = await part.toBuffer();
          if (part.file.truncated)
            return `${part.filename} is larger than ${ctx.config.maxBodyBytes} bytes`;
          out.push({ name: NAME.test(part.filename) ? part.filename : unnamed(out.length), bytes });
        }
        return out;
      }
      const raw: unknown = req.body;
      const items =
        raw !== null && typeof raw === 'object' ? (raw as { items?: unknown }).items : undefined;
      if (!Array.isArray(items))
        return 'send the files as multipart parts, or JSON {"items": [{"name": "…", "text": "…"}]}';
      const out: Upload[] = [];
      for (const [i, it] of items.entries()) {
        const o = (it !== null && typeof it === 'object' ? it : {}) as {
          name?: unknown;
          text?: unknown;
        };
        if (typeof o.text !== 'string') return `items[${i}].text must be a string`;
        out.push({
          name: typeof o.name === 'string' && NAME.test(o.name) ? o.name : `item-${i + 1}`,
          bytes: Buffer.from(o.text, 'utf8'),
        });
      }
      return out;
    };

    app.post<{ Querystring: { name?: string; llm?: boolean } }>(
      '/analyses',
      {
        schema: {
          tags: ['analyses'],
          summary:
            'Analyse a log text or multipart files (several: one report, incidents across them): the report of bifrost analyze (incidents, findings with evidence, templates, summary), kept in history (Location: /api/v1/analyses/{id})',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: {
                type: 'string',
                pattern: NAME.source,
                description: 'source name shown in the report',
              },
              llm: {
                type: 'boolean',
                description:
                  'add the configured model\'s explanation (for text/plain and multipart bodies; JSON bodies may say "llm": true or {"prompt": "v1", "fresh": true})',
              },
            },
          },
          response: answers(LOG_REPORT, 413, 415),
        },
      },
      async (req, res) => {
        const name = req.query.name ?? 'upload';
        if (req.isMultipart()) {
          // every file part, analysed as one report (incidents across them): none is dropped
          const files = await uploads(req, (i) => (i === 0 ? name : `${name}-${i + 1}`)).catch(
            (err: unknown) => err as Error & { code?: string },
          );
          if (files instanceof Error) {
            if (files.code === 'FST_REQ_FILE_TOO_LARGE')
              return res.code(413).send({
                code: 413,
                message: `the file is larger than ${ctx.config.maxBodyBytes} bytes (--max-body-mb)`,
              });
            throw files;
          }
          if (typeof files === 'string')
            return res.code(413).send({ code: 413, message: `${files} (--max-body-mb)` });
          if (files.length === 0)
            return res.code(400).send({
              code: 400,
              field: 'file',
              message: 'the multipart body has no file part (send the log as field "file")',
            });
          return analyse(
            req,
            res,
            files.length === 1 ? files[0]!.name : `${files.length} files`,
            files,
            req.query.llm === true ? {} : undefined,
          );
        }
        if (Buffer.isBuffer(req.body))
          return analyse(
            req,
            res,
            name,
            [{ name, bytes: req.body }],
            req.query.llm === true ? {} : undefined,
          );
        const raw: unknown = req.body;
        const body = (raw !== null && typeof raw === 'object' ? raw : {}) as {
          text?: unknown;
          name?: unknown;
          llm?: unknown;
        };
        if (typeof body.text !== 'string')
          return res.code(400).send({
            code: 400,
            field: 'text',
            message:
              'send the log as text/plain, as JSON {"text": "…", "name": "…", "llm": true}, or as a multipart file',
          });
        const llm = llmOf(body.llm ?? (req.query.llm === true ? true : undefined));
        if (typeof llm === 'string')
          return res.code(400).send({ code: 400, field: 'llm', message: llm });
        const named = typeof body.name === 'string' && NAME.test(body.name) ? body.name : name;
        return analyse(
          req,
          res,
          named,
          [{ name: named, bytes: Buffer.from(body.text, 'utf8') }],
          llm,
        );
      },
    );

    app.post(
      '/analyses/batch',
      {
        schema: {
          tags: ['analyses'],
          summary:
            'Analyse many files as one report, in the background: 202 with the job; progress at /jobs/{id} and as SSE at /jobs/{id}/events',
          response: answersWith(202, JOB, 413, 415),
        },
      },
      async (req, res) => {
        const files = await uploads(req);
        if (typeof files === 'string')
          return res.code(files.includes('larger than') ? 413 : 400).send({
            code: files.includes('larger than') ? 413 : 400,
            field: 'items',
            message: files,
          });
        if (files.length === 0)
          return res.code(400).send({ code: 400, field: 'items', message: 'no file to analyse' });
        const tenant = req.auth.tenant;
        const job: Job = {
          id: ctx.newId(),
          tenant,
          status: 'queued',
          total: files.length,
          done: 0,
          createdMs: Date.now(),
        };
        ctx.jobs.submit(job, async (progress) => {
          const report = await analyzeSources(
            files.map((f) => counted(createBufferSource(f.name, f.bytes), progress)),
            { dateReference: dateReferenceAt(Date.now()) },
          );
          return keep(
            tenant,
            files.length === 1 ? files[0]!.name : `${files.length} files`,
            report,
          );
        });
        return res.code(202).header('location', `/api/v1/jobs/${job.id}`).send(jobView(job));
      },
    );

    app.get<{ Params: { id: string } }>(
      '/jobs/:id',
      {
        schema: {
          tags: ['analyses'],
          summary: 'A batch job: status and progress',
          response: answers(JOB, 404),
        },
      },
      (req, res) => {
        const j = ctx.jobs.get(req.auth.tenant, req.params.id);
        return j === undefined
          ? res.code(404).send({ code: 404, message: `no job ${req.params.id}` })
          : res.send(jobView(j));
      },
    );

    app.get<{ Params: { id: string } }>(
      '/jobs/:id/events',
      {
        schema: {
          tags: ['analyses'],
          summary: 'Server-Sent Events of a batch job: progress, then done or failed',
          response: answers(
            notJson(
              'events progress, then done or failed; data: the job (JSON)',
              'text/event-stream',
            ),
            404,
          ),
        },
      },
      (req, res) => {
        const j = ctx.jobs.get(req.auth.tenant, req.params.id);
        if (j === undefined)
          return res.code(404).send({ code: 404, message: `no job ${req.params.id}` });
        res.hijack();
        const out = res.raw;
        out.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        let n = 0;
        const send = (job: Job) => {
          const ended = job.status === 'done' || job.status === 'failed';
          out.write(
            `id: ${++n}\nevent: ${ended ? job.status : 'progress'}\ndata: ${JSON.stringify(jobView(job))}\n\n`,
          );
          if (ended) {
            stop();
            out.end();
          }
        };
        const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), 15_000);
        const unwatch = ctx.jobs.watch(j.id, send);
        const stop = () => {
          clearInterval(heartbeat);
          unwatch();
        };
        req.raw.on('close', stop);
        send({ ...j });
        return res;
      },
    );

    app.get<{ Querystring: { limit: number; cursor?: string } }>(
      '/analyses',
      {
        schema: {
          tags: ['analyses'],
          summary: 'Analyses kept in history, newest first (cursor pages)',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
              cursor: { type: 'string', maxLength: 512 },
            },
          },
          response: answers(ANALYSES),
        },
      },
      async (req) => {
        const page = await ctx.history.listAnalyses(req.auth.tenant, {
          limit: req.query.limit,
          ...(req.query.cursor === undefined ? {} : { cursor: req.query.cursor }),
        });
        return {
          items: page.items.map((a) => ({ ...a, created: new Date(a.createdMs).toISOString() })),
          next: page.next ?? null,
        };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/analyses/:id',
      {
        schema: {
          tags: ['analyses'],
          summary: 'One analysis from history, with its report',
          response: answers(ANALYSIS, 404),
        },
      },
      async (req, res) => {
        const a = await ctx.history.getAnalysis(req.auth.tenant, req.params.id);
        return a === undefined
          ? res.code(404).send({ code: 404, message: `no analysis ${req.params.id}` })
          : res.send({
              id: a.id,
              name: a.name,
              created: new Date(a.createdMs).toISOString(),
              report: a.report,
            });
      },
    );

    app.get<{ Params: { id: string }; Querystring: { format: 'csv' | 'json' } }>(
      '/analyses/:id/export',
      {
        schema: {
          tags: ['analyses'],
          summary:
            "An analysis's findings as CSV (the columns of bifrost analyze -o csv) or its report as JSON",
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { format: { type: 'string', enum: ['csv', 'json'], default: 'csv' } },
          },
          response: answers(
            notJson('a file (Content-Disposition: attachment)', 'text/csv', 'application/json'),
            404,
          ),
        },
      },
      async (req, res) => {
        const a = await ctx.history.getAnalysis(req.auth.tenant, req.params.id);
        if (a === undefined)
          return res.code(404).send({ code: 404, message: `no analysis ${req.params.id}` });
        const file = `bifrost-analysis-${a.id}.${req.query.format}`;
        res.header('content-disposition', `attachment; filename="${file}"`);
        return req.query.format === 'csv'
          ? res.type('text/csv; charset=utf-8').send(findingsCsv(a.report.findings))
          : res.type('application/json').send(JSON.stringify(a.report, null, 2));
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/analyses/:id',
      {
        schema: {
          tags: ['analyses'],
          summary: 'Delete an analysis from history',
          response: answersWith(204, null, 404),
        },
      },
      async (req, res) => {
        const found = await ctx.history.deleteAnalysis(req.auth.tenant, req.params.id);
        return found
          ? res.code(204).send()
          : res.code(404).send({ code: 404, message: `no analysis ${req.params.id}` });
      },
    );
  };
}
