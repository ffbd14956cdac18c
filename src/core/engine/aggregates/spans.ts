/**
 * The reference computations of the span aggregates a telemetry store answers (RED per service
 * and operation, the service graph, calls per bucket, calls to named peers), over domain spans.
 * The memory store answers with these; a SQL store computes the same in its database, and the
 * store contract checks it against these on random spans (differential test).
 */
import { SPAN_KIND_CLIENT, SPAN_STATUS, peerOf } from '../../domain/span.js';
import type { Span } from '../../domain/span.js';
import type {
  EdgeStats,
  OperationStats,
  PeerCallStats,
  ServiceEdge,
  TimeRange,
  WindowQuery,
} from '../../domain/telemetry-aggregates.js';
import { byteOrder, quantileDisc } from './order.js';

/** How far outside a range a span's parent and children are looked for (children start after it; a skewed clock, before). */
export const CHILD_SLACK_MS = 60_000;

const serviceOf = (sp: Span): string => sp.resource.service ?? '';
const inRange = (sp: Span, q: TimeRange): boolean => sp.startMs >= q.fromMs && sp.startMs < q.toMs;

/** Spans of [fromMs, toMs) whose parent (also in it) belongs to another service. */
export function* crossServiceCalls(
  spans: readonly Span[],
  q: TimeRange,
): Generator<{ caller: string; callee: string; parent: Span; child: Span }> {
  const within = spans.filter((sp) => inRange(sp, q));
  const byId = new Map(within.map((sp) => [`${sp.traceId}/${sp.spanId}`, sp]));
  for (const child of within) {
    if (child.parentSpanId === '') continue;
    const parent = byId.get(`${child.traceId}/${child.parentSpanId}`);
    if (parent === undefined) continue;
    const caller = serviceOf(parent);
    const callee = serviceOf(child);
    if (caller !== callee) yield { caller, callee, parent, child };
  }
}

/**
 * RED per service, operation ('' for all: operationOf) and bucket of the spans that started in
 * the window, in the stores' order. A span whose parent (among the spans within CHILD_SLACK_MS of
 * the window) is of another service, or that has none there, begins a request; a request failed
 * when a failed span of its own service lies under it, and failed on its own account when, in its
 * trace, that service has a failed span none of whose children failed. `service`: only its spans.
 */
export function redOf(
  spans: readonly Span[],
  q: WindowQuery & { service?: string },
  operationOf: (sp: Span) => string,
): OperationStats[] {
  const near = spans.filter(
    (sp) => sp.startMs >= q.fromMs - CHILD_SLACK_MS && sp.startMs < q.toMs + CHILD_SLACK_MS,
  );
  // each span's service, and where failures began: per trace, the services with a failed span
  // none of whose children failed
  const services = new Map<string, string>();
  const failedParents = new Set<string>();
  const parentOf = new Map<string, string>();
  for (const sp of near) {
    const key = `${sp.traceId}/${sp.spanId}`;
    if (!services.has(key)) services.set(key, serviceOf(sp));
    if (!parentOf.has(key)) parentOf.set(key, `${sp.traceId}/${sp.parentSpanId}`);
    if (sp.statusCode === SPAN_STATUS.ERROR && sp.parentSpanId !== '')
      failedParents.add(`${sp.traceId}/${sp.parentSpanId}`);
  }
  const origins = new Set<string>();
  // the spans a failure is inside of: a failed span and its parents in the same service
  const failing = new Set<string>();
  for (const sp of near) {
    if (sp.statusCode !== SPAN_STATUS.ERROR) continue;
    const service = serviceOf(sp);
    if (!failedParents.has(`${sp.traceId}/${sp.spanId}`))
      origins.add(`${sp.traceId}\u0000${service}`);
    for (
      let k: string | undefined = `${sp.traceId}/${sp.spanId}`;
      k !== undefined && services.get(k) === service && !failing.has(k);
      k = parentOf.get(k)
    )
      failing.add(k);
  }
  const groups = new Map<
    string,
    Required<Omit<OperationStats, 'p50Ms' | 'p90Ms'>> & { d: number[] }
  >();
  for (const sp of spans) {
    if (!inRange(sp, q)) continue;
    const service = serviceOf(sp);
    if (q.service !== undefined && service !== q.service) continue;
    const operation = operationOf(sp);
    const bucketMs = Math.floor(sp.startMs / q.bucketMs) * q.bucketMs;
    const key = `${service}\u0000${operation}\u0000${bucketMs}`;
    let g = groups.get(key);
    if (g === undefined)
      groups.set(
        key,
        (g = {
          service,
          operation,
          bucketMs,
          count: 0,
          errors: 0,
          requests: 0,
          failedRequests: 0,
          ownFailedRequests: 0,
          requestMs: 0,
          d: [],
        }),
      );
    const duration = sp.endMs - sp.startMs;
    g.count++;
    g.d.push(duration);
    if (sp.statusCode === SPAN_STATUS.ERROR) g.errors++;
    if (services.get(`${sp.traceId}/${sp.parentSpanId}`) === service) continue;
    g.requests++;
    g.requestMs += duration;
    if (!failing.has(`${sp.traceId}/${sp.spanId}`)) continue;
    g.failedRequests++;
    if (origins.has(`${sp.traceId}\u0000${service}`)) g.ownFailedRequests++;
  }
  return [...groups.values()]
    .sort(
      (a, b) =>
        byteOrder(a.service, b.service) ||
        byteOrder(a.operation, b.operation) ||
        a.bucketMs - b.bucketMs,
    )
    .map(({ d, ...g }) => {
      d.sort((x, y) => x - y);
      return { ...g, p50Ms: quantileDisc(d, 0.5), p90Ms: quantileDisc(d, 0.9) };
    });
}

