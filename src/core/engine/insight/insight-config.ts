/**
 * The one configuration of the insight engine (evidence, root-cause ranking, incidents). No
 * value names a service, a dataset or a file.
 */
export interface InsightConfig {
  /** Width of the time buckets that evidence is counted in. */
  bucketMs: number;
  /** A log template needs at least this many records in the window to be evidence. */
  minLogCount: number;
  /** Weight of a log template's evidence by severity. */
  severityWeight: { error: number; warn: number; other: number };
  /** log2(observed / expected) at which a log template's evidence is full. */
  logRatioFull: number;
  /** A template's evidence is discounted for few records: × (1 − e^(−count / logCountScale)). */
  logCountScale: number;
  /**
   * The share of the busiest reference buckets left out of a template's usual rate (other
   * incidents in the reference must not make a symptom look usual).
   */
  trimTop: number;
  /** Latency evidence is discounted for few spans in the slow buckets: × (1 − e^(−spans / spanCountScale)). */
  spanCountScale: number;
  /** Spans per bucket for a bucket's latency percentile to count. */
  minSpans: number;
  /** log2 of the p90 latency ratio (window / usual) below which latency is no evidence, and at which it is full. */
  latencyRatioFrom: number;
  latencyRatioFull: number;
  /**
   * A latency symptom's first slow bucket is not its onset when its log2 ratio is under this
   * share of the next bucket's: a slightly slow minute just before a jump is noise.
   */
  latencyOnsetShare: number;
  latencyWeight: number;
  /** Span error ratio increase (absolute) at which error evidence is full. */
  errorRateFull: number;
  /**
   * A message that follows another in step (within flowRatioSpan× of it, in step in at least
   * flowCoupling of the leader's reference buckets, each with flowMinReference records over at
   * least flowMinBuckets buckets) has stopped in a window bucket when it has at most
   * flowStoppedShare of what the leader predicts; at least flowMinExpected records must be missing.
   */
  flowMinReference: number;
  flowMinBuckets: number;
  flowRatioSpan: number;
  flowCoupling: number;
  flowStoppedShare: number;
  /** The bucket before the first stopped one is the onset too when it had at most this share (a fault that began within it). */
  flowOnsetShare: number;
  flowMinExpected: number;
  flowWeight: number;
  /**
   * A service named in another's abnormal warning or error records gets that signal's score ×
   * the share of its records that name it × the share of those buckets in which it left no
   * record itself (down or unreachable) × namedWeight. The naming service's signal counts as
   * explained for that share (explainedPenalty), silent or not.
   */
  namedWeight: number;
  /**
   * Calls that spend longer outside their callee (caller span − callee span, the median per
   * bucket) than the slow end of their reference: evidence from 2^networkRatioFrom × that, full
   * at 2^networkRatioFull ×, for a path with at least networkMinReference reference buckets.
   */
  networkMinReference: number;
  networkRatioFrom: number;
  networkRatioFull: number;
  networkWeight: number;
  /**
   * Which end of a slowed path it belongs to: the end more of whose other paths slowed too, as
   * (their slowness + networkPrior) / its paths; networkPrior is what a path with no other path at
   * that end is taken to say (a leaf called by one caller).
   */
  networkPrior: number;
  /** With networkConfidence 'calls' (the round before, kept for comparison): a slowed path's few calls say it less surely, × (1 − e^(−calls / networkCountScale)). */
  networkCountScale: number;
  /**
   * How sure a slowed path is: 'chance' (shipped) is one less the chance of its slowed buckets
   * were the window like its own reference, judged against reference buckets of at most as many
   * calls (slowedChance in signals/network.ts), its paths independent witnesses; 'calls' (the
   * round before, kept for comparison) scales by its calls (networkCountScale).
   */
  networkConfidence: 'calls' | 'chance';
  /**
   * A service that answered a caller's calls (CLIENT spans naming it) in the reference, over at
   * least unansweredMinReference calls, left them unanswered in a bucket when it answered at most
   * unansweredShare of its usual share of the calls made (most of those unanswered failing): down
   * or unreachable. Few calls say it less surely: × (1 − e^(−calls / unansweredCountScale)); a
   * call either is answered or not, so fewer are needed than for a latency percentile.
   */
  unansweredMinReference: number;
  unansweredShare: number;
  unansweredCountScale: number;
  unansweredWeight: number;
  /**
   * A service that left spans or records in at least silentSteady of the reference's minutes with
   * data fell silent in a whole window minute in which it left at most silentShare of what its
   * usual share of all records predicts (flowMinExpected at least, over the window): down or
   * unreachable, weighing silentWeight.
   */
  silentSteady: number;
  silentShare: number;
  silentWeight: number;
  /** Weight of a metric anomaly's score. */
  metricWeight: number;
  /**
   * A service's metric shifted from its own usual (metric-shift): a window bucket's mean beyond the
   * high end of the reference (its 1 − trimTop quantile) by metricShiftFrom robust spreads at least
   * (1.4826 × the reference's median absolute deviation; at least metricRelativeFloor of the larger
   * of its usual, that edge and the metric's typical level over all services) and by more than
   * 2^metricRatioFrom times (the ratio to the larger of the edge, the usual and the typical
   * level), full evidence at 2^metricRatioFull; below for metrics where higher is better (success,
   * availability). The level of the hold-th most abnormal bucket counts (a shift that lasts): the
   * hold is metricMinBuckets where metricHoldFrom is 'setting'; else the count of abnormal buckets
   * that fewer than one service in the system reaches by chance in a stretch of reference as long
   * as the window, judged over the metric's references of all services ('metric') and also over
   * the service's own ('service'), at least metricMinBuckets. Needs metricMinReference reference buckets. metricShiftOf: which metrics, 'resource'
   * (CPU, memory, network, disk…) or 'all'.
   */
  metricShiftOf: 'resource' | 'all';
  metricShiftFrom: number;
  metricRatioFrom: number;
  metricRatioFull: number;
  metricRelativeFloor: number;
  metricMinReference: number;
  metricMinBuckets: number;
  metricHoldFrom: 'setting' | 'metric' | 'service';
  metricShiftWeight: number;
  /** A cluster change counts for the window when it happened up to this long before it. */
  changeLookbackMs: number;
  /** Weight of a change's score (kept below abnormalAt: a change alone is not trouble). */
  changeWeight: number;
  /** A signal's weight halves when its onset comes this share of the window after the alert. */
  onsetFraction: number;
  /** A bucket in which a service's own evidence reaches this opens an incident (or belongs to the open one). */
  incidentAt: number;
  /** An incident with no abnormal bucket for this long is resolved; a later one opens a new incident. */
  quietMs: number;
  /**
   * Buckets also judged together, the last this many, for failed requests and calls left
   * unanswered: a service of a few requests a minute shows only when its failures add up over
   * several (still failing in the latest one).
   */
  incidentSpanBuckets: number;
  /**
   * The first bucket of traffic after a pause (no span and no record from any service in the
   * bucket before, some before that) is a warm-up: services idle for a while answer their first requests slowly
   * (cold caches, closed connections), so its latency and its time outside callees are no
   * symptoms; in the reference it stays, as part of usual life. Only where traffic is steady: at
   * least warmUpSteady of the buckets with data follow one with data (where it comes now and
   * then, every bucket counts).
   */
  warmUpSteady: number;
  /** A service with at least this much evidence is abnormal. */
  abnormalAt: number;
  /** Added for explaining every abnormal caller (a cause sits downstream of the symptoms it explains). */
  explainBonus: number;
  /**
   * How much of a symptom is taken away when it is explained: an abnormal service it calls was
   * abnormal in the minute it began, or its records name another service. Not all of it (a
   * dependency in trouble at the same time may be a coincidence); most of it, since an
   * explanation must fit the minute.
   */
  explainedPenalty: number;
  /**
   * A dependency's slowness explains a caller's fully once the time it adds is this share of
   * the time added in the caller (a caller may call it twice; a p90 mixes kinds of spans), and
   * in proportion below that: 10 ms more in a callee do not make 300 ms more in its caller.
   */
  explainLatencyShare: number;
}

