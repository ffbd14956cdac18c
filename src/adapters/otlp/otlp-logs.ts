import { parseSeverity } from '../../core/domain/severity.js';
import { canonicalLabels } from '../../core/domain/metric-point.js';
import type { ReceivedLog } from '../../core/domain/stored-log.js';
import {
  Rejections,
  base64ToHex,
  decodeJsonBody,
  decodeProtobufBody,
  hexId,
} from './otlp-common.js';
import type { Decoded } from './otlp-common.js';
import { anyValue, attributes, isObj, list, mapResource, toMs } from './otlp-common.js';

/** OTLP logs (ExportLogsServiceRequest), protobuf or JSON → ReceivedLogs; same approach as metrics. */

export type LogsDecode = Decoded<ReceivedLog>;

/** A body of any type as text: strings as they are, other values as JSON. */
function bodyText(v: unknown): string | undefined {
  if (!isObj(v)) return undefined;
  const plain = anyValue(v);
  if (typeof plain === 'string') return plain;
  if (plain !== undefined) return String(plain);
  if (typeof v.bytesValue === 'string') return v.bytesValue;
  return undefined;
}

export function mapLogsRequest(req: unknown): LogsDecode {
  if (!isObj(req)) return { ok: false, message: 'expected a JSON object with "resourceLogs"' };
  if (req.resourceLogs !== undefined && !Array.isArray(req.resourceLogs))
    return { ok: false, message: '"resourceLogs" must be an array' };
  const logs: ReceivedLog[] = [];
  const rejections = new Rejections();
  for (const rl of list(req.resourceLogs)) {
    if (!isObj(rl)) continue;
    const resource = mapResource(isObj(rl.resource) ? attributes(rl.resource.attributes) : {});
    for (const sl of list(rl.scopeLogs)) {
      if (!isObj(sl)) continue;
      for (const r of list(sl.logRecords)) {
        if (!isObj(r)) {
          rejections.add('a log record is not an object');
          continue;
        }
        // timeUnixNano may be 0 (unknown): the collector's observed time stands in
        let timeMs = toMs(r.timeUnixNano);
        if (!(timeMs > 0)) timeMs = toMs(r.observedTimeUnixNano);
        if (!(timeMs > 0)) {
          rejections.add('log record without timeUnixNano or observedTimeUnixNano');
          continue;
        }
        // the body is optional in OTLP (events may carry only attributes): kept as ''
        const body = bodyText(r.body) ?? '';
        const severityText = typeof r.severityText === 'string' ? r.severityText : '';
        const n = Number(r.severityNumber ?? 0);
        const severity = Number.isInteger(n) && n > 0 && n <= 24 ? n : parseSeverity(severityText);
        logs.push({
          timeMs,
          severity,
          severityText,
          body,
          resource,
          attributes: canonicalLabels(attributes(r.attributes)),
          traceId: hexId(r.traceId, 16) ?? '',
          spanId: hexId(r.spanId, 8) ?? '',
        });
      }
    }
  }
  return rejections.result(logs);
}

export function decodeLogsJson(body: Buffer): LogsDecode {
  return decodeJsonBody(body, mapLogsRequest);
}

export function decodeLogsProtobuf(body: Buffer): LogsDecode {
  return decodeProtobufBody(body, 'logs', 'ExportLogsServiceRequest', mapLogsRequest, (obj) => {
    for (const rl of list((obj as { resourceLogs?: unknown }).resourceLogs))
      for (const sl of list(isObj(rl) ? rl.scopeLogs : undefined))
        for (const r of list(isObj(sl) ? sl.logRecords : undefined)) {
          if (!isObj(r)) continue;
          r.traceId = base64ToHex(r.traceId);
          r.spanId = base64ToHex(r.spanId);
        }
  });
}
