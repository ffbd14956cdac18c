import type { ErrorCode } from '../core/errors.js';

/** The one table from error codes to HTTP statuses (CONVENTIONS.md). */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  'INPUT.NOT_FOUND': 404,
  'INPUT.UNREADABLE': 400,
  'INPUT.BINARY': 400,
  'INPUT.TRUNCATED': 400,
  'INPUT.BAD_LAYOUT': 400,
  'INPUT.BAD_OPTION': 400,
  'INPUT.EMPTY': 400,
  'INPUT.TOO_LARGE': 413,
  'INPUT.UNSUPPORTED_MEDIA': 415,
  'AUTH.REFUSED': 401,
  'CACHE.UNAVAILABLE': 503,
  'STORE.UNAVAILABLE': 503,
  'STORE.LOCKED': 503,
  'STORE.REJECTED': 400,
  INTERNAL: 500,
};
