import { createRequire } from 'node:module';
import pb from 'protobufjs';
import type { LogResource } from '../../core/domain/log-record.js';
import { workloadOf } from '../../core/domain/workload.js';

/**
 * What the three OTLP decoders share: the generated message types (opentelemetry-proto, as
 * @opentelemetry/otlp-transformer 0.214 ships them), JSON and protobuf body decoding into the
 * OTLP/JSON shape, and hex ids.
 */
export interface ProtoType {
  decode(buf: Uint8Array): unknown;
  toObject(msg: unknown, opts: Record<string, unknown>): unknown;
  encode(msg: unknown): { finish(): Uint8Array };
  fromObject(o: unknown): unknown;
}

type Signal = 'metrics' | 'logs' | 'trace';
type Collector = Record<Signal, { v1: Record<string, ProtoType> }>;

const require = createRequire(import.meta.url);
let collector: Collector | undefined;

/** e.g. protoType('logs', 'ExportLogsServiceRequest'). */
export function protoType(signal: Signal, message: string): ProtoType {
  collector ??= (
    require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
      opentelemetry: { proto: { collector: Collector } };
    }
  ).opentelemetry.proto.collector;
  const t = collector[signal].v1[message];
  if (t === undefined) throw new Error(`no OTLP message ${signal}.v1.${message}`);
  return t;
}

export type Failed = { ok: false; message: string };

/** A decoded request: its good records, and how many were rejected and why (OTLP partial success). */
export type Decoded<T> =
  { ok: true; items: T[]; rejected: number; rejectReasons: string[] } | Failed;

/** Rejected records counted, with up to five distinct reasons kept for the answer. */
export class Rejections {
  count = 0;
  readonly reasons: string[] = [];
  add(why: string): void {
    this.count++;
    if (this.reasons.length < 5 && !this.reasons.includes(why)) this.reasons.push(why);
  }
  result<T>(items: T[]): Decoded<T> {
    return { ok: true, items, rejected: this.count, rejectReasons: this.reasons };
  }
}

export function decodeJsonBody<R>(body: Buffer, map: (req: unknown) => R): R | Failed {
  let req: unknown;
  try {
    req = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return { ok: false, message: `the body is not valid JSON (${(err as Error).message})` };
  }
  return mapRequest(map, req);
}

/**
 * Protobuf → the OTLP/JSON shape (lowerCamelCase, 64-bit integers as strings, bytes as
 * base64, which `fixIds` turns into the hex OTLP/JSON uses for trace and span ids).
 */
export function decodeProtobufBody<R>(
  body: Buffer,
  signal: Signal,
  message: string,
  map: (req: unknown) => R,
  fixIds?: (obj: unknown) => void,
): R | Failed {
  const T = protoType(signal, message);
  let msg: unknown;
  try {
    msg = T.decode(body);
  } catch (err) {
    return { ok: false, message: `the body is not an OTLP ${message} (${(err as Error).message})` };
  }
  let obj: unknown;
  try {
    obj = T.toObject(msg, {
      longs: String,
      enums: Number,
      bytes: String,
      defaults: false,
      arrays: true,
    });
  } catch (err) {
    // toObject recurses: a message nested thousands deep overflows the stack
    return { ok: false, message: `the body could not be read (${(err as Error).message})` };
  }
  fixIds?.(obj);
  return mapRequest(map, obj);
}

/** base64 (protobufjs bytes) → hex; other values unchanged. */
export function base64ToHex(v: unknown): unknown {
  return typeof v === 'string' ? Buffer.from(v, 'base64').toString('hex') : v;
}

/** A trace/span id of `bytes` bytes as lowercase hex; undefined when absent, malformed or all zero. */
export function hexId(v: unknown, bytes: number): string | undefined {
  return typeof v === 'string' &&
    v.length === bytes * 2 &&
    /^[0-9a-fA-F]+$/.test(v) &&
    !/^0+$/.test(v)
    ? v.toLowerCase()
    : undefined;
}

/**
 * google.rpc.Status in protobuf (field 1 its gRPC code, field 2 its message), the body OTLP/HTTP
 * asks for when a protobuf request fails.
 */
export function encodeStatus(code: number, message: string): Uint8Array {
  return pb.Writer.create().uint32(8).int32(code).uint32(18).string(message).finish();
}

