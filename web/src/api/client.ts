import type { TemplateBucket } from '../logic/patterns.js';
import { focusEnd } from '../logic/range.js';
import type { WaterfallSpan } from '../logic/waterfall.js';
import type { AnalysisSummary, ApiKeyView, Explanation, Extent, Finding, Graph, Incident, LogLine, LogReport, MetricName, MetricSeries, NotifierView, Page, Rca, Red, SpanRow } from './types.js';

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

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`/api/v1${path}`, { ...init, headers: headers(init.headers as Record<string, string> | undefined) });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

const q = (params: Record<string, string | number | undefined>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) s.set(k, String(v));
  const t = s.toString();
  return t === '' ? '' : `?${t}`;
};

export const api = {
  incidents: (p: { status?: string; limit?: number } = {}) => call<Page<Incident>>(`/incidents${q({ limit: 50, ...p })}`),
  incident: (id: string) => call<Incident>(`/incidents/${encodeURIComponent(id)}`),
  acknowledge: (id: string) => call<Incident>(`/incidents/${encodeURIComponent(id)}/acknowledge`, { method: 'POST' }),
  resolve: (id: string) => call<Incident>(`/incidents/${encodeURIComponent(id)}/resolve`, { method: 'POST' }),
  red: (p: { service?: string; from: string; to: string; step: number; per?: 'operation' | 'service' }) => call<Red>(`/red${q(p)}`),
  metricNames: (p: { service?: string; from?: string; to?: string } = {}) => call<{ items: MetricName[] }>(`/metrics${q(p)}`),
  metricSeries: (p: { name: string; service?: string; from: string; to: string; step: number; agg?: string; limit?: number }) => call<MetricSeries>(`/metrics/series${q({ limit: 20, ...p })}`),
  spans: (p: { service?: string; operation?: string; from: string; to: string; minDuration?: number; status?: 'any' | 'error'; order?: 'start' | 'duration'; limit?: number }) => call<{ items: SpanRow[] }>(`/spans${q({ limit: 100, ...p })}`),
  findings: (p: { from?: string; to?: string; kind?: string; limit?: number } = {}) => call<Page<Finding>>(`/findings${q({ limit: 20, ...p })}`),
  graph: (p: { from?: string; to?: string }) => call<Graph>(`/graph${q(p)}`),
  rca: (p: { at: string; window?: string }) => call<Rca>(`/rca${q(p)}`),
  /** The root causes of an incident: from its first symptom over its span plus 5 minutes (10 to 60 minutes). */
  incidentRca: (i: Pick<Incident, 'firstSymptomMs' | 'lastSymptomMs'>) => call<Rca>(`/rca${q({ at: new Date(i.firstSymptomMs).toISOString(), window: `${Math.min(60, Math.max(10, Math.ceil((i.lastSymptomMs - i.firstSymptomMs + 300_000) / 60_000)))}m` })}`),
  /** Where a view's time range ends (see focusEnd), with the newest incidents it was decided from. */
  focus: async (incidentLimit: number): Promise<{ toMs: number; incidents: Incident[] }> => {
    const [extent, incidents] = await Promise.all([api.extent(), api.incidents({ limit: incidentLimit })]);
    return { toMs: focusEnd(Date.now(), extent.to === null ? undefined : Date.parse(extent.to), incidents.items[0]?.lastSymptomMs), incidents: incidents.items };
  },
  extent: () => call<Extent>('/extent'),
  trace: (id: string) => call<{ traceId: string; spans: WaterfallSpan[] }>(`/traces/${encodeURIComponent(id)}`),
  templates: (p: { from: string; to: string; bucket: number; service?: string }) => call<{ bucketSeconds: number; items: TemplateBucket[] }>(`/templates${q({ ...p, limit: 100_000 })}`),
  logs: (p: { template?: string; from?: string; to?: string; q?: string; limit?: number }) => call<Page<LogLine>>(`/logs${q({ limit: 50, ...p })}`),
  services: () => call<{ items: { service: string; logs: number; spans: number; metricPoints: number }[] }>('/services'),
  keys: () => call<{ items: ApiKeyView[] }>('/keys'),
  createKey: (scope: string, name: string) => call<ApiKeyView & { key: string }>('/keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scope, name }) }),
  revokeKey: async (id: string): Promise<void> => {
    const res = await fetch(`/api/v1/keys/${encodeURIComponent(id)}`, { method: 'DELETE', headers: headers() });
    if (!res.ok) throw await failure(res);
  },
  notifiers: () => call<{ items: NotifierView[]; configure: string }>('/notifiers'),
  testNotifiers: () => call<{ items: { name: string; ok: boolean; error?: string; ms: number }[] }>('/notifiers/test', { method: 'POST' }),
  llm: () => call<{ provider: string | null; model: string | null; reachable: boolean; note?: string }>('/llm'),
  analyses: () => call<Page<AnalysisSummary>>('/analyses?limit=50'),
  analysis: (id: string) => call<{ id: string; name: string; created: string; report: LogReport }>(`/analyses/${encodeURIComponent(id)}`),
  /** Analyses a log (text or a file's bytes, gzip too); the report, with the model's explanation when asked. */
  analyse: async (name: string, body: string | Blob, llm: boolean): Promise<{ id: string | null; report: LogReport & { explanation?: Explanation } }> => {
    const res = await fetch(`/api/v1/analyses${q({ name, ...(llm ? { llm: 'true' } : {}) })}`, { method: 'POST', headers: headers({ 'content-type': typeof body === 'string' ? 'text/plain' : 'application/octet-stream' }), body });
    if (!res.ok) throw await failure(res);
    return { id: res.headers.get('x-analysis-id'), report: (await res.json()) as LogReport & { explanation?: Explanation } };
  },
  /** Sends files to be analysed together in the background (POST /analyses/batch, multipart); onUpload gets the share sent so far. */
  batch: (files: readonly File[], onUpload: (fraction: number) => void): Promise<JobView> =>
    new Promise((resolve, reject) => {
      // XMLHttpRequest, not fetch: only it reports upload progress
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/v1/analyses/batch');
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
  job: (id: string) => call<JobView>(`/jobs/${encodeURIComponent(id)}`),
  /** The model's explanation, streamed: onText as the answer is written, then the explanation. */
  explain: async (id: string, onText: (t: string) => void): Promise<Explanation> => {
    const res = await fetch(`/api/v1/incidents/${encodeURIComponent(id)}/explain`, { method: 'POST', headers: headers({ accept: 'text/event-stream', 'content-type': 'application/json' }), body: '{}' });
    if (!res.ok || res.body === null) throw new ApiError(res.status, `explain failed: ${res.status}`);
    let last: Explanation | undefined;
    for await (const ev of sseEvents(res.body)) {
      if (ev.event === 'text') onText((JSON.parse(ev.data) as { text: string }).text);
      if (ev.event === 'explanation') last = JSON.parse(ev.data) as Explanation;
    }
    if (last === undefined) throw new ApiError(502, 'the explanation stream ended without an answer');
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
export function followStream(onEvent: (e: SseEvent) => void, onState: (connected: boolean) => void): () => void {
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
        const res = await fetch(`/api/v1/stream${lastId === undefined ? '' : `?lastEventId=${lastId}`}`, { headers: headers({ accept: 'text/event-stream' }), signal: ctrl.signal });
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
