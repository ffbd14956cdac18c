import { workloadOf } from '../../core/domain/workload.js';
import type { LogResource } from '../../core/domain/log-record.js';
import { canonicalLabels } from '../../core/domain/metric-point.js';
import type { MetricKind, MetricPoint } from '../../core/domain/metric-point.js';
import { Rejections, decodeJsonBody, decodeProtobufBody } from './otlp-common.js';
import type { Decoded } from './otlp-common.js';

/**
 * OTLP metrics (ExportMetricsServiceRequest) in either encoding → MetricPoints. Protobuf is
 * decoded with the message definitions generated from opentelemetry-proto that
 * @opentelemetry/otlp-transformer 0.214 ships (protobufjs); the decoded message is turned into
 * the same plain shape as OTLP/JSON (lowerCamelCase, 64-bit integers as strings), so one mapper
 * serves both. Bad data points are rejected one by one and counted (OTLP partial success).
 */

export type MetricsDecode = Decoded<MetricPoint>;

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

interface Sink {
  points: MetricPoint[];
  rejections: Rejections;
}

function addPoint(
  sink: Sink,
  name: string,
  kind: MetricKind,
  dp: unknown,
  resource: LogResource,
  cumulative: boolean,
): void {
  if (!isObj(dp)) {
    sink.rejections.add(`${name}: a data point is not an object`);
    return;
  }
  const timeMs = toMs(dp.timeUnixNano);
  if (!Number.isFinite(timeMs) || timeMs <= 0) {
    sink.rejections.add(`${name}: data point without a valid timeUnixNano`);
    return;
  }
  const labels = canonicalLabels(attributes(dp.attributes));
  let value: number;
  let count: number | undefined;
  let sum: number | undefined;
  if (kind === 'histogram') {
    count = Number(dp.count ?? 0);
    sum = typeof dp.sum === 'number' ? dp.sum : NaN;
    if (!Number.isFinite(count) || count < 0) {
      sink.rejections.add(`${name}: histogram point with a bad count`);
      return;
    }
    if (count === 0) {
      sink.rejections.add(`${name}: histogram point with no observations`);
      return;
    }
    if (!Number.isFinite(sum)) {
      sink.rejections.add(`${name}: histogram point without a sum`);
      return;
    }
    value = sum / count;
  } else {
    value =
      dp.asDouble !== undefined && dp.asDouble !== null
        ? Number(dp.asDouble)
        : dp.asInt !== undefined && dp.asInt !== null
          ? Number(dp.asInt)
          : NaN;
    if (!Number.isFinite(value)) {
      sink.rejections.add(`${name}: data point without a finite asDouble or asInt`);
      return;
    }
  }
  const p: MetricPoint = { timeMs, name, kind, value, labels, resource };
  if (count !== undefined) p.count = count;
  if (sum !== undefined) p.sum = sum;
  if (cumulative) p.cumulative = true;
  sink.points.push(p);
}

/** Maps a request already in the OTLP/JSON shape. */
export function mapMetricsRequest(req: unknown): MetricsDecode {
  if (!isObj(req)) return { ok: false, message: 'expected a JSON object with "resourceMetrics"' };
  if (req.resourceMetrics !== undefined && !Array.isArray(req.resourceMetrics))
    return { ok: false, message: '"resourceMetrics" must be an array' };
  const sink: Sink = { points: [], rejections: new Rejections() };
  for (const rm of list(req.resourceMetrics)) {
    if (!isObj(rm)) continue;
    const resource = mapResource(isObj(rm.resource) ? attributes(rm.resource.attributes) : {});
    for (const sm of list(rm.scopeMetrics)) {
      if (!isObj(sm)) continue;
      for (const m of list(sm.metrics)) {
        if (!isObj(m)) continue;
        const name = typeof m.name === 'string' ? m.name : '';
        const pick = (k: string) => (isObj(m[k]) ? m[k] : undefined);
        const gauge = pick('gauge');
        const sumM = pick('sum');
        const hist = pick('histogram') ?? pick('exponentialHistogram') ?? pick('summary');
        const dps = list((gauge ?? sumM ?? hist)?.dataPoints);
        if (name === '') {
          for (let i = 0; i < Math.max(dps.length, 1); i++)
            sink.rejections.add('a metric without a name');
          continue;
        }
        if (gauge !== undefined)
          for (const dp of dps) addPoint(sink, name, 'gauge', dp, resource, false);
        else if (sumM !== undefined) {
          // a monotonic cumulative counter is scored on its rate, not its ever-growing total
          const cumulative = sumM.isMonotonic === true && Number(sumM.aggregationTemporality) === 2;
          for (const dp of dps) addPoint(sink, name, 'sum', dp, resource, cumulative);
        } else if (hist !== undefined)
          for (const dp of dps) addPoint(sink, name, 'histogram', dp, resource, false);
        else sink.rejections.add(`${name}: no gauge, sum or histogram data`);
      }
    }
  }
  return sink.rejections.result(sink.points);
}

/** application/json body. */
export function decodeMetricsJson(body: Buffer): MetricsDecode {
  return decodeJsonBody(body, mapMetricsRequest);
}

/** application/x-protobuf body. */
export function decodeMetricsProtobuf(body: Buffer): MetricsDecode {
  return decodeProtobufBody(body, 'metrics', 'ExportMetricsServiceRequest', mapMetricsRequest);
}
