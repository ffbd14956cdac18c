import type { TemplateBucket } from '../logic/patterns.js';
import { focusEnd, incidentRcaQuery } from '../logic/range.js';
import type { WaterfallSpan } from '../logic/waterfall.js';
import type { paths } from './openapi.js';
import type {
  AnalysisSummary,
  ApiKeyView,
  CallPaths,
  Explanation,
  Extent,
  Finding,
  Graph,
  Incident,
  LogLine,
  LogReport,
  MetricName,
  MetricSeries,
  NotifierView,
  Page,
  PeerCalls,
  Rca,
  Red,
  SpanRow,
} from './types.js';

const KEY = 'bifrost.apiKey';

/** The API key the person gave (kept in this browser), sent with every call. */
export const apiKey = {
  get: (): string | null => localStorage.getItem(KEY),
  set: (k: string) => {
    localStorage.setItem(KEY, k);
  },
  clear: () => {
    localStorage.removeItem(KEY);
  },
};

/** An answer that is not 2xx: the status and the server's message (401: a key is needed). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const k = apiKey.get();
  return { ...(k === null ? {} : { authorization: `Bearer ${k}` }), ...extra };
}

/** The server's message of an error answer (its JSON `message`), else the status line. */
async function failure(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  try {
    message = ((await res.json()) as { message?: string }).message ?? message;
  } catch {
    // not JSON
  }
  return new ApiError(res.status, message);
}

async function call<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, {
    ...init,
    headers: headers(init.headers as Record<string, string> | undefined),
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

/** A path of the API as /openapi.json lists it ("/api/v1/incidents/{id}"). */
type ApiPath = keyof paths;
/** The query parameters the server declares for a GET of that path (generated from /openapi.json). */
export type QueryOf<P extends ApiPath, M extends 'get' | 'post' = 'get'> =
  paths[P] extends Record<M, { parameters: { query?: infer Q } }> ? NonNullable<Q> : never;
/** The path parameters of that path ({ id } for "/api/v1/incidents/{id}"). */
type PathParams<P extends ApiPath> = P extends `${string}{${string}}${string}`
  ? Record<PathNames<P>, string>
  : Record<string, never>;
type PathNames<P extends string> = P extends `${string}{${infer N}}${infer Rest}`
  ? N | PathNames<Rest>
  : never;

/**
 * The URL of an API path with its parameters. The path must be one /openapi.json lists, and a
 * GET's query one it declares, or the dashboard does not type-check (web/src/api/openapi.d.ts is
 * generated from the server and checked against it by test/web-api-types.test.ts).
 */
export function apiUrl<P extends ApiPath, M extends 'get' | 'post' = 'get'>(
  path: P,
  params: { path?: PathParams<P>; query?: QueryOf<P, M> } = {},
): string {
  const named = params.path as Record<string, string> | undefined;
  const filled = (path as string).replace(/\{(\w+)\}/g, (_m, name: string) =>
    encodeURIComponent(named?.[name] ?? ''),
  );
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries<string | number | boolean | undefined>(params.query ?? {}))
    if (v !== undefined) s.set(k, String(v));
  const t = s.toString();
  return t === '' ? filled : `${filled}?${t}`;
}

const post = { method: 'POST' } as const;

