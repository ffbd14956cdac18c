/**
 * JSON schemas of what the API answers, for the OpenAPI document (/openapi.json, /docs) and the
 * typed client of the dashboard. The server serialises with JSON.stringify (nothing is dropped or
 * coerced); with BIFROST_CHECK_RESPONSES=1 (the end-to-end tests) every answer is checked
 * against its schema, objects closed unless a schema leaves them open, so a schema cannot drift
 * from what a route returns.
 */

import { KEY_SCOPES } from '../../core/domain/api-key.js';
import { FINDING_KINDS } from '../../core/domain/finding.js';
import { INCIDENT_STATUSES } from '../../core/domain/incident.js';

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const strings = { type: 'array', items: str } as const;
const iso = { type: 'string', format: 'date-time' } as const;
const nullable = <T extends object>(s: T) => ({ anyOf: [s, { type: 'null' }] }) as const;
const obj = <P extends Record<string, object>>(
  properties: P,
  required: (keyof P & string)[] = Object.keys(properties),
) => ({ type: 'object', properties, required }) as const;

const shared: object[] = [];
/** A schema answers share: a named model (components/schemas/<id> in /openapi.json), referred to by $ref. */
function named(id: string, schema: object): { $ref: string } {
  shared.push({ $id: id, ...schema });
  return { $ref: `${id}#` };
}

/** The body of every 4xx and 5xx answer: what went wrong and, for a bad parameter, which one. */
const ERROR_BODY = named('ErrorBody', {
  type: 'object',
  description:
    'code: the HTTP status; error: a stable name (INPUT.BAD_OPTION, FST_ERR_VALIDATION…); message: what happened and what to do; field: the parameter at fault',
  properties: {
    statusCode: int,
    code: int,
    error: str,
    message: str,
    field: str,
    where: { type: 'object', additionalProperties: true },
  },
  required: ['code', 'message'],
  additionalProperties: true,
});

/** The 200 answer and the errors every route may give (bad input, API keys, rate limit, store down), and the others named (404, 413…). */
export function answers(ok: object, ...errors: number[]): Record<number, object> {
  return answersWith(200, ok, ...errors);
}

/** As answers, for a route whose success is another status (201 created, 202 accepted, 204 no body: `ok` null). */
export function answersWith(
  status: number,
  ok: object | null,
  ...errors: number[]
): Record<number, object> {
  const out: Record<number, object> = {
    [status]: ok ?? { type: 'null', description: 'no body' },
    400: ERROR_BODY,
    401: ERROR_BODY,
    403: ERROR_BODY,
    429: ERROR_BODY,
    500: ERROR_BODY,
    503: ERROR_BODY,
  };
  for (const e of errors) out[e] = ERROR_BODY;
  return out;
}

const RESOURCE = {
  type: 'object',
  properties: { service: str, namespace: str, pod: str, container: str, node: str, host: str },
} as const;

