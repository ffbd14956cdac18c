import type { PointExplanation } from './explanation.js';

/** 3 significant digits, no exponent for everyday magnitudes: 412, 0.812, 1.23e+9. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e7 || a < 1e-4) return v.toPrecision(3).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(3)));
}

/** "3h 20m", "2d 4h", "45s". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d ${h % 24}h`;
}

/** "2014-04-10 07:15 UTC". */
export function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function times(ratio: number): string {
  return `${ratio.toFixed(1)}×`;
}

/** ", amid variability 2.9× its usual" when the recent spread is at least twice the usual one. */
function amidVariability(e: PointExplanation): string {
  const r = e.spreadNow / Math.max(e.spreadUsual, 1e-300);
  return r >= 2 && Number.isFinite(r) ? `, amid variability ${times(r)} its usual` : '';
}

/** The reason a person reads, from what the detector saw. */
export function describeAnomaly(e: PointExplanation): string {
  const f = formatNumber;
  switch (e.kind) {
    case 'spike':
      if (e.record === 0)
        return `value ${f(e.value)} is ${f(e.value - e.baseline)} above ${f(e.baseline)}, the first rise of a series that had not moved before`;
      return `value ${f(e.value)} is ${f(e.value - e.baseline)} above its recent baseline ${f(e.baseline)}, ${times(e.ratio)} the largest rise seen before (${f(e.record)})${amidVariability(e)}`;
    case 'dip':
      if (e.record === 0)
        return `value ${f(e.value)} is ${f(e.baseline - e.value)} below ${f(e.baseline)}, the first drop of a series that had not moved before`;
      return `value ${f(e.value)} is ${f(e.baseline - e.value)} below its recent baseline ${f(e.baseline)}, ${times(e.ratio)} the largest drop seen before (${f(e.record)})${amidVariability(e)}`;
    case 'level-shift':
      return e.seasonal
        ? `level shift against the ${e.period} pattern since ${formatTime(e.shiftSince)}: now ${f(e.value)} where ${f(e.expected)} is usual at this time of ${e.period === 'daily' ? 'day' : 'the week'}`
        : `level shift: mean ${f(e.shiftFrom)} → ${f(e.shiftMean)} since ${formatTime(e.shiftSince)}`;
    case 'seasonal': {
      const dev = Math.abs(e.value - e.expected) / Math.max(e.seasonalScale, 1e-300);
      const when =
        e.period === 'daily'
          ? 'same time of day on previous days'
          : 'same weekday and time in previous weeks';
      return `value ${f(e.value)} is ${dev.toFixed(1)} deviations ${e.value >= e.expected ? 'above' : 'below'} its ${e.period} pattern ${f(e.expected)} (${when})`;
    }
    case 'stuck':
      return `value stuck at ${f(e.value)} for ${formatDuration(e.stuckMs)}, longer than any repeat seen before (${formatDuration(e.stuckRecordMs)})`;
    case 'variance':
      return `variability up: recent spread ±${f(e.spreadNow)} is ${times(e.spreadNow / Math.max(e.spreadUsual, 1e-300))} its usual ±${f(e.spreadUsual)}`;
  }
}