export const api = {
  incidents: (p: QueryOf<'/api/v1/incidents'> = {}) =>
    call<Page<Incident>>(apiUrl('/api/v1/incidents', { query: { limit: 50, ...p } })),
  incident: (id: string) => call<Incident>(apiUrl('/api/v1/incidents/{id}', { path: { id } })),
  acknowledge: (id: string) =>
    call<Incident>(apiUrl('/api/v1/incidents/{id}/acknowledge', { path: { id } }), post),
  resolve: (id: string) =>
    call<Incident>(apiUrl('/api/v1/incidents/{id}/resolve', { path: { id } }), post),
  red: (p: QueryOf<'/api/v1/red'>) => call<Red>(apiUrl('/api/v1/red', { query: p })),
  calls: (p: QueryOf<'/api/v1/calls'>) => call<CallPaths>(apiUrl('/api/v1/calls', { query: p })),
  peerCalls: (p: QueryOf<'/api/v1/peer-calls'>) =>
    call<PeerCalls>(apiUrl('/api/v1/peer-calls', { query: p })),
  metricNames: (p: QueryOf<'/api/v1/metrics'> = {}) =>
    call<{ items: MetricName[] }>(apiUrl('/api/v1/metrics', { query: p })),
  metricSeries: (p: QueryOf<'/api/v1/metrics/series'>) =>
    call<MetricSeries>(apiUrl('/api/v1/metrics/series', { query: { limit: 20, ...p } })),
  spans: (p: QueryOf<'/api/v1/spans'>) =>
    call<{ items: SpanRow[] }>(apiUrl('/api/v1/spans', { query: { limit: 100, ...p } })),
  findings: (p: QueryOf<'/api/v1/findings'> = {}) =>
    call<Page<Finding>>(apiUrl('/api/v1/findings', { query: { limit: 20, ...p } })),
  graph: (p: QueryOf<'/api/v1/graph'>) => call<Graph>(apiUrl('/api/v1/graph', { query: p })),
  rca: (p: QueryOf<'/api/v1/rca'>) => call<Rca>(apiUrl('/api/v1/rca', { query: p })),
  /** The root causes of an incident, over its own minutes (or, asked for, a wider look): incidentRcaQuery. */
  incidentRca: (
    i: Pick<Incident, 'firstSymptomMs' | 'lastSymptomMs'>,
    look: 'own' | 'wider' = 'own',
  ) => api.rca({ ...incidentRcaQuery(i, look), top: 20 }),
  /**
   * Where a view's time range ends (see focusEnd), with the newest incidents it was decided from;
   * `pinnedMs`: the end a person chose (the URL's `to`), which wins.
   */
  focus: async (
    incidentLimit: number,
    pinnedMs?: number,
  ): Promise<{ toMs: number; incidents: Incident[] }> => {
    const [extent, incidents] = await Promise.all([
      pinnedMs === undefined ? api.extent() : Promise.resolve(undefined),
      api.incidents({ limit: incidentLimit }),
    ]);
    if (extent === undefined) return { toMs: pinnedMs!, incidents: incidents.items };
    return {
      toMs: focusEnd(
        Date.now(),
        extent.to === null ? undefined : Date.parse(extent.to),
        incidents.items[0]?.lastSymptomMs,
      ),
      incidents: incidents.items,
    };
  },
  extent: () => call<Extent>(apiUrl('/api/v1/extent')),
  trace: (id: string) =>
    call<{ traceId: string; spans: WaterfallSpan[] }>(
      apiUrl('/api/v1/traces/{traceId}', { path: { traceId: id } }),
    ),
  templates: (p: QueryOf<'/api/v1/templates'>) =>
    call<{ bucketSeconds: number; items: TemplateBucket[] }>(
      apiUrl('/api/v1/templates', { query: { ...p, limit: 100_000 } }),
    ),
  logs: (p: QueryOf<'/api/v1/logs'>) =>
    call<Page<LogLine>>(apiUrl('/api/v1/logs', { query: { limit: 50, ...p } })),
  services: () =>
    call<{ items: { service: string; logs: number; spans: number; metricPoints: number }[] }>(
      apiUrl('/api/v1/services'),
    ),
  keys: () => call<{ items: ApiKeyView[] }>(apiUrl('/api/v1/keys')),
  createKey: (scope: string, name: string) =>
    call<ApiKeyView & { key: string }>(apiUrl('/api/v1/keys'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scope, name }),
    }),
  revokeKey: async (id: string): Promise<void> => {
    const res = await fetch(apiUrl('/api/v1/keys/{id}', { path: { id } }), {
      method: 'DELETE',
      headers: headers(),
    });
    if (!res.ok) throw await failure(res);
  },
  notifiers: () => call<{ items: NotifierView[]; configure: string }>(apiUrl('/api/v1/notifiers')),
  testNotifiers: () =>
    call<{ items: { name: string; ok: boolean; error?: string; ms: number }[] }>(
      apiUrl('/api/v1/notifiers/test'),
      post,
    ),
  llm: () =>
    call<{ provider: string | null; model: string | null; reachable: boolean; note?: string }>(
      apiUrl('/api/v1/llm'),
    ),
  analyses: () => call<Page<AnalysisSummary>>(apiUrl('/api/v1/analyses', { query: { limit: 50 } })),
  analysis: (id: string) =>
    call<{ id: string; name: string; created: string; report: LogReport }>(
      apiUrl('/api/v1/analyses/{id}', { path: { id } }),
    ),
  /** Analyses a log (text or a file's bytes, gzip too); the report, with the model's explanation when asked. */
  analyse: async (
    name: string,
    body: string | Blob,
    llm: boolean,
  ): Promise<{ id: string | null; report: LogReport & { explanation?: Explanation } }> => {
    const res = await fetch(
      apiUrl<'/api/v1/analyses', 'post'>('/api/v1/analyses', {
        query: { name, ...(llm ? { llm: true } : {}) },
      }),
      {
        method: 'POST',
        headers: headers({
          'content-type': typeof body === 'string' ? 'text/plain' : 'application/octet-stream',
        }),
        body,
      },
    );
    if (!res.ok) throw await failure(res);
    return {
      id: res.headers.get('x-analysis-id'),
      report: (await res.json()) as LogReport & { explanation?: Explanation },
    };
  },
  /** Sends files to be analysed together in the background (POST /analyses/batch, multipart); onUpload gets the share sent so far. */
  batch: (files: readonly File[], onUpload: (fraction: number) => void): Promise<JobView> =>
    new Promise((resolve, reject) => {
      // XMLHttpRequest, not fetch: only it reports upload progress
      const xhr = new XMLHttpRequest();
      xhr.open('POST', apiUrl('/api/v1/analyses/batch'));
      for (const [k, v] of Object.entries(headers())) xhr.setRequestHeader(k, v);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onUpload(e.loaded / e.total);
      };
      xhr.onload = () => {
        let body: { message?: string } & Partial<JobView> = {};
        try {
          body = JSON.parse(xhr.responseText) as typeof body;
        } catch {
          // not JSON
        }
        if (xhr.status === 202) resolve(body as JobView);
        else reject(new ApiError(xhr.status, body.message ?? `${xhr.status} ${xhr.statusText}`));
      };
      xhr.onerror = () => {
        reject(new ApiError(0, 'the upload failed: the server could not be reached'));
      };
      const form = new FormData();
      for (const f of files) form.append('files', f, f.name);
      xhr.send(form);
    }),
  /** A batch job's progress over SSE until it is done or failed; the last state. */
  followJob: async (job: JobView, onProgress: (j: JobView) => void): Promise<JobView> => {
    const res = await fetch(job.events, { headers: headers({ accept: 'text/event-stream' }) });
    if (!res.ok || res.body === null) throw await failure(res);
    for await (const ev of sseEvents(res.body)) {
      const state = JSON.parse(ev.data) as JobView;
      onProgress(state);
      if (ev.event === 'done' || ev.event === 'failed') return state;
    }
    return api.job(job.id);
  },
  job: (id: string) => call<JobView>(apiUrl('/api/v1/jobs/{id}', { path: { id } })),
  /** The model's explanation, streamed: onText as the answer is written, then the explanation. */
  explain: async (id: string, onText: (t: string) => void): Promise<Explanation> => {
    const res = await fetch(apiUrl('/api/v1/incidents/{id}/explain', { path: { id } }), {
      method: 'POST',
      headers: headers({ accept: 'text/event-stream', 'content-type': 'application/json' }),
      body: '{}',
    });
    if (!res.ok || res.body === null)
      throw new ApiError(res.status, `explain failed: ${res.status}`);
    let last: Explanation | undefined;
    for await (const ev of sseEvents(res.body)) {
      if (ev.event === 'text') onText((JSON.parse(ev.data) as { text: string }).text);
      if (ev.event === 'explanation') last = JSON.parse(ev.data) as Explanation;
    }
    if (last === undefined)
      throw new ApiError(502, 'the explanation stream ended without an answer');
    return last;
  },
};