const FINDING = named(
  'Finding',
  obj(
    {
      id: str,
      kind: { type: 'string', enum: FINDING_KINDS },
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
);

const CAUSE = obj({ service: str, score: num, reasons: strings });
const TIMELINE_EVENT = obj(
  {
    timeMs: num,
    kind: {
      type: 'string',
      enum: [
        'first-symptom',
        'detected',
        'symptom',
        'change',
        'acknowledged',
        'resolved',
        'reopened',
      ],
    },
    text: str,
    service: str,
  },
  ['timeMs', 'kind', 'text'],
);

export const INCIDENT = named(
  'Incident',
  obj(
    {
      id: str,
      status: { type: 'string', enum: INCIDENT_STATUSES },
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
    [
      'id',
      'status',
      'title',
      'firstSymptomMs',
      'firstSymptom',
      'detectedMs',
      'detected',
      'lastSymptomMs',
      'lastSymptom',
      'peakScore',
      'services',
      'causes',
      'timeline',
      'mttdMs',
    ],
  ),
);

export const INCIDENT_PAGE = obj({
  items: { type: 'array', items: INCIDENT },
  next: nullable(str),
});
export const FINDING_PAGE = obj({ items: { type: 'array', items: FINDING }, next: nullable(str) });
export const TIMELINE = obj({
  id: str,
  timeline: {
    type: 'array',
    items: {
      ...TIMELINE_EVENT,
      properties: { ...TIMELINE_EVENT.properties, time: iso },
      required: [...TIMELINE_EVENT.required, 'time'],
    },
  },
});

const EDGE = obj({ caller: str, callee: str, calls: int, errors: int, p90Ms: num });
export const INCIDENT_GRAPH = obj({
  id: str,
  nodes: {
    type: 'array',
    items: obj({ service: str, abnormal: { type: 'boolean' }, causeScore: nullable(num) }),
  },
  edges: { type: 'array', items: EDGE },
});

/** One piece of evidence: `ref.type` says which kind (template, latency, span-errors, calls, silence, unanswered, finding, change) and its fields. */
const EVIDENCE = named(
  'Evidence',
  obj(
    {
      id: str,
      signal: {
        type: 'string',
        enum: [
          'log',
          'flow',
          'latency',
          'errors',
          'network',
          'unanswered',
          'silent',
          'metric',
          'change',
          'named',
        ],
      },
      score: num,
      reason: str,
      ref: {
        type: 'object',
        properties: {
          type: {
            type: 'string',
            enum: [
              'template',
              'latency',
              'span-errors',
              'calls',
              'silence',
              'unanswered',
              'finding',
              'metric-shift',
              'stopped-calls',
              'change',
            ],
          },
        },
        required: ['type'],
        additionalProperties: true,
        description: "the signal's figures; fields depend on type",
      },
      onsetMs: num,
      untilMs: num,
      examples: { type: 'array', items: obj({ logId: str, timeMs: num, body: str, traceId: str }) },
      spans: {
        type: 'array',
        items: obj({
          traceId: str,
          spanId: str,
          operation: str,
          startMs: num,
          durationMs: num,
          statusCode: int,
        }),
      },
    },
    ['id', 'signal', 'score', 'reason', 'ref'],
  ),
);

const RANGE = obj({ from: iso, to: iso });
export const RCA = obj({
  at: iso,
  window: RANGE,
  reference: RANGE,
  candidates: {
    type: 'array',
    items: obj({
      service: str,
      score: num,
      reasons: strings,
      explains: strings,
      explainedBy: strings,
      evidence: { type: 'array', items: EVIDENCE },
    }),
  },
  notes: strings,
});

export const SCAN = obj({
  items: { type: 'array', items: INCIDENT },
  changes: { type: 'array', items: obj({ type: str, id: str }) },
  findings: int,
});

export const MTTR = obj({
  from: iso,
  to: iso,
  services: {
    type: 'array',
    items: obj({
      service: str,
      incidents: int,
      mttdMs: nullable(num),
      mttrMs: nullable(num),
      resolved: int,
    }),
  },
});

export const EXTENT = obj({ from: nullable(iso), to: nullable(iso) });

const SHIFT = nullable(
  obj({ p90Ratio: nullable(num), errorRatioChange: num, before: obj({ count: int, p90Ms: num }) }),
);
export const SERVICE_GRAPH = obj({
  from: iso,
  to: iso,
  services: {
    type: 'array',
    items: obj({
      service: str,
      spans: int,
      requests: int,
      failedRequests: int,
      ratePerMin: num,
      errorRatio: num,
      p50Ms: num,
      p90Ms: num,
      shift: SHIFT,
    }),
  },
  edges: {
    type: 'array',
    items: obj(
      {
        ...EDGE.properties,
        unanswered: int,
        unansweredFailed: int,
        external: { type: 'boolean' },
        shift: SHIFT,
      },
      [...EDGE.required, 'unanswered', 'unansweredFailed', 'shift'],
    ),
  },
});

export const SERVICES = obj({
  items: { type: 'array', items: obj({ service: str, logs: int, spans: int, metricPoints: int }) },
});

const SPAN_VIEW = obj({
  traceId: str,
  spanId: str,
  parentSpanId: str,
  name: str,
  kind: int,
  startMs: num,
  endMs: num,
  statusCode: int,
  statusMessage: str,
  resource: RESOURCE,
  attributes: { type: 'string', description: 'JSON object' },
  durationMs: num,
  start: iso,
});
const METRIC_POINT = obj(
  {
    timeMs: num,
    time: iso,
    name: str,
    kind: { type: 'string', enum: ['gauge', 'sum', 'histogram'] },
    value: num,
    labels: { type: 'string', description: 'JSON object' },
    resource: RESOURCE,
    count: num,
    sum: num,
    cumulative: { type: 'boolean' },
  },
  ['timeMs', 'time', 'name', 'kind', 'value', 'labels', 'resource'],
);
export const METRIC_POINTS = obj({ items: { type: 'array', items: METRIC_POINT } });
export const METRIC_SERIES = obj({
  name: str,
  step: int,
  agg: { type: 'string', enum: ['avg', 'min', 'max', 'sum', 'count'] },
  series: {
    type: 'array',
    items: obj({
      labels: str,
      resource: RESOURCE,
      points: { type: 'array', items: obj({ bucketMs: num, time: iso, value: num, count: int }) },
    }),
  },
});
export const METRIC_NAMES = obj({
  items: {
    type: 'array',
    items: obj({
      name: str,
      series: int,
      points: int,
      firstMs: num,
      lastMs: num,
      first: iso,
      last: iso,
    }),
  },
});
const LOG = obj({
  id: str,
  timeMs: num,
  time: iso,
  severity: {
    type: 'integer',
    description: 'OpenTelemetry severity number (0: none, 9 INFO, 13 WARN, 17 ERROR, 21 FATAL)',
  },
  severityText: str,
  body: str,
  resource: RESOURCE,
  attributes: { type: 'string', description: 'JSON object' },
  traceId: str,
  spanId: str,
  templateId: str,
  template: str,
  params: strings,
});
export const LOG_PAGE = obj({ items: { type: 'array', items: LOG }, next: nullable(str) });
export const TEMPLATE_COUNTS = obj({
  bucketSeconds: int,
  items: {
    type: 'array',
    items: obj({
      templateId: str,
      template: str,
      bucketMs: num,
      bucket: iso,
      count: int,
      errors: int,
    }),
  },
});
export const TRACE = obj({ traceId: str, spans: { type: 'array', items: SPAN_VIEW } });
export const SPANS = obj({ items: { type: 'array', items: SPAN_VIEW } });

const SERIES_HEAD = { from: iso, to: iso, step: int } as const;
export const CALLS = obj({
  ...SERIES_HEAD,
  paths: {
    type: 'array',
    items: obj({
      caller: str,
      callee: str,
      points: { type: 'array', items: obj({ time: iso, calls: int, errors: int, gapMs: num }) },
    }),
  },
});
export const PEER_CALLS = obj({
  ...SERIES_HEAD,
  service: str,
  callers: {
    type: 'array',
    items: obj({
      caller: str,
      peer: str,
      points: { type: 'array', items: obj({ time: iso, calls: int, answered: int, failed: int }) },
    }),
  },
});
export const RED = obj({
  ...SERIES_HEAD,
  operations: {
    type: 'array',
    items: obj({
      service: str,
      operation: str,
      points: {
        type: 'array',
        items: obj({
          time: iso,
          spans: int,
          errors: int,
          requests: int,
          failedRequests: int,
          ownFailedRequests: int,
          p50Ms: num,
          p90Ms: num,
        }),
      },
    }),
  },
});

const CITED = obj({ text: str, citations: strings });
const COUNTS = { type: 'object', additionalProperties: { type: 'number' } } as const;
/** A model's explanation of an incident or an analysis (or why there is none: status unavailable, note). */
const EXPLANATION_FIELDS = obj(
  {
    status: { type: 'string', enum: ['explained', 'inconclusive', 'unavailable'] },
    answer: obj({
      verdict: { type: 'string', enum: ['explained', 'inconclusive'] },
      summary: str,
      probableCause: obj({ ...CITED.properties, service: str }),
      issues: { type: 'array', items: CITED },
      suggestions: { type: 'array', items: CITED },
      confidence: { type: 'string', enum: ['low', 'medium', 'high'] },
    }),
    note: str,
    provider: { type: 'string', enum: ['ollama', 'openai', 'bedrock'] },
    model: str,
    prompt: { type: 'string', description: 'kind@version of the prompt, e.g. incident@v2' },
    cached: { type: 'boolean' },
    attempts: int,
    durationMs: num,
    usage: obj({ inputTokens: int, outputTokens: int }),
    context: obj({
      chars: int,
      tokensEstimate: int,
      included: COUNTS,
      omitted: COUNTS,
      redacted: COUNTS,
    }),
    createdMs: num,
  },
  ['status', 'prompt', 'cached', 'attempts', 'durationMs', 'usage', 'context', 'createdMs'],
);
const EXPLANATION = named('Explanation', EXPLANATION_FIELDS);
/** An open note: no model configured, or this one's answer when an analysis found nothing to explain. */
const NO_EXPLANATION = obj({ status: { type: 'string', enum: ['unavailable'] }, note: str });

export const EXPLAINED = obj({ incident: str, explanation: EXPLANATION, compare: EXPLANATION }, [
  'incident',
  'explanation',
]);
export const EXPLANATIONS = obj({
  items: {
    type: 'array',
    items: {
      type: 'object',
      properties: { id: str, created: iso, ...EXPLANATION_FIELDS.properties },
      required: ['id', 'created', ...EXPLANATION_FIELDS.required],
    },
  },
});
export const LLM = obj(
  {
    provider: nullable({ type: 'string', enum: ['ollama', 'openai', 'bedrock'] }),
    model: nullable(str),
    reachable: { type: 'boolean' },
    models: strings,
    modelAvailable: { type: 'boolean' },
    note: str,
  },
  ['provider', 'model', 'reachable'],
);

/** The report of `bifrost analyze --output json`: its parts are open here (their fields are the CLI's). */
export const LOG_REPORT = named(
  'LogReport',
  obj(
    {
      engineVersion: str,
      summary: {
        type: 'object',
        additionalProperties: true,
        description:
          'lines, records, sources (each with its format and any problem), time span, levels',
      },
      findings: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: true,
          description: 'kind, severity, score, reason, template, evidence',
        },
      },
      templates: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: true,
          description: 'template id and text, count, levels',
        },
      },
      incidents: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: true,
          description: 'incidents across the sources with their probable causes',
        },
      },
      explanation: { anyOf: [EXPLANATION, NO_EXPLANATION] },
    },
    ['engineVersion', 'summary', 'findings', 'templates'],
  ),
);
export const ANALYSIS = obj({ id: str, name: str, created: iso, report: LOG_REPORT });
export const ANALYSES = obj({
  items: {
    type: 'array',
    items: obj({ id: str, createdMs: num, created: iso, name: str, lines: int, findings: int }),
  },
  next: nullable(str),
});
export const JOB = obj(
  {
    id: str,
    status: { type: 'string', enum: ['queued', 'running', 'done', 'failed'] },
    total: int,
    done: int,
    created: iso,
    analysis: { type: 'string', description: 'the analysis, once done' },
    error: str,
    events: { type: 'string', description: 'Server-Sent Events of its progress' },
  },
  ['id', 'status', 'total', 'done', 'created', 'events'],
);