/** The gRPC code of an HTTP error status, as gRPC's HTTP mapping reads them. */
export function grpcCode(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
    case 415:
      return 3; // INVALID_ARGUMENT
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 5; // NOT_FOUND
    case 413:
    case 429:
      return 8; // RESOURCE_EXHAUSTED
    case 502:
    case 503:
    case 504:
      return 14; // UNAVAILABLE
    case 501:
      return 12; // UNIMPLEMENTED
    default:
      return httpStatus >= 500 ? 13 : 2; // INTERNAL, UNKNOWN
  }
}

// The OTLP/JSON shape, read field by field: what every signal's mapper shares.

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** How deep OTLP AnyValues (arrays and maps of values) may nest: far past any real attribute. */
export const MAX_VALUE_DEPTH = 64;

/** A value nested past MAX_VALUE_DEPTH: the request is refused (400), nothing recursive runs on it. */
export class NestingError extends Error {
  constructor() {
    super(
      `an attribute or log body value nests deeper than ${MAX_VALUE_DEPTH} levels (arrays or maps of values inside each other); flatten it`,
    );
  }
}

/** Whether an AnyValue nests deeper than `max` levels (itself level 1), walked without recursion. */
function nestsDeeper(v: Obj, max: number): boolean {
  const stack: [unknown, number][] = [[v, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [value, level] = item;
    if (!isObj(value)) continue;
    if (level > max) return true;
    const arr = isObj(value.arrayValue) ? list(value.arrayValue.values) : [];
    for (const child of arr) stack.push([child, level + 1]);
    const kv = isObj(value.kvlistValue) ? list(value.kvlistValue.values) : [];
    for (const pair of kv) if (isObj(pair)) stack.push([pair.value, level + 1]);
  }
  return false;
}

/** An OTLP AnyValue as a plain value (arrays and maps as JSON text); throws NestingError past MAX_VALUE_DEPTH. */
export function anyValue(v: unknown): string | number | boolean | undefined {
  if (!isObj(v)) return undefined;
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (v.intValue !== undefined && v.intValue !== null) return Number(v.intValue);
  if (typeof v.doubleValue === 'number') return v.doubleValue;
  if (v.arrayValue !== undefined || v.kvlistValue !== undefined) {
    if (nestsDeeper(v, MAX_VALUE_DEPTH)) throw new NestingError();
    return JSON.stringify(v.arrayValue ?? v.kvlistValue);
  }
  return undefined;
}

/** map(req), or the refusal of a request whose values nest too deep. */
function mapRequest<R>(map: (req: unknown) => R, req: unknown): R | Failed {
  try {
    return map(req);
  } catch (err) {
    if (err instanceof NestingError) return { ok: false, message: err.message };
    throw err;
  }
}

export function attributes(v: unknown): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const kv of list(v)) {
    if (!isObj(kv) || typeof kv.key !== 'string') continue;
    const val = anyValue(kv.value);
    if (val !== undefined) out[kv.key] = val;
  }
  return out;
}

const RESOURCE_MAP: [string, keyof LogResource][] = [
  ['service.name', 'service'],
  ['k8s.namespace.name', 'namespace'],
  ['k8s.pod.name', 'pod'],
  ['k8s.container.name', 'container'],
  ['k8s.node.name', 'node'],
  ['host.name', 'host'],
];

const WORKLOAD_KEYS = [
  'k8s.deployment.name',
  'k8s.statefulset.name',
  'k8s.daemonset.name',
  'k8s.job.name',
];

/**
 * Resource attributes → service, namespace, pod, container, node, host. Without a
 * `service.name` (or with the SDK's `unknown_service…` default) the service is the Kubernetes
 * workload: a `k8s.*.name` workload attribute, else the pod name without its replica suffixes.
 */
export function mapResource(attrs: Readonly<Record<string, unknown>>): LogResource {
  const r: LogResource = {};
  for (const [key, field] of RESOURCE_MAP) {
    const v = attrs[key];
    if (typeof v === 'string' && v !== '') r[field] = v;
  }
  if (r.service === undefined || r.service.startsWith('unknown_service')) {
    const named = WORKLOAD_KEYS.map((k) => attrs[k]).find(
      (v): v is string => typeof v === 'string' && v !== '',
    );
    const workload = named ?? (r.pod !== undefined ? workloadOf(r.pod) : undefined);
    if (workload !== undefined) r.service = workload;
  }
  return r;
}

export function toMs(nanos: unknown): number {
  if (typeof nanos === 'number') return nanos / 1e6;
  if (typeof nanos === 'string' && /^\d{1,20}$/.test(nanos)) {
    // ns since epoch do not fit a double exactly; ms with a µs fraction do
    const s = nanos.padStart(7, '0');
    return Number(s.slice(0, -6)) + Number(s.slice(-6)) / 1e6;
  }
  return NaN;
}
