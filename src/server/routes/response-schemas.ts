/**
 * JSON schemas of what the API answers, for the OpenAPI document (/openapi.json, /docs) and the
 * typed client of the dashboard. The server serialises with JSON.stringify (nothing is dropped or
 * coerced); with BIFROST_CHECK_RESPONSES=1 (the end-to-end tests) every answer is checked
 * against its schema, objects closed unless a schema leaves them open, so a schema cannot drift
 * from what a route returns.
 */

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const strings = { type: 'array', items: str } as const;
const iso = { type: 'string', format: 'date-time' } as const;
const nullable = <T extends object>(s: T) => ({ anyOf: [s, { type: 'null' }] }) as const;
const obj = <P extends Record<string, object>>(properties: P, required: (keyof P & string)[] = Object.keys(properties)) => ({ type: 'object', properties, required }) as const;

/** The body of every 4xx and 5xx answer: what went wrong and, for a bad parameter, which one. */
const ERROR_BODY_SCHEMA = {
  $id: 'ErrorBody',
  type: 'object',
  description: 'code: the HTTP status; error: a stable name (INPUT.BAD_OPTION, FST_ERR_VALIDATION…); message: what happened and what to do; field: the parameter at fault',
  properties: { statusCode: int, code: int, error: str, message: str, field: str, where: { type: 'object', additionalProperties: true } },
  required: ['code', 'message'],
  additionalProperties: true,
} as const;
const ERROR_BODY = { $ref: 'ErrorBody#' } as const;

/** The 200 answer and the errors every route may give (bad input, API keys, rate limit, store down), and 404 where asked. */
export function answers(ok: object, ...errors: 404[]): Record<number, object> {
  const out: Record<number, object> = { 200: ok, 400: ERROR_BODY, 401: ERROR_BODY, 403: ERROR_BODY, 429: ERROR_BODY, 500: ERROR_BODY, 503: ERROR_BODY };
  for (const e of errors) out[e] = ERROR_BODY;
  return out;
}

const RESOURCE = { type: 'object', properties: { service: str, namespace: str, pod: str, container: str, node: str, host: str } } as const;

const FINDING_SCHEMA = {
  $id: 'Finding',
  ...obj(
    {
      id: str,
      kind: { type: 'string', enum: ['metric-anomaly', 'error-burst', 'new-template', 'rare-template', 'latency-shift', 'call-delay', 'calls-unanswered', 'service-silent', 'error-rate', 'change'] },
      timeMs: num,
      time: iso,
      score: num,
      reason: str,
      subject: obj({ metric: str, labels: str, resource: RESOURCE }),
      detail: str,
      evidence: { type: 'array', items: obj({ timeMs: num, value: num }) },
    },
    ['id', 'kind', 'timeMs', 'score', 'reason', 'subject', 'detail', 'evidence'],
  ),
} as const;

const CAUSE = obj({ service: str, score: num, reasons: strings });
const TIMELINE_EVENT = obj({ timeMs: num, kind: { type: 'string', enum: ['first-symptom', 'detected', 'symptom', 'change', 'acknowledged', 'resolved', 'reopened'] }, text: str, service: str }, ['timeMs', 'kind', 'text']);

const INCIDENT_SCHEMA = {
  $id: 'Incident',
  ...obj(
  {
    id: str,
    status: { type: 'string', enum: ['open', 'acknowledged', 'resolved'] },
    title: str,
    firstSymptomMs: num,
    firstSymptom: iso,
    detectedMs: num,
    detected: iso,
    lastSymptomMs: num,
    lastSymptom: iso,
    resolvedMs: num,
    resolved: iso,
    resolvedBy: { type: 'string', enum: ['detector', 'person'] },
    acknowledgedMs: num,
    acknowledged: iso,
    peakScore: num,
    services: strings,
    causes: { type: 'array', items: CAUSE },
    timeline: { type: 'array', items: TIMELINE_EVENT },
    mttdMs: num,
    mttrMs: num,
  },
  ['id', 'status', 'title', 'firstSymptomMs', 'firstSymptom', 'detectedMs', 'detected', 'lastSymptomMs', 'lastSymptom', 'peakScore', 'services', 'causes', 'timeline', 'mttdMs'],
  ),
} as const;
export const INCIDENT = { $ref: 'Incident#' } as const;
const FINDING = { $ref: 'Finding#' } as const;