/** A batch analysis job (GET /api/v1/jobs/{id}): files done of total; the analysis once done. */
export interface JobView {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  total: number;
  done: number;
  created: string;
  /** /api/v1/analyses/{id}, once done. */
  analysis?: string;
  error?: string;
  /** /api/v1/jobs/{id}/events */
  events: string;
}

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** Server-Sent Events out of a fetch body (EventSource cannot send the API key header). */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let end = buf.indexOf('\n\n');
    while (end >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      end = buf.indexOf('\n\n');
      const ev = parseSseBlock(block);
      if (ev !== undefined) yield ev;
    }
  }
}

/** One event block: `id:`, `event:`, `data:` lines (several data lines join with newlines); comments are heartbeats. */
export function parseSseBlock(block: string): SseEvent | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0 && id === undefined) return undefined;
  return { ...(id === undefined ? {} : { id }), event, data: data.join('\n') };
}

/**
 * Follows /api/v1/stream: calls onEvent for each event, reconnects with Last-Event-ID after a
 * drop (1 s, then up to 15 s), reports whether it is connected. Returns a stop function.
 */
export function followStream(
  onEvent: (e: SseEvent) => void,
  onState: (connected: boolean) => void,
): () => void {
  const state = { stopped: false };
  // read through a function: stop() changes it while the loop awaits
  const stopped = () => state.stopped;
  let lastId: string | undefined;
  let ctrl = new AbortController();
  let delay = 1000;
  const run = async () => {
    while (!stopped()) {
      try {
        ctrl = new AbortController();
        const res = await fetch(
          apiUrl('/api/v1/stream', { query: lastId === undefined ? {} : { lastEventId: lastId } }),
          { headers: headers({ accept: 'text/event-stream' }), signal: ctrl.signal },
        );
        if (!res.ok || res.body === null) throw new Error(String(res.status));
        onState(true);
        delay = 1000;
        for await (const ev of sseEvents(res.body)) {
          if (ev.id !== undefined) lastId = ev.id;
          onEvent(ev);
        }
      } catch {
        // dropped or refused: try again
      }
      onState(false);
      if (stopped()) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15_000);
    }
  };
  void run();
  return () => {
    state.stopped = true;
    ctrl.abort();
  };
}
