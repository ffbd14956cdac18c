import type { ServiceMetricStats } from '../../../domain/telemetry-aggregates.js';
import { formatNumber } from '../../metrics/reasons.js';
import type { InsightConfig } from '../insight-config.js';
import type { FoundSignal, SignalSource } from './signal.js';
import { bucketSpan, level, proximity, upperQuantile } from './signal.js';

/** Metrics where a fall is the trouble (a success rate, availability), by the words of their names. */
const HIGHER_IS_BETTER = /success|availab|apdex|uptime/i;
/**
 * Metrics of the calls a service makes (OpenTelemetry's http.client.*, rpc.client.*, a pod's
 * client latency): they measure its dependencies, not the service, and rise in every caller of a
 * service in trouble; they are not its own evidence.
 */
const OF_DEPENDENCIES = /client/i;
/**
 * Resource metrics (CPU, memory, network, disk, threads, restarts, throttling): what a pod uses,
 * which a fault of its own moves first. Latency, traffic and success metrics are symptoms that
 * spread to every caller; the traces and logs judge those (metricShiftOf 'all' judges them too).
 */
const RESOURCE =
  /cpu|mem|network|net\b|bytes|packet|throttl|restart|oom|disk|syscall|thread|heap|gc|file|fd\b/i;

/** The median of values (NaN for none); sorts them. */
function median(values: number[]): number {
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  const m = values.length >> 1;
  return values.length % 2 === 1 ? values[m]! : (values[m - 1]! + values[m]!) / 2;
}

/**
 * A service's own metrics against its own usual, read from the stored points (no detector needs
 * to have scored them first, so a store with a few reference minutes still ranks): per service
 * and metric, a window bucket's mean is abnormal when it lies beyond the high end of the
 * reference (the 1 − trimTop quantile: other incidents in the reference must not look usual) by
 * metricShiftFrom robust spreads at least (1.4826 × the median absolute deviation, so a metric
 * that always swings needs a larger move; a flat one, at least metricRelativeFloor of its level).
 * Above for every metric (CPU, memory, latency, bytes, restarts), below for those named as
 * higher-is-better (success rate, availability). The strongest metric of a service counts (the
 * kind is `metric`, like anomalies found at ingest).
 */
export const metricShiftSignals: SignalSource = ({ input, config, inWindow }) => {
  const series = new Map<string, ServiceMetricStats[]>();
  for (const r of input.metrics ?? []) {
    const key = `${r.service}\u0000${r.name}`;
    let l = series.get(key);
    if (l === undefined) series.set(key, (l = []));
    l.push(r);
  }
  // each series' reference and window, and per metric the level typical of the system: the
  // median over services of their usual (a rise from 0.006% to 0.06% CPU is tenfold, and nothing)
  type Series = {
    service: string;
    name: string;
    ref: ServiceMetricStats[];
    win: ServiceMetricStats[];
    usual: number;
  };
  const all: Series[] = [];
  const levels = new Map<string, number[]>();
  for (const rows of series.values()) {
    const { service, name } = rows[0]!;
    if (OF_DEPENDENCIES.test(name)) continue;
    if (config.metricShiftOf === 'resource' && !RESOURCE.test(name)) continue;
    const ref: ServiceMetricStats[] = [];
    const win: ServiceMetricStats[] = [];
    for (const r of rows) {
      if (!Number.isFinite(r.value)) continue;
      (inWindow(r.bucketMs) ? win : ref).push(r);
    }
    if (ref.length < config.metricMinReference) continue;
    const usual = median(ref.map((r) => r.value));
    let l = levels.get(name);
    if (l === undefined) levels.set(name, (l = []));
    l.push(Math.abs(usual));
    all.push({ service, name, ref, win, usual });
  }
  const typical = new Map([...levels].map(([name, l]) => [name, median(l)]));
  // how each series is judged: its usual edge, and whether a bucket's mean lies beyond it
  const judged = all.map((s) => ({ ...s, ...judge(s, typical.get(s.name) ?? 0, config) }));
  const holds =
    config.metricHoldFrom === 'setting' ? [] : holdsFromReference(judged, input.window, config);
  const out: FoundSignal[] = [];
  const perBucket = `per ${formatNumber(config.bucketMs / 60_000)} min`;
  for (const [i, s] of judged.entries()) {
    const { service, name, ref, win, usual, down, edge, abnormal: beyond, ratio } = s;
    const hold = holds[i] ?? config.metricMinBuckets;
    const abnormal = win.filter((r) => beyond(r.value)).sort((a, b) => a.bucketMs - b.bucketMs);
    if (abnormal.length < hold) continue;
    const worst = abnormal.reduce((a, r) => (ratio(r.value) > ratio(a.value) ? r : a));
    // a shift that lasts: the level of the hold-th most abnormal bucket (one spike of a noisy metric is not one)
    const held = abnormal.map((r) => Math.log2(ratio(r.value))).sort((a, b) => b - a)[hold - 1]!;
    const strength = level(held, config.metricRatioFrom, config.metricRatioFull);
    const when = bucketSpan(abnormal.map((r) => r.bucketMs));
    const score = config.metricShiftWeight * strength * proximity(when.onsetMs!, input, config);
    const times =
      usual > 0 && !down && worst.value / usual >= 1.5
        ? `, ${formatNumber(worst.value / usual)}× its usual`
        : '';
    const minutes = formatNumber((abnormal.length * config.bucketMs) / 60_000);
    const reason = `${name} ${down ? 'down' : 'up'} to ${formatNumber(worst.value)} ${perBucket} (${minutes} min beyond its usual)${times}: usually ${formatNumber(usual)}, ${down ? 'at least' : 'at most'} ${formatNumber(edge)} in ${formatNumber(100 * (1 - config.trimTop))}% of ${formatNumber((ref.length * config.bucketMs) / 60_000)} reference min${hold > 1 ? `; ${formatNumber((hold * config.bucketMs) / 60_000)} min needed: shorter excursions of this metric are common in the reference` : ''}`;
    out.push({
      service,
      signal: {
        kind: 'metric',
        score,
        reason,
        ref: {
          type: 'metric-shift',
          metric: name,
          value: worst.value,
          usual,
          edge,
          direction: down ? 'down' : 'up',
          timeMs: worst.bucketMs,
        },
        ...when,
      },
    });
  }
  return out;
};

