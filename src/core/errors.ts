/**
 * Error codes are stable strings: callers and the HTTP layer switch on them, people read the message.
 * Details carry no secrets.
 */
export type ErrorCode =
  | 'INPUT.NOT_FOUND'
  | 'INPUT.UNREADABLE'
  | 'INPUT.BINARY'
  | 'INPUT.TRUNCATED'
  | 'INPUT.BAD_LAYOUT'
  | 'INPUT.BAD_OPTION'
  | 'INPUT.EMPTY'
  | 'CACHE.UNAVAILABLE'
  | 'STORE.UNAVAILABLE'
  | 'STORE.LOCKED'
  /** The store cannot hold a value of the request (out of a column's range): sending it again will not help. */
  | 'STORE.REJECTED'
  | 'INPUT.TOO_LARGE'
  | 'INPUT.UNSUPPORTED_MEDIA'
  /** A credential (an enrolment token, its proof) was refused: unknown, expired, used or forged. */
  | 'AUTH.REFUSED'
  | 'INTERNAL';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'AppError';
    this.code = code;
    this.details = Object.freeze({ ...details });
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
