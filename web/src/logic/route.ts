/** The page's state lives in the URL's hash: `#/traces?service=api&status=error` (deep links, back button). */
export interface Route {
  path: string;
  params: Record<string, string>;
}

/** "#/traces?service=api&x=" → { path: "/traces", params: { service: "api" } } (empty values dropped). */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)) || '/';
  const params: Record<string, string> = {};
  if (q >= 0)
    for (const [k, v] of new URLSearchParams(raw.slice(q + 1))) if (v !== '') params[k] = v;
  return { path, params };
}

/** The hash of a path with parameters, in a stable order; undefined and empty values left out. */
export function routeHash(
  path: string,
  params: Record<string, string | number | undefined>,
): string {
  const s = new URLSearchParams();
  for (const k of Object.keys(params).sort()) {
    const v = params[k];
    if (v !== undefined && v !== '') s.set(k, String(v));
  }
  const t = s.toString();
  return `#${path}${t === '' ? '' : `?${t}`}`;
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MAX_OF_UNIT = { m: 1440, h: 720, d: 30 } as const;

/** A range name of the explorers ("15m", "1h", "6h", "24h", "7d") in ms, at most 30 days; anything else is the default hour. */
export function rangeMs(name: string | undefined): number {
  const m = /^(\d{1,4})([mhd])$/.exec(name ?? '');
  if (m === null) return 3_600_000;
  const unit = m[2] as keyof typeof UNIT_MS;
  return Math.max(1, Math.min(Number(m[1]), MAX_OF_UNIT[unit])) * UNIT_MS[unit];
}
