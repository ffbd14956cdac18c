/** 2026-11-23 10:05:07 UTC → "10:05:07" on the same day as `ref`, else "2026-11-23 10:05". */
export function shortTime(ms: number, refMs?: number): string {
  const iso = new Date(ms).toISOString();
  const sameDay =
    refMs !== undefined && iso.slice(0, 10) === new Date(refMs).toISOString().slice(0, 10);
  return sameDay ? iso.slice(11, 19) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** 95_000 → "1m 35s"; 7_380_000 → "2h 3m"; under a second → "0s". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m}m` : `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function percent(x: number): string {
  if (x === 0) return '0%';
  if (x < 0.001) return '<0.1%';
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
}