export const INCIDENT_PAGE = obj({ items: { type: 'array', items: INCIDENT }, next: nullable(str) });
export const FINDING_PAGE = obj({ items: { type: 'array', items: FINDING }, next: nullable(str) });
export const TIMELINE = obj({ id: str, timeline: { type: 'array', items: { ...TIMELINE_EVENT, properties: { ...TIMELINE_EVENT.properties, time: iso }, required: [...TIMELINE_EVENT.required, 'time'] } } });

const EDGE = obj({ caller: str, callee: str, calls: int, errors: int, p90Ms: num });
export const INCIDENT_GRAPH = obj({ id: str, nodes: { type: 'array', items: obj({ service: str, abnormal: { type: 'boolean' }, causeScore: nullable(num) }) }, edges: { type: 'array', items: EDGE } });

/** One piece of evidence: `ref.type` says which kind (template, latency, span-errors, calls, silence, unanswered, finding, change) and its fields. */
const EVIDENCE_SCHEMA = {
  $id: 'Evidence',
  ...obj(
  {
    id: str,
    signal: { type: 'string', enum: ['log', 'flow', 'latency', 'errors', 'network', 'unanswered', 'silent', 'metric', 'change', 'named'] },
    score: num,
    reason: str,
    ref: { type: 'object', properties: { type: { type: 'string', enum: ['template', 'latency', 'span-errors', 'calls', 'silence', 'unanswered', 'finding', 'change'] } }, required: ['type'], additionalProperties: true, description: "the signal's figures; fields depend on type" },
    onsetMs: num,
    untilMs: num,
    examples: { type: 'array', items: obj({ logId: str, timeMs: num, body: str, traceId: str }) },
    spans: { type: 'array', items: obj({ traceId: str, spanId: str, operation: str, startMs: num, durationMs: num, statusCode: int }) },
  },
  ['id', 'signal', 'score', 'reason', 'ref'],
  ),
} as const;
const EVIDENCE = { $ref: 'Evidence#' } as const;

const RANGE = obj({ from: iso, to: iso });
export const RCA = obj({
  at: iso,
  window: RANGE,
  reference: RANGE,
  candidates: { type: 'array', items: obj({ service: str, score: num, reasons: strings, explains: strings, explainedBy: strings, evidence: { type: 'array', items: EVIDENCE } }) },
  notes: strings,
});

export const SCAN = obj({ items: { type: 'array', items: INCIDENT }, changes: { type: 'array', items: obj({ type: str, id: str }) }, findings: int });

export const MTTR = obj({ from: iso, to: iso, services: { type: 'array', items: obj({ service: str, incidents: int, mttdMs: nullable(num), mttrMs: nullable(num), resolved: int }) } });

export const EXTENT = obj({ from: nullable(iso), to: nullable(iso) });

const SHIFT = nullable(obj({ p90Ratio: nullable(num), errorRatioChange: num, before: obj({ count: int, p90Ms: num }) }));
export const SERVICE_GRAPH = obj({
  from: iso,
  to: iso,
  services: { type: 'array', items: obj({ service: str, spans: int, requests: int, failedRequests: int, ratePerMin: num, errorRatio: num, p50Ms: num, p90Ms: num, shift: SHIFT }) },
  edges: { type: 'array', items: obj({ ...EDGE.properties, unanswered: int, unansweredFailed: int, external: { type: 'boolean' }, shift: SHIFT }, [...EDGE.required, 'unanswered', 'unansweredFailed', 'shift']) },
});

export const SERVICES = obj({ items: { type: 'array', items: obj({ service: str, logs: int, spans: int, metricPoints: int }) } });

/** The schemas answers share (by $ref), added to the server once: named models in /openapi.json. */
export const SHARED_SCHEMAS: readonly object[] = [ERROR_BODY_SCHEMA, FINDING_SCHEMA, INCIDENT_SCHEMA, EVIDENCE_SCHEMA];