/**
 * How a series is judged: its usual edge (the 1 − trimTop quantile of the reference; the low end
 * for higher-is-better metrics), its robust spread, and whether a bucket's mean lies beyond the
 * edge by metricShiftFrom spreads and 2^metricRatioFrom times.
 */
function judge(
  s: { name: string; ref: ServiceMetricStats[]; usual: number },
  system: number,
  config: InsightConfig,
): {
  down: boolean;
  edge: number;
  ratio: (v: number) => number;
  abnormal: (v: number) => boolean;
} {
  const { usual } = s;
  const values = s.ref.map((r) => r.value);
  const down = HIGHER_IS_BETTER.test(s.name);
  const sign = down ? -1 : 1;
  const edge =
    sign *
    upperQuantile(
      values.map((v) => sign * v),
      1 - config.trimTop,
    );
  const spread = Math.max(
    1.4826 * median(values.map((v) => Math.abs(v - usual))),
    config.metricRelativeFloor * Math.max(Math.abs(usual), Math.abs(edge), system),
    1e-9,
  );
  // how far beyond the usual edge, as a ratio (scale-free: CPU 26% → 99% and 1% → 99% alike are
  // full evidence, a quantised latency that steps 5 → 9 ms is not); for a metric that falls, the
  // ratio of the usual low edge to the value
  const ratio = (v: number) =>
    down
      ? Math.max(edge, 0) / Math.max(v, 1e-9)
      : Math.max(v, 0) / Math.max(edge, usual, system, 1e-9);
  return {
    down,
    edge,
    ratio,
    abnormal: (v) =>
      (sign * (v - edge)) / spread >= config.metricShiftFrom &&
      Math.log2(ratio(v)) > config.metricRatioFrom,
  };
}

/**
 * How many abnormal buckets a window needs before a series' shift counts, from the reference
 * itself. The reference is cut into stretches as long as the window; a hold is reached by chance
 * when at least 1 / services of the stretches reach it (one service in the system, every window).
 * The hold is the smallest count (at least metricMinBuckets) that neither the metric's stretches
 * over all services nor (metricHoldFrom 'service') the service's own reach by chance: a metric whose services spike for a
 * minute now and then, or a service whose own metric does, needs more than a minute; one that
 * never leaves its usual band needs one.
 */
function holdsFromReference(
  judged: { name: string; ref: ServiceMetricStats[]; abnormal: (v: number) => boolean }[],
  window: { fromMs: number; toMs: number },
  config: InsightConfig,
): number[] {
  const length = Math.max(1, Math.round((window.toMs - window.fromMs) / config.bucketMs));
  const stretchMs = length * config.bucketMs;
  // per series, and summed per name: how many stretches had each count of abnormal buckets
  const own = judged.map((s) => {
    const counts = new Map<number, number>();
    for (const r of s.ref) {
      const k = Math.floor((r.bucketMs - window.fromMs) / stretchMs);
      counts.set(k, (counts.get(k) ?? 0) + (s.abnormal(r.value) ? 1 : 0));
    }
    const stretches: number[] = [];
    for (const c of counts.values()) stretches[c] = (stretches[c] ?? 0) + 1;
    return stretches;
  });
  const byName = new Map<string, { series: number; stretches: number[] }>();
  judged.forEach((s, i) => {
    let n = byName.get(s.name);
    if (n === undefined) byName.set(s.name, (n = { series: 0, stretches: [] }));
    n.series++;
    own[i]!.forEach((c, k) => (n.stretches[k] = (n.stretches[k] ?? 0) + c));
  });
  const system = new Map([...byName].map(([name, n]) => [name, chanceHold(n.stretches, n.series)]));
  return judged.map((s, i) => {
    const services = byName.get(s.name)!.series;
    const hold = Math.max(
      system.get(s.name)!,
      config.metricHoldFrom === 'metric' ? 1 : chanceHold(own[i]!, services),
    );
    return Math.max(config.metricMinBuckets, Math.min(hold, length));
  });
}

/**
 * The smallest count of abnormal buckets that fewer than 1 / services of the stretches reach
 * (`stretches[c]`: how many stretches had c abnormal buckets): one more than any had is reached
 * by none; then down while few enough reach it.
 */
function chanceHold(stretches: number[], services: number): number {
  const total = stretches.reduce((a, c) => a + c, 0); // holes are skipped
  let hold = Math.max(1, stretches.length);
  let atLeast = 0;
  for (let k = stretches.length - 1; k >= 1; k--) {
    atLeast += stretches[k] ?? 0;
    if (atLeast * services >= total) break;
    hold = k;
  }
  return hold;
}
