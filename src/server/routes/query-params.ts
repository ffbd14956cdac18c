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
