import type { AppError } from '../errors.js';

/** Receives the lines of one source, in order. */
export interface LineSink {
  push(line: string, truncated: boolean): void;
  /** Awaited after each chunk of lines: lets a slow consumer (stdout) apply backpressure. */
  flush?(): Promise<void>;
}

export interface ReadStats {
  /** Bytes read from the source (compressed size for .gz). */
  bytes: number;
  lines: number;
}

export type ReadOutcome =
  { status: 'ok'; value: ReadStats } | { status: 'failed'; error: AppError; value: ReadStats };

/** One readable log source (a file, stdin, a .gz): `read` streams its lines into a sink. */
export interface LogSource {
  /** Display name: the path as given, or "stdin". */
  readonly name: string;
  read(sink: LineSink): Promise<ReadOutcome>;
}

/** Expected I/O outcomes are values (CONVENTIONS.md): ok, or failed with an AppError. */
export type Result<T> = { status: 'ok'; value: T } | { status: 'failed'; error: AppError };