export const DEFAULT_INSIGHT_CONFIG: InsightConfig = {
  bucketMs: 60_000,
  minLogCount: 3,
  severityWeight: { error: 1, warn: 0.6, other: 0.2 },
  logRatioFull: 4,
  logCountScale: 10,
  trimTop: 0.25,
  spanCountScale: 20,
  minSpans: 3,
  latencyRatioFrom: 0.5,
  latencyRatioFull: 4,
  latencyOnsetShare: 0.5,
  latencyWeight: 0.8,
  errorRateFull: 0.2,
  flowMinReference: 20,
  flowMinBuckets: 10,
  flowRatioSpan: 2,
  flowCoupling: 0.9,
  flowStoppedShare: 0.2,
  flowOnsetShare: 0.5,
  flowMinExpected: 10,
  flowWeight: 0.8,
  namedWeight: 0.8,
  networkMinReference: 10,
  networkRatioFrom: 1,
  networkRatioFull: 3,
  networkWeight: 0.8,
  networkCountScale: 5,
  networkConfidence: 'chance',
  networkPrior: 0.25,
  unansweredMinReference: 20,
  unansweredShare: 0.2,
  unansweredCountScale: 5,
  unansweredWeight: 0.9,
  silentSteady: 0.9,
  silentShare: 0.1,
  silentWeight: 0.8,
  metricWeight: 0.4,
  metricShiftOf: 'resource',
  metricShiftFrom: 3,
  metricRatioFrom: 1,
  metricRatioFull: 3,
  metricRelativeFloor: 0.1,
  metricMinReference: 10,
  metricMinBuckets: 1,
  metricHoldFrom: 'service',
  metricShiftWeight: 0.5,
  changeLookbackMs: 10 * 60_000,
  changeWeight: 0.3,
  onsetFraction: 0.25,
  incidentAt: 0.5,
  quietMs: 3 * 60_000,
  incidentSpanBuckets: 3,
  warmUpSteady: 0.5,
  abnormalAt: 0.25,
  explainBonus: 0.25,
  explainedPenalty: 0.75,
  explainLatencyShare: 0.5,
};
