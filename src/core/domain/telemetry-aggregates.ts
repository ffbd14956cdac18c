/**
 * The aggregates the insight engine compares, as a telemetry store computes them from the spans,
 * logs and metric points of a window (per service, template, call path and bucket). The store
 * port returns them; the engine reads them; they are data, so they live in the domain.
 */
/** A time range, [fromMs, toMs). */
export interface TimeRange {
  fromMs: number;
  toMs: number;
}

/** A time range cut into buckets of bucketMs (aligned on multiples of it). */
export interface WindowQuery extends TimeRange {
  bucketMs: number;
}

/** Log records of one service and template in one time bucket. */
export interface ServiceTemplateCount {
  /** '' when the records named no service. */
  service: string;
  templateId: string;
  template: string;
  /** The highest OTel severity number among the records. */
  severity: number;
  bucketMs: number;
  count: number;
}

/** Log records of one service and template in one time bucket that name another service (mentionPattern). */
export interface ServiceMention {
  /** '' when the records named no service of their own. */
  service: string;
  templateId: string;
  /** The service the records name. */
  named: string;
  bucketMs: number;
  count: number;
}

/** The spans of one service that started in one time bucket. */
export interface ServiceSpanStats {
  service: string;
  bucketMs: number;
  count: number;
  /** Spans with status error. */
  errors: number;
  /**
   * Spans that begin a request to the service: called by another service's span, or with no
   * parent span in the store (a root, or called from outside the traces). Its other spans are
   * work done for those requests.
   */
  requests: number;
  /** Requests that failed: with status error, or a span of the service's own below them that failed. */
  failedRequests: number;
  /**
   * Of those, the ones in traces where a failure began in this service: a failed span of its own
   * none of whose child spans failed. A request that failed only because a call it made failed in
   * another service (a callee's error passed up) is not counted.
   */
  ownFailedRequests: number;
  /** The durations of its requests summed (ms), for their mean; absent where not measured (rows made by hand). */
  requestMs?: number;
  /** Duration percentiles (discrete, nearest rank: the ⌈q·n⌉-th smallest duration). */
  p50Ms: number;
  p90Ms: number;
}

/** RED of one operation of one service in one time bucket. */
export interface OperationStats extends ServiceSpanStats {
  operation: string;
}

/** Calls from one service to another: a span whose parent span belongs to another service. */
export interface ServiceEdge {
  caller: string;
  callee: string;
  calls: number;
  /** Calls whose callee span has status error. */
  errors: number;
  /** p90 duration of the callee spans (discrete, as spanStats). */
  p90Ms: number;
}

/**
 * Calls from one service to another in one time bucket (of the caller span's start: when the
 * call was made, so a delayed call counts in the minute its caller's request began), with the
 * time spent outside the callee: the caller's span less the callee's (the network both ways,
 * and a request waiting before the callee took it up).
 */
export interface EdgeStats {
  caller: string;
  callee: string;
  bucketMs: number;
  calls: number;
  /** Calls whose callee span has status error. */
  errors: number;
  /** Median of caller span − callee span (discrete, as spanStats); negative for a callee span that outlasts its caller's (asynchronous work). */
  gapP50Ms: number;
  /** The durations of the callee spans summed (ms): the time the caller's requests spent in the callee; absent where not measured. */
  calleeMs?: number;
}

/**
 * Calls a service made as OpenTelemetry CLIENT spans that name their peer (`peer.service`, else
 * `server.address`, `net.peer.name`, or the host of `url.full` / `http.url`), in one time bucket
 * (of the client span's start), by the service whose span answered them: '' for calls with no
 * span of another service below them (unanswered: the peer down, unreachable, or not traced).
 */
/**
 * One service's metric in one time bucket: the mean of its points there (over the service's pods
 * and series; a histogram point counts by its mean). Monotonic cumulative counters are left out
 * (their level is not a state of the service).
 */
export interface ServiceMetricStats {
  service: string;
  name: string;
  bucketMs: number;
  /** Mean of the bucket's points. */
  value: number;
  points: number;
}

export interface PeerCallStats {
  caller: string;
  /** The peer as the caller names it, lower case. */
  peer: string;
  /** The service of the span below the call; '' when none answered. */
  callee: string;
  bucketMs: number;
  calls: number;
  /** Calls whose client span has status error. */
  errors: number;
  /** p90 duration of the client spans (discrete, as spanStats): how long the calls took, seen from the caller. */
  p90Ms: number;
  /** The durations of the client spans summed (ms): the time the caller spent in these calls; absent where not measured. */
  callMs?: number;
}