const KEY = obj({
  id: str,
  tenant: str,
  scope: { type: 'string', enum: KEY_SCOPES },
  name: str,
  created: iso,
});
export const KEY_CREATED = obj({
  ...KEY.properties,
  key: { type: 'string', description: 'the secret, shown only in this answer' },
  note: str,
});
const KEY_ORIGIN = obj({
  via: { type: 'string', enum: ['cli', 'api', 'enrolment'] },
  token: nullable(str),
  address: nullable(str),
});
export const KEYS = obj({
  items: {
    type: 'array',
    items: obj({
      ...KEY.properties,
      revoked: nullable(iso),
      origin: {
        ...nullable(KEY_ORIGIN),
        description: 'how it was issued (null: made by hand before this was recorded)',
      },
    }),
  },
});
const ENROL_TOKEN = obj({
  id: str,
  tenant: str,
  scope: { type: 'string', enum: KEY_SCOPES },
  name: str,
  created: iso,
  expires: iso,
  used: nullable(iso),
  key: { ...nullable(str), description: 'the id of the key it issued' },
  state: { type: 'string', enum: ['open', 'used', 'expired'] },
});
export const ENROL_TOKEN_CREATED = obj({
  ...ENROL_TOKEN.properties,
  token: { type: 'string', description: 'the token, shown only in this answer' },
  note: str,
});
export const ENROL_TOKENS = obj({ items: { type: 'array', items: ENROL_TOKEN } });
export const ENROL_REPLY = obj({
  v: int,
  session: str,
  x25519: str,
  mlkem: { type: 'string', description: 'ML-KEM-768 ciphertext to the host, base64url' },
  iv: str,
  sealed: { type: 'string', description: 'the key, AES-256-GCM under the shared secret' },
});
export const ENROL_CONFIRMED = obj({
  id: str,
  tenant: str,
  scope: { type: 'string', enum: KEY_SCOPES },
});
export const NOTIFIERS = obj({
  items: {
    type: 'array',
    items: obj({
      kind: str,
      name: { type: 'string', description: 'the destination, its secret part hidden' },
      sent: int,
      failed: int,
      lastSent: nullable(iso),
      lastFailure: nullable(obj({ time: nullable(iso), message: str })),
    }),
  },
  configure: str,
});
export const NOTIFIER_TESTS = obj({
  items: {
    type: 'array',
    items: obj({ name: str, ok: { type: 'boolean' }, error: str, ms: num }, ['name', 'ok', 'ms']),
  },
});

/** OTLP's Export*ServiceResponse: empty when all was accepted, else how many were rejected and why (in protobuf for protobuf requests). */
export function otlpAnswer(
  counter: 'rejectedDataPoints' | 'rejectedLogRecords' | 'rejectedSpans',
): object {
  return {
    ...obj(
      {
        partialSuccess: obj({
          [counter]: { type: 'string', description: 'int64 as a string (OTLP/JSON)' },
          errorMessage: str,
        }),
      },
      [],
    ),
    description:
      'application/json for a JSON request; the same message as application/x-protobuf for a protobuf one',
  };
}

export const HEALTH = obj({ status: { type: 'string', enum: ['ok'] } });
export const READY = obj(
  { status: { type: 'string', enum: ['ready', 'not ready'] }, problems: strings },
  ['status'],
);

/** An answer that is not JSON: a stream of Server-Sent Events, a file. */
export function notJson(description: string, ...contentTypes: string[]): object {
  return {
    description,
    content: Object.fromEntries(contentTypes.map((t) => [t, { schema: { type: 'string' } }])),
  };
}

/** The schemas answers share (by $ref), added to the server once: named models in /openapi.json. */
export const SHARED_SCHEMAS: readonly object[] = shared;
