import { createRequire } from 'node:module';
import { parseSeverity } from '../../core/domain/severity.js';
import { canonicalLabels } from '../../core/domain/metric-point.js';
import type { ReceivedLog } from '../../core/domain/stored-log.js';
import { anyValue, attributes, isObj, list, mapResource, toMs } from './otlp-metrics.js';

/** OTLP logs (ExportLogsServiceRequest), protobuf or JSON → ReceivedLogs; same approach as metrics. */

interface ProtoType {
  decode(buf: Uint8Array): unknown;
  toObject(msg: unknown, opts: Record<string, unknown>): unknown;
}

const require = createRequire(import.meta.url);
let requestType: ProtoType | undefined;
function logsRequestType(): ProtoType {
  if (requestType === undefined) {
    const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as { opentelemetry: { proto: { collector: { logs: { v1: { ExportLogsServiceRequest: ProtoType } } } } } };
    requestType = root.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
  }
  return requestType;
}

export type LogsDecode = { ok: true; logs: ReceivedLog[]; rejected: number; rejectReasons: string[] } | { ok: false; message: string };

/** Trace/span ids: hex in OTLP/JSON; protobuf bytes arrive here as hex too (see decodeLogsProtobuf). */
function hexId(v: unknown, bytes: number): string {
  return typeof v === 'string' && v.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(v) && !/^0+$/.test(v) ? v.toLowerCase() : '';
}

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
  if (req.resourceLogs !== undefined && !Array.isArray(req.resourceLogs)) return { ok: false, message: '"resourceLogs" must be an array' };
  const logs: ReceivedLog[] = [];
  const reasons: string[] = [];
  let rejected = 0;
  const reject = (why: string) => {
    rejected++;
    if (reasons.length < 5 && !reasons.includes(why)) reasons.push(why);
  };
  for (const rl of list(req.resourceLogs)) {
    if (!isObj(rl)) continue;
    const resource = mapResource(isObj(rl.resource) ? attributes(rl.resource.attributes) : {});
    for (const sl of list(rl.scopeLogs)) {
      if (!isObj(sl)) continue;
      for (const r of list(sl.logRecords)) {
        if (!isObj(r)) {
          reject('a log record is not an object');
          continue;
        }
        // timeUnixNano may be 0 (unknown): the collector's observed time stands in
        let timeMs = toMs(r.timeUnixNano);
        if (!(timeMs > 0)) timeMs = toMs(r.observedTimeUnixNano);
        if (!(timeMs > 0)) {
          reject('log record without timeUnixNano or observedTimeUnixNano');
          continue;
        }
        // the body is optional in OTLP (events may carry only attributes): kept as ''
        const body = bodyText(r.body) ?? '';
        const severityText = typeof r.severityText === 'string' ? r.severityText : '';
        const n = Number(r.severityNumber ?? 0);
        const severity = Number.isInteger(n) && n > 0 && n <= 24 ? n : parseSeverity(severityText);
        logs.push({ timeMs, severity, severityText, body, resource, attributes: canonicalLabels(attributes(r.attributes)), traceId: hexId(r.traceId, 16), spanId: hexId(r.spanId, 8) });
      }
    }
  }
  return { ok: true, logs, rejected, rejectReasons: reasons };
}

export function decodeLogsJson(body: Buffer): LogsDecode {
  let req: unknown;
  try {
    req = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return { ok: false, message: `the body is not valid JSON (${(err as Error).message})` };
  }
  return mapLogsRequest(req);
}

export function decodeLogsProtobuf(body: Buffer): LogsDecode {
  const T = logsRequestType();
  let msg: unknown;
  try {
    msg = T.decode(body);
  } catch (err) {
    return { ok: false, message: `the body is not an OTLP ExportLogsServiceRequest (${(err as Error).message})` };
  }
  // bytes as base64 from protobufjs; ids are hex in OTLP/JSON, so convert them here
  const obj = T.toObject(msg, { longs: String, enums: Number, bytes: String, defaults: false, arrays: true });
  for (const rl of list((obj as { resourceLogs?: unknown }).resourceLogs))
    for (const sl of list(isObj(rl) ? rl.scopeLogs : undefined))
      for (const r of list(isObj(sl) ? sl.logRecords : undefined)) {
        if (!isObj(r)) continue;
        if (typeof r.traceId === 'string') r.traceId = Buffer.from(r.traceId, 'base64').toString('hex');
        if (typeof r.spanId === 'string') r.spanId = Buffer.from(r.spanId, 'base64').toString('hex');
      }
  return mapLogsRequest(obj);
}
