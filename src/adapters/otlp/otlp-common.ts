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
  return map(req);
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
  const obj = T.toObject(msg, {
    longs: String,
    enums: Number,
    bytes: String,
    defaults: false,
    arrays: true,
  });
  fixIds?.(obj);
  return map(obj);
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
 * google.rpc.Status in protobuf (its message only: OTLP/HTTP does not use the code), the body
 * OTLP/HTTP asks for when a protobuf request fails.
 */
export function encodeStatus(message: string): Uint8Array {
  return pb.Writer.create().uint32(18).string(message).finish();
}

// The OTLP/JSON shape, read field by field: what every signal's mapper shares.

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** An OTLP AnyValue as a plain value (arrays and maps as JSON text). */
export function anyValue(v: unknown): string | number | boolean | undefined {
  if (!isObj(v)) return undefined;
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (v.intValue !== undefined && v.intValue !== null) return Number(v.intValue);
  if (typeof v.doubleValue === 'number') return v.doubleValue;
  if (v.arrayValue !== undefined || v.kvlistValue !== undefined)
    return JSON.stringify(v.arrayValue ?? v.kvlistValue);
  return undefined;
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
