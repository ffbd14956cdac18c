/** A time window shown on the x axis, in ms. */
export interface View {
  fromMs: number;
  toMs: number;
}

/** x pixel of a time, and the time of an x pixel, for a view drawn across `width` pixels. */
export const xOf = (v: View, width: number, t: number): number =>
  ((t - v.fromMs) / (v.toMs - v.fromMs)) * width;
export const timeOf = (v: View, width: number, x: number): number =>
  v.fromMs + (x / width) * (v.toMs - v.fromMs);

const MIN_SPAN = 60_000;

/** Zoom by `factor` (< 1 in, > 1 out) keeping the time under the cursor where it is; never narrower than a minute. */
export function zoom(v: View, width: number, x: number, factor: number): View {
  const at = timeOf(v, width, x);
  const span = Math.max(MIN_SPAN, (v.toMs - v.fromMs) * factor);
  const left = (x / width) * span;
  return { fromMs: at - left, toMs: at - left + span };
}

/** Move the view by dx pixels (drag right shows earlier times). */
export function pan(v: View, width: number, dx: number): View {
  const dt = (dx / width) * (v.toMs - v.fromMs);
  return { fromMs: v.fromMs - dt, toMs: v.toMs - dt };
}

/** The view of a brushed pixel range (at least a minute). */
export function brush(v: View, width: number, x0: number, x1: number): View {
  const a = timeOf(v, width, Math.min(x0, x1));
  const b = timeOf(v, width, Math.max(x0, x1));
  return b - a < MIN_SPAN ? { fromMs: a, toMs: a + MIN_SPAN } : { fromMs: a, toMs: b };
}

/** Every incident's span with 5 % margin on each side (what "fit" shows). */
export function fit(spans: readonly { fromMs: number; toMs: number }[]): View {
  if (spans.length === 0) {
    const now = Date.now();
    return { fromMs: now - 3_600_000, toMs: now };
  }
  const a = Math.min(...spans.map((s) => s.fromMs));
  const b = Math.max(...spans.map((s) => s.toMs));
  const m = Math.max((b - a) * 0.05, 60_000);
  return { fromMs: a - m, toMs: b + m };
}

/** Tick marks at a round step (1 min … 1 day) giving about `want` ticks across the view. */
export function ticks(v: View, want = 8): number[] {
  const steps = [
    60_000,
    300_000,
    900_000,
    1_800_000,
    3_600_000,
    3 * 3_600_000,
    6 * 3_600_000,
    12 * 3_600_000,
    86_400_000,
    7 * 86_400_000,
  ];
  const span = v.toMs - v.fromMs;
  const step = steps.find((s) => span / s <= want) ?? steps[steps.length - 1]!;
  const out: number[] = [];
  for (let t = Math.ceil(v.fromMs / step) * step; t <= v.toMs; t += step) out.push(t);
  return out;
}

/** Binary search: the first index whose time is ≥ t in times sorted ascending (draw only what is in view). */
export function firstAtOrAfter(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
