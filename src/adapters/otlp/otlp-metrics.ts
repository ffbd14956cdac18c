import type { LogResource } from '../../core/domain/log-record.js';
import { canonicalLabels } from '../../core/domain/metric-point.js';
import type { MetricKind, MetricPoint } from '../../core/domain/metric-point.js';
import {
  Rejections,
  attributes,
  decodeJsonBody,
  decodeProtobufBody,
  isObj,
  list,
  mapResource,
  toMs,
} from './otlp-common.js';
import type { Decoded } from './otlp-common.js';

/**
 * OTLP metrics (ExportMetricsServiceRequest) in either encoding → MetricPoints. Protobuf is
 * decoded with the message definitions generated from opentelemetry-proto that
 * @opentelemetry/otlp-transformer 0.214 ships (protobufjs); the decoded message is turned into
 * the same plain shape as OTLP/JSON (lowerCamelCase, 64-bit integers as strings), so one mapper
 * serves both. Bad data points are rejected one by one and counted (OTLP partial success).
 */

export type MetricsDecode = Decoded<MetricPoint>;

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
