import { parseDuration } from '../../core/domain/time-text.js';
import { AppError } from '../../core/errors.js';

/** ISO date-time (no zone = UTC) or epoch milliseconds, for query parameters. */
export function timeParam(name: string, v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
  if (!Number.isFinite(n))
    throw new AppError(
      'INPUT.BAD_OPTION',
      `${name}: expected an ISO date-time or epoch milliseconds, got "${v}"`,
      { field: name },
    );
  return n;
}

/** Query-string fields several routes share (the same wording in the OpenAPI document). */
export const FROM = {
  type: 'string',
  description: 'ISO date-time or epoch ms (inclusive)',
} as const;
export const TO = { type: 'string', description: 'ISO date-time or epoch ms (exclusive)' } as const;
export const PAGE = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  cursor: { type: 'string', maxLength: 512 },
} as const;

/** Durations as the CLI takes them; the pattern admits only what parseDuration reads. */
export const DURATION = {
  type: 'string',
  pattern: '^[1-9][0-9]{0,5}(s|m|h|d)$',
  description: 'e.g. 30s, 10m, 2h',
} as const;
export const duration = (v: string) => parseDuration(v)!;

/** from/to parameters: defaults ending now and spanning `defaultMs`; `to` must come after `from`. */
export function rangeParams(
  from: string | undefined,
  to: string | undefined,
  defaultMs: number,
): { fromMs: number; toMs: number } {
  const toMs = timeParam('to', to) ?? Date.now();
  const fromMs = timeParam('from', from) ?? toMs - defaultMs;
  if (toMs <= fromMs)
    throw new AppError('INPUT.BAD_OPTION', 'to must be after from', { field: 'to' });
  return { fromMs, toMs };
}

/** The range of a series over time (default: the last hour), refused beyond 10,000 steps. */
export function seriesRange(q: { from?: string; to?: string; step: number }): {
  fromMs: number;
  toMs: number;
} {
  const r = rangeParams(q.from, q.to, 3_600_000);
  if ((r.toMs - r.fromMs) / (q.step * 1000) > 10_000)
    throw new AppError(
      'INPUT.BAD_OPTION',
      'more than 10,000 steps: use a larger step or a shorter range',
      { field: 'step' },
    );
  return r;
}

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 64 } },
} as const;

/** from/to parameters that may be absent (no default). */
export function optionalRange(
  from: string | undefined,
  to: string | undefined,
): { fromMs?: number; toMs?: number } {
  const f = timeParam('from', from);
  const t = timeParam('to', to);
  return { ...(f === undefined ? {} : { fromMs: f }), ...(t === undefined ? {} : { toMs: t }) };
}

/** One service's series over time: the service, the range and the step in seconds. */
export const SERVICE_SERIES_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    service: { type: 'string', minLength: 1, maxLength: 512 },
    from: FROM,
    to: TO,
    step: {
      type: 'integer',
      minimum: 1,
      maximum: 86_400,
      default: 60,
      description: 'step in seconds',
    },
  },
  required: ['service'],
} as const;
