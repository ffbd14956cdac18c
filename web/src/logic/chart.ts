/** Time-series arithmetic for the charts: a step that suits a range, and series on one time axis. */
import type { RedPoint } from '../api/types.js';

/** One line of a chart: points at their times (ms), in any order. */
export interface ChartSeries {
  label: string;
  points: readonly { tMs: number; v: number }[];
}

/** uPlot's aligned data: the times (seconds) and each series' value at them (null: no point there). */
export interface AlignedChart {
  x: number[];
  ys: (number | null)[][];
}

const STEPS = [
  10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
];

/** The smallest step (s) from a round list that keeps a range to at most `maxPoints` points (≥ 10 s). */
export function stepFor(rangeMs: number, maxPoints = 180): number {
  const want = rangeMs / 1000 / Math.max(1, maxPoints);
  return STEPS.find((s) => s >= want) ?? Math.ceil(want / 86_400) * 86_400;
}

/** Series of different times onto one sorted time axis; a series has null where it has no point. Duplicate times of a series: the last wins. */
export function alignSeries(series: readonly ChartSeries[]): AlignedChart {
  const times = new Set<number>();
  for (const s of series) for (const p of s.points) if (Number.isFinite(p.tMs)) times.add(p.tMs);
  const x = [...times].sort((a, b) => a - b);
  const at = new Map(x.map((t, i) => [t, i]));
  const ys = series.map((s) => {
    const row = new Array<number | null>(x.length).fill(null);
    for (const p of s.points) {
      const i = at.get(p.tMs);
      if (i !== undefined) row[i] = Number.isFinite(p.v) ? p.v : null;
    }
    return row;
  });
  return { x: x.map((t) => t / 1000), ys };
}

/**
 * Steps with no point inside [fromMs, toMs) filled with zeros, for counts (a template's records,
 * spans, errors) where no row means none happened, not "unknown".
 */
export function zeroFill(
  points: readonly { tMs: number; v: number }[],
  range: { fromMs: number; toMs: number; stepMs: number },
): { tMs: number; v: number }[] {
  const by = new Map<number, number>();
  for (const p of points) {
    const b = Math.floor(p.tMs / range.stepMs) * range.stepMs;
    by.set(b, (by.get(b) ?? 0) + p.v);
  }
  const out: { tMs: number; v: number }[] = [];
  for (
    let t = Math.floor(range.fromMs / range.stepMs) * range.stepMs;
    t < range.toMs && out.length < 100_000;
    t += range.stepMs
  )
    out.push({ tMs: t, v: by.get(t) ?? 0 });
  return out;
}

/** The range a chart of an incident shows: from 30 min before its first symptom to 15 min after its last (at least an hour). */
export function incidentChartRange(i: { firstSymptomMs: number; lastSymptomMs: number }): {
  fromMs: number;
  toMs: number;
} {
  const fromMs = i.firstSymptomMs - 30 * 60_000;
  return { fromMs, toMs: Math.max(i.lastSymptomMs + 15 * 60_000, fromMs + 3_600_000) };
}

/** Time-axis labels in UTC: "HH:MM" (":SS" when a step is under a minute), the date on the first label and where the day changes. */
export function axisTimes(splitsSec: readonly number[]): string[] {
  const fine = splitsSec.some((t) => t % 60 !== 0);
  let day = '';
  return splitsSec.map((t) => {
    const iso = new Date(t * 1000).toISOString();
    const time = fine ? iso.slice(11, 19) : iso.slice(11, 16);
    const d = iso.slice(0, 10);
    if (d === day) return time;
    day = d;
    return `${d}\n${time}`;
  });
}

/** The call paths of /api/v1/calls between `service` and `peers` (a network signal's), as one series each: the median time outside the callee. */
export function callSeries(
  paths: readonly {
    caller: string;
    callee: string;
    points: readonly { time: string; gapMs: number }[];
  }[],
  service: string,
  peers: readonly string[],
): ChartSeries[] {
  return paths
    .filter(
      (p) =>
        (p.caller === service && peers.includes(p.callee)) ||
        (p.callee === service && peers.includes(p.caller)),
    )
    .map((p) => ({
      label: `${p.caller} → ${p.callee}`,
      points: p.points.map((x) => ({ tMs: Date.parse(x.time), v: x.gapMs })),
    }));
}

/** The calls of /api/v1/peer-calls summed over the callers, as two series: answered, and left unanswered (zero-filled). */
export function peerCallSeries(
  callers: readonly { points: readonly { time: string; calls: number; answered: number }[] }[],
  range: { fromMs: number; toMs: number; stepMs: number },
): ChartSeries[] {
  const answered = new Map<number, number>();
  const unanswered = new Map<number, number>();
  for (const c of callers)
    for (const p of c.points) {
      const t = Date.parse(p.time);
      answered.set(t, (answered.get(t) ?? 0) + p.answered);
      unanswered.set(t, (unanswered.get(t) ?? 0) + p.calls - p.answered);
    }
  const points = (m: Map<number, number>) =>
    zeroFill(
      [...m].map(([tMs, v]) => ({ tMs, v })),
      range,
    );
  return [
    { label: 'answered', points: points(answered) },
    { label: 'unanswered', points: points(unanswered) },
  ];
}

/** RED points of /api/v1/red as three charts' series: spans and failed spans, requests and failed requests (zero-filled counts), and p90 and p50 duration. */
export function redSeries(
  points: readonly RedPoint[],
  range: { fromMs: number; toMs: number; stepMs: number },
): { counts: ChartSeries[]; requests: ChartSeries[]; latency: ChartSeries[] } {
  const at = (p: { time: string }) => Date.parse(p.time);
  const count = (v: (p: RedPoint) => number) =>
    zeroFill(
      points.map((p) => ({ tMs: at(p), v: v(p) })),
      range,
    );
  return {
    counts: [
      { label: 'spans', points: count((p) => p.spans) },
      { label: 'failed', points: count((p) => p.errors) },
    ],
    // failed requests, and those whose failure began in the service (not passed up from a call it made)
    requests: [
      { label: 'requests', points: count((p) => p.requests) },
      { label: 'failed', points: count((p) => p.failedRequests) },
      { label: 'failed in it', points: count((p) => p.ownFailedRequests) },
    ],
    latency: [
      { label: 'p90 ms', points: points.map((p) => ({ tMs: at(p), v: p.p90Ms })) },
      { label: 'p50 ms', points: points.map((p) => ({ tMs: at(p), v: p.p50Ms })) },
    ],
  };
}
