import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for model servers: speaks Ollama (`/api/chat` streamed NDJSON or not,
 * `/api/tags`), OpenAI (`/v1/chat/completions` streamed SSE or not, `/v1/models`) and Bedrock's
 * Converse (`/model/{id}/converse`, SigV4-signed by the SDK). Each chat request takes the next
 * scripted behaviour (then `good` when the script is empty) and is recorded, so tests can see
 * exactly what reached the "model".
 */
export type Behaviour =
  | 'good' // a valid answer citing the first evidence id of the prompt
  | 'inconclusive' // a valid answer with verdict inconclusive
  | 'uncited' // valid JSON, an issue citing nothing
  | 'wrong-cite' // cites an id that was not sent
  | 'not-json' // the model's text is prose, not JSON
  | 'broken-body' // HTTP 200 whose body is not the provider's JSON
  | 'slow' // answers after 3 s
  | 'error500'
  | 'rate429'
  | 'cut-stream' // a stream that stops before it is done
  | 'huge'; // 5 MB of answer (a broken or hostile server)

export interface StandIn {
  url: string;
  script: Behaviour[];
  /** Chat requests as received: path, headers, body text. */
  requests: { path: string; headers: IncomingMessage['headers']; body: string }[];
  /** Every byte of every request body received (for "no secret reached the model"). */
  allBodies(): string;
  close(): Promise<void>;
}

export const STAND_IN_MODELS = ['llama3.1:latest', 'qwen2.5:7b'];

function idsIn(text: string): string[] {
  return [...text.matchAll(/\[([a-z]\d+)\]/g)].map((m) => m[1]!);
}

function answerFor(b: Behaviour, prompt: string): string {
  const ids = idsIn(prompt);
  const first = ids[0] ?? 'e1';
  const answer = (over: Record<string, unknown>) =>
    JSON.stringify({
      verdict: 'explained',
      summary: `The trouble starts at the service behind [${first}].`,
      probableCause: {
        service: 'svc',
        text: `The messages of [${first}] show it failing first.`,
        citations: [first],
      },
      issues: [{ text: 'Errors rise in the window.', citations: [first] }],
      suggestions: [{ text: 'Check the recent change and roll it back.', citations: [] }],
      confidence: 'medium',
      ...over,
    });
  switch (b) {
    case 'inconclusive':
      return answer({
        verdict: 'inconclusive',
        summary: 'The evidence does not single out a cause.',
        probableCause: { service: '', text: 'unclear', citations: [] },
        issues: [],
        confidence: 'low',
      });
    case 'uncited':
      return answer({ issues: [{ text: 'Something is wrong.', citations: [] }] });
    case 'wrong-cite':
      return answer({ issues: [{ text: 'Something is wrong.', citations: ['e99'] }] });
    case 'not-json':
      return 'The service is probably broken. I think you should restart it.';
    default:
      return answer({});
  }
}

/** A deterministic embedding: words hashed into 64 dimensions (texts sharing words point the same way). */
export function bagOfWords(text: string): number[] {
  const v = new Array<number>(64).fill(0);
  for (const w of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let h = 2166136261;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619) >>> 0;
    v[h % 64]! += 1;
  }
  return v;
}

function chunks(text: string, size = 16): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const json = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

