import { pinnedEnd } from './range.js';
import { rangeMs, routeHash } from './route.js';

/** The ranges the logs explorer offers. */
export const LOG_RANGES = ['15m', '1h', '6h', '24h', '7d'] as const;
/** The lowest level shown: every line, warnings and worse, errors and worse. */
export const LOG_LEVELS = ['warn', 'error'] as const;

/** What the logs explorer shows: all of it lives in the URL (`#/logs?service=cart&q=timeout`). */
export interface LogFilter {
  range: string;
  service?: string;
  severity?: (typeof LOG_LEVELS)[number];
  q?: string;
  template?: string;
  /** The end of the range a person pinned (see pinnedEnd); absent, it follows the newest data. */
  to?: string;
}

/** The filter in a route's parameters: unknown ranges and levels fall back, blank text is none. */
export function logFilterOf(params: Record<string, string>): LogFilter {
  const f: LogFilter = {
    range: (LOG_RANGES as readonly string[]).includes(params.range ?? '') ? params.range! : '1h',
  };
  if (params.service !== undefined && params.service !== '') f.service = params.service;
  const level = LOG_LEVELS.find((l) => l === params.severity);
  if (level !== undefined) f.severity = level;
  const q = params.q?.trim();
  if (q !== undefined && q !== '') f.q = q;
  if (params.template !== undefined && params.template !== '') f.template = params.template;
  if (params.to !== undefined && pinnedEnd(params) !== undefined) f.to = params.to;
  return f;
}

/** The `/api/v1/logs` query of a filter, for the range that ends at `toMs` (the views' focus). */
export function logsQueryOf(
  f: LogFilter,
  toMs: number,
): {
  from: string;
  to: string;
  service?: string;
  severity?: string;
  q?: string;
  template?: string;
} {
  return {
    from: new Date(toMs - rangeMs(f.range)).toISOString(),
    to: new Date(toMs).toISOString(),
    ...(f.service === undefined ? {} : { service: f.service }),
    ...(f.severity === undefined ? {} : { severity: f.severity }),
    ...(f.q === undefined ? {} : { q: f.q }),
    ...(f.template === undefined ? {} : { template: f.template }),
  };
}

/** The explorer's link with the filter changed in `over` (undefined removes a part). */
export function logsHash(
  f: LogFilter,
  over: Partial<Record<keyof LogFilter, string | undefined>>,
): string {
  return routeHash('/logs', { ...f, ...over });
}
