import { Readable } from 'node:stream';
import type { LogSource } from '../../core/ports/log-source.port.js';
import { DEFAULT_MAX_LINE_LENGTH, readLines } from './line-reader.js';

/** Bytes already in memory (an HTTP body, an upload) as a LogSource: gzip, binary and long lines handled as for files. */
export function createBufferSource(
  name: string,
  bytes: Buffer,
  maxLineLength = DEFAULT_MAX_LINE_LENGTH,
): LogSource {
  return {
    name,
    read: (sink) => readLines(name, Readable.from([bytes]), sink, { maxLineLength }),
  };
}
