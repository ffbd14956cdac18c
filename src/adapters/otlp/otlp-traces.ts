import { canonicalLabels } from '../../core/domain/metric-point.js';
import { SPAN_STATUS } from '../../core/domain/span.js';
import type { Span } from '../../core/domain/span.js';
import {
  Rejections,
  base64ToHex,
  decodeJsonBody,
  decodeProtobufBody,
  hexId,
} from './otlp-common.js';
import type { Decoded } from './otlp-common.js';
import { attributes, isObj, list, mapResource, toMs } from './otlp-common.js';

/** OTLP traces (ExportTraceServiceRequest), protobuf or JSON → Spans; same approach as metrics. */

export type TracesDecode = Decoded<Span>;

export function mapTracesRequest(req: unknown): TracesDecode {
  if (!isObj(req)) return { ok: false, message: 'expected a JSON object with "resourceSpans"' };
  if (req.resourceSpans !== undefined && !Array.isArray(req.resourceSpans))
    return { ok: false, message: '"resourceSpans" must be an array' };
  const spans: Span[] = [];
  const rejections = new Rejections();
  for (const rs of list(req.resourceSpans)) {
    if (!isObj(rs)) continue;
    const resource = mapResource(isObj(rs.resource) ? attributes(rs.resource.attributes) : {});
    for (const ss of list(rs.scopeSpans)) {
      if (!isObj(ss)) continue;
      for (const sp of list(ss.spans)) {
        if (!isObj(sp)) {
          rejections.add('a span is not an object');
          continue;
        }
        const traceId = hexId(sp.traceId, 16);
        const spanId = hexId(sp.spanId, 8);
        if (traceId === undefined || spanId === undefined) {
          rejections.add('span without a valid traceId (16 bytes) and spanId (8 bytes)');
          continue;
        }
        const startMs = toMs(sp.startTimeUnixNano);
        const endMs = toMs(sp.endTimeUnixNano);
        if (!(startMs > 0) || !(endMs >= startMs)) {
          rejections.add('span without valid startTimeUnixNano ≤ endTimeUnixNano');
          continue;
        }
        const kind = spanKind(sp.kind);
        if (kind === undefined) {
          rejections.add('span kind must be 0 to 5 (SpanKind)');
          continue;
        }
        const status = isObj(sp.status) ? sp.status : {};
        const code = Number(status.code ?? 0);
        spans.push({
          traceId,
          spanId,
          parentSpanId: hexId(sp.parentSpanId, 8) ?? '',
          name: typeof sp.name === 'string' ? sp.name : '',
          kind,
          startMs,
          endMs,
          statusCode:
            code === SPAN_STATUS.OK || code === SPAN_STATUS.ERROR ? code : SPAN_STATUS.UNSET,
          statusMessage: typeof status.message === 'string' ? status.message : '',
          resource,
          attributes: canonicalLabels(attributes(sp.attributes)),
        });
      }
    }
  }
  return rejections.result(spans);
}

const SPAN_KINDS = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];

/** SpanKind 0..5 (absent: 0; its enum name is read too); undefined for anything else. */
function spanKind(v: unknown): number | undefined {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string' && SPAN_KINDS.includes(v)) return SPAN_KINDS.indexOf(v);
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && n < SPAN_KINDS.length ? n : undefined;
}

export function decodeTracesJson(body: Buffer): TracesDecode {
  return decodeJsonBody(body, mapTracesRequest);
}

export function decodeTracesProtobuf(body: Buffer): TracesDecode {
  return decodeProtobufBody(body, 'trace', 'ExportTraceServiceRequest', mapTracesRequest, (obj) => {
    for (const rs of list((obj as { resourceSpans?: unknown }).resourceSpans))
      for (const ss of list(isObj(rs) ? rs.scopeSpans : undefined))
        for (const sp of list(isObj(ss) ? ss.spans : undefined)) {
          if (!isObj(sp)) continue;
          sp.traceId = base64ToHex(sp.traceId);
          sp.spanId = base64ToHex(sp.spanId);
          sp.parentSpanId = base64ToHex(sp.parentSpanId);
        }
  });
}