/** The service graph of the spans that started in [fromMs, toMs): caller → callee, calls, errors, the callee's p90. */
export function serviceEdgesOf(spans: readonly Span[], q: TimeRange): ServiceEdge[] {
  const edges = new Map<string, Omit<ServiceEdge, 'p90Ms'> & { d: number[] }>();
  for (const { caller, callee, child } of crossServiceCalls(spans, q)) {
    const key = `${caller}\u0000${callee}`;
    let e = edges.get(key);
    if (e === undefined) edges.set(key, (e = { caller, callee, calls: 0, errors: 0, d: [] }));
    e.calls++;
    e.d.push(child.endMs - child.startMs);
    if (child.statusCode === SPAN_STATUS.ERROR) e.errors++;
  }
  return [...edges.values()]
    .sort((a, b) => byteOrder(a.caller, b.caller) || byteOrder(a.callee, b.callee))
    .map(({ d, ...e }) => ({
      ...e,
      p90Ms: quantileDisc(
        d.sort((x, y) => x - y),
        0.9,
      ),
    }));
}

/** Calls between services per bucket of the caller's start, with the time spent outside the callee; `service`: its calls, made or answered. */
export function edgeStatsOf(
  spans: readonly Span[],
  q: WindowQuery & { service?: string },
): EdgeStats[] {
  const edges = new Map<string, Required<Omit<EdgeStats, 'gapP50Ms'>> & { gaps: number[] }>();
  for (const { caller, callee, parent, child } of crossServiceCalls(spans, q)) {
    if (q.service !== undefined && caller !== q.service && callee !== q.service) continue;
    const bucketMs = Math.floor(parent.startMs / q.bucketMs) * q.bucketMs;
    const key = `${caller}\u0000${callee}\u0000${bucketMs}`;
    let e = edges.get(key);
    if (e === undefined)
      edges.set(
        key,
        (e = { caller, callee, bucketMs, calls: 0, errors: 0, gaps: [], calleeMs: 0 }),
      );
    const calleeMs = child.endMs - child.startMs;
    e.calls++;
    e.gaps.push(parent.endMs - parent.startMs - calleeMs);
    e.calleeMs += calleeMs;
    if (child.statusCode === SPAN_STATUS.ERROR) e.errors++;
  }
  return [...edges.values()]
    .sort(
      (a, b) =>
        byteOrder(a.caller, b.caller) || byteOrder(a.callee, b.callee) || a.bucketMs - b.bucketMs,
    )
    .map(({ gaps, ...e }) => ({
      ...e,
      gapP50Ms: quantileDisc(
        gaps.sort((x, y) => x - y),
        0.5,
      ),
    }));
}

/**
 * CLIENT spans of the window that name their peer, per caller, peer, answering service and bucket:
 * the answering service is the first (byte order) service other than the caller's among the span's
 * children that started in the window or up to a bucket after it ('' when none).
 */
export function peerCallsOf(spans: readonly Span[], q: WindowQuery): PeerCallStats[] {
  const children = new Map<string, string[]>();
  for (const sp of spans) {
    if (sp.parentSpanId === '' || sp.startMs < q.fromMs || sp.startMs >= q.toMs + q.bucketMs)
      continue;
    const key = `${sp.traceId}/${sp.parentSpanId}`;
    const l = children.get(key);
    if (l === undefined) children.set(key, [serviceOf(sp)]);
    else l.push(serviceOf(sp));
  }
  const rows = new Map<string, Omit<PeerCallStats, 'p90Ms' | 'callMs'> & { d: number[] }>();
  for (const sp of spans) {
    if (sp.kind !== SPAN_KIND_CLIENT || !inRange(sp, q)) continue;
    const peer = peerOf(sp.attributes);
    if (peer === undefined) continue;
    const caller = serviceOf(sp);
    const callee =
      children
        .get(`${sp.traceId}/${sp.spanId}`)
        ?.filter((c) => c !== caller)
        .sort(byteOrder)[0] ?? '';
    const bucketMs = Math.floor(sp.startMs / q.bucketMs) * q.bucketMs;
    const key = `${caller}\u0000${peer}\u0000${callee}\u0000${bucketMs}`;
    let r = rows.get(key);
    if (r === undefined)
      rows.set(key, (r = { caller, peer, callee, bucketMs, calls: 0, errors: 0, d: [] }));
    r.calls++;
    r.d.push(sp.endMs - sp.startMs);
    if (sp.statusCode === SPAN_STATUS.ERROR) r.errors++;
  }
  return [...rows.values()]
    .sort(
      (a, b) =>
        byteOrder(a.caller, b.caller) ||
        byteOrder(a.peer, b.peer) ||
        byteOrder(a.callee, b.callee) ||
        a.bucketMs - b.bucketMs,
    )
    .map(({ d, ...r }) => ({
      ...r,
      p90Ms: quantileDisc(
        d.sort((x, y) => x - y),
        0.9,
      ),
      callMs: d.reduce((a, x) => a + x, 0),
    }));
}