export async function startLlmStandIn(options: { apiKey?: string } = {}): Promise<StandIn> {
  const script: Behaviour[] = [];
  const requests: StandIn['requests'] = [];
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      bodies.push(body);
      void handle(req, res, body).catch((e: unknown) => {
        if (!res.headersSent) json(res, 500, { error: String(e) });
        else res.destroy();
      });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && path === '/api/tags') {
      json(res, 200, { models: STAND_IN_MODELS.map((name) => ({ name, model: name, size: 1 })) });
      return;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      json(res, 200, {
        object: 'list',
        data: [
          { id: 'gpt-4o-mini', object: 'model' },
          { id: 'local-model', object: 'model' },
        ],
      });
      return;
    }
    if (req.method === 'POST' && (path === '/api/embed' || path === '/v1/embeddings')) {
      requests.push({ path, headers: req.headers, body });
      const b = JSON.parse(body) as { model?: string; input?: string[] };
      const vectors = (b.input ?? []).map(bagOfWords);
      if (b.model !== 'nomic-embed-text')
        json(res, 404, { error: `model "${b.model ?? ''}" not found, try pulling it first` });
      else if (path === '/api/embed') json(res, 200, { model: b.model, embeddings: vectors });
      else
        json(res, 200, {
          object: 'list',
          data: vectors
            .map((embedding, index) => ({ object: 'embedding', index, embedding }))
            .reverse(),
          model: b.model,
        });
      return;
    }
    const ollama = req.method === 'POST' && path === '/api/chat';
    const openai = req.method === 'POST' && path === '/v1/chat/completions';
    const bedrock = req.method === 'POST' && /^\/model\/[^/]+\/converse$/.test(path);
    if (!ollama && !openai && !bedrock) {
      json(res, 404, { error: `no route ${req.method ?? ''} ${path}` });
      return;
    }
    requests.push({ path, headers: req.headers, body });
    if (
      openai &&
      options.apiKey !== undefined &&
      req.headers.authorization !== `Bearer ${options.apiKey}`
    ) {
      json(res, 401, { error: { message: 'Incorrect API key provided' } });
      return;
    }
    if (bedrock && !(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256')) {
      json(res, 403, { message: 'Missing Authentication Token' });
      return;
    }
    let parsed: {
      model?: string;
      stream?: boolean;
      messages?: { role: string; content: unknown }[];
    };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      json(res, 400, { error: 'invalid JSON body' });
      return;
    }
    if (
      ollama &&
      !STAND_IN_MODELS.some((m) => m === parsed.model || m === `${parsed.model ?? ''}:latest`)
    ) {
      json(res, 404, { error: `model "${parsed.model ?? ''}" not found, try pulling it first` });
      return;
    }
    const behaviour = script.shift() ?? 'good';
    // the evidence is in the first user message (a retry appends the validator's message)
    const first = parsed.messages?.find((m) => m.role === 'user');
    const prompt =
      typeof first?.content === 'string' ? first.content : JSON.stringify(first?.content ?? '');
    const text = answerFor(behaviour, prompt);
    if (behaviour === 'slow') await new Promise((r) => setTimeout(r, 3000));
    if (behaviour === 'error500') {
      if (bedrock)
        json(
          res,
          500,
          { message: 'internal failure' },
          { 'x-amzn-errortype': 'InternalServerException' },
        );
      else json(res, 500, { error: 'internal failure' });
      return;
    }
    if (behaviour === 'rate429') {
      if (bedrock)
        json(
          res,
          429,
          { message: 'Too many requests' },
          { 'x-amzn-errortype': 'ThrottlingException' },
        );
      else json(res, 429, { error: { message: 'Rate limit reached' } }, { 'retry-after': '1' });
      return;
    }
    if (behaviour === 'huge') {
      const filler = 'x'.repeat(5 * 1024 * 1024);
      res.writeHead(200, {
        'content-type': parsed.stream === true ? 'application/x-ndjson' : 'application/json',
      });
      if (parsed.stream === true && ollama)
        return void res.end(`${JSON.stringify({ message: { content: filler }, done: false })}\n`);
      if (parsed.stream === true)
        return void res.end(
          `data: ${JSON.stringify({ choices: [{ delta: { content: filler } }] })}\n\n`,
        );
      return void res.end(
        JSON.stringify({
          message: { content: filler },
          choices: [{ message: { content: filler } }],
          done: true,
        }),
      );
    }
    if (behaviour === 'broken-body') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"not": "what you expect"');
    }
    const usage = { in: Math.ceil(prompt.length / 4), out: Math.ceil(text.length / 4) };
    if (bedrock) {
      json(res, 200, {
        output: { message: { role: 'assistant', content: [{ text }] } },
        stopReason: 'end_turn',
        usage: {
          inputTokens: usage.in,
          outputTokens: usage.out,
          totalTokens: usage.in + usage.out,
        },
        metrics: { latencyMs: 5 },
      });
      return;
    }
    if (parsed.stream !== true) {
      if (ollama) {
        json(res, 200, {
          model: parsed.model,
          created_at: new Date().toISOString(),
          message: { role: 'assistant', content: text },
          done: true,
          done_reason: 'stop',
          prompt_eval_count: usage.in,
          eval_count: usage.out,
        });
        return;
      }
      json(res, 200, {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        model: parsed.model,
        choices: [
          { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' },
        ],
        usage: {
          prompt_tokens: usage.in,
          completion_tokens: usage.out,
          total_tokens: usage.in + usage.out,
        },
      });
      return;
    }
    const pieces = chunks(text);
    const cut = behaviour === 'cut-stream' ? Math.ceil(pieces.length / 2) : pieces.length;
    if (ollama) {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (const p of pieces.slice(0, cut))
        res.write(
          `${JSON.stringify({ model: parsed.model, message: { role: 'assistant', content: p }, done: false })}\n`,
        );
      if (cut === pieces.length)
        res.write(
          `${JSON.stringify({ model: parsed.model, message: { role: 'assistant', content: '' }, done: true, prompt_eval_count: usage.in, eval_count: usage.out })}\n`,
        );
      return void res.end();
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const p of pieces.slice(0, cut))
      res.write(
        `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: parsed.model, choices: [{ index: 0, delta: { content: p } }] })}\n\n`,
      );
    if (cut === pieces.length) {
      res.write(
        `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: parsed.model, choices: [], usage: { prompt_tokens: usage.in, completion_tokens: usage.out } })}\n\n`,
      );
      res.write('data: [DONE]\n\n');
    }
    res.end();
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    script,
    requests,
    allBodies: () => bodies.join('\n'),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => {
          r();
        });
      }),
  };
}
