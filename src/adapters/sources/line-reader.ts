import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { AppError } from '../../core/errors.js';
import type { LineSink, ReadOutcome } from '../../core/ports/log-source.port.js';

export interface LineReaderOptions {
  /** Longer lines are cut to this many characters and counted as truncated. */
  maxLineLength: number;
  /** Called with bytes read so far (for progress bars). */
  onProgress?: (bytes: number) => void;
}

export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;
const SNIFF_BYTES = 8192;

/**
 * Streams lines from a byte stream in constant memory: gzip recognised by its magic bytes
 * (also without a .gz name), CRLF and LF, invalid UTF-8 replaced by U+FFFD, lines longer than
 * the limit cut and counted (the rest of the line is skipped without being buffered), binary
 * data detected in the first 8 KiB and refused with a reason.
 */
export async function readLines(
  name: string,
  input: Readable,
  sink: LineSink,
  options: LineReaderOptions,
): Promise<ReadOutcome> {
  const max = options.maxLineLength;
  let bytes = 0;
  let lines = 0;
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let pendingLen = 0;
  let overflow = false;
  let sniffed = false;

  const emit = (piece: string) => {
    let line: string;
    if (pendingLen > 0) {
      line = overflow ? pending : pending + piece.slice(0, Math.max(0, max - pendingLen));
      if (!overflow && pendingLen + piece.length > max) overflow = true;
    } else if (piece.length > max) {
      line = piece.slice(0, max);
      overflow = true;
    } else line = piece;
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    lines++;
    sink.push(line, overflow);
    pending = '';
    pendingLen = 0;
    overflow = false;
  };

  const onText = (text: string) => {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      emit(start === 0 && nl === text.length - 1 ? text.slice(0, nl) : text.slice(start, nl));
      start = nl + 1;
    }
    if (start < text.length) {
      // keep at most `max` chars of an unfinished line; the rest is dropped and the line marked
      const rest = text.length - start;
      if (pendingLen + rest > max) {
        if (pendingLen < max) pending += text.slice(start, start + (max - pendingLen));
        pendingLen = max;
        overflow = true;
      } else {
        pending += start === 0 ? text : text.slice(start);
        pendingLen += rest;
      }
    }
  };

  let stream: AsyncIterable<Buffer>;
  let gunzipError: Error | undefined;
  try {
    const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let first = await it.next();
    // the first chunk (at least the 2 bytes of the gzip magic) decides gzip and binary data;
    // waiting for more would stall a live stream (tail -f | bifrost parse --stream)
    const head: Buffer[] = [];
    let headLen = 0;
    while (first.done !== true) {
      head.push(first.value);
      headLen += first.value.length;
      if (headLen >= 2) break;
      first = await it.next();
    }
    const headBuf = Buffer.concat(head);
    const restDone = first.done === true;
    const chain = async function* (): AsyncGenerator<Buffer> {
      if (headBuf.length > 0) yield headBuf;
      if (restDone) return;
      for (;;) {
        const r = await it.next();
        if (r.done === true) return;
        yield r.value;
      }
    };
    const counted = async function* (src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const b of src) {
        bytes += b.length;
        options.onProgress?.(bytes);
        yield b;
      }
    };
    if (headBuf.length >= 2 && headBuf[0] === 0x1f && headBuf[1] === 0x8b) {
      const gunzip = createGunzip();
      const rawChain = counted(chain());
      // pump compressed bytes into gunzip; errors surface on the gunzip stream
      void (async () => {
        try {
          for await (const b of rawChain) {
            if (gunzip.destroyed) return;
            if (!gunzip.write(b)) {
              await new Promise<void>((res) => {
                gunzip.once('drain', res);
                gunzip.once('close', res);
              });
            }
          }
          gunzip.end();
        } catch (err) {
          gunzip.destroy(err as Error);
        }
      })();
      gunzip.on('error', (e) => {
        gunzipError = e;
      });
      stream = gunzip;
    } else {
      stream = counted(chain());
    }
    for await (const chunk of stream) {
      if (!sniffed) {
        sniffed = true;
        const why = binaryReason(chunk);
        if (why !== undefined) {
          input.destroy();
          return {
            status: 'failed',
            error: new AppError('INPUT.BINARY', `${name}: skipped, ${why}`, { source: name }),
            value: { bytes, lines },
          };
        }
      }
      onText(decoder.write(chunk));
      if (sink.flush !== undefined) await sink.flush();
    }
  } catch (err) {
    const e = gunzipError ?? (err as Error);
    finishPending();
    const code = (e as NodeJS.ErrnoException).code;
    if (
      code === 'Z_BUF_ERROR' ||
      code === 'Z_DATA_ERROR' ||
      /unexpected end of file|incorrect header check|invalid/.test(e.message)
    ) {
      return {
        status: 'failed',
        error: new AppError(
          'INPUT.TRUNCATED',
          `${name}: gzip data is truncated or corrupt at compressed byte ${bytes} (${e.message}); the ${lines} lines before it were analysed`,
          { source: name, offset: bytes, lines },
          e,
        ),
        value: { bytes, lines },
      };
    }
    return {
      status: 'failed',
      error: new AppError(
        'INPUT.UNREADABLE',
        `${name}: read failed after ${lines} lines: ${e.message}`,
        { source: name, lines },
        e,
      ),
      value: { bytes, lines },
    };
  }
  finishPending();
  return { status: 'ok', value: { bytes, lines } };

  function finishPending(): void {
    const tail = decoder.end();
    if (tail.length > 0) onText(tail);
    if (pendingLen > 0) emit('');
  }
}

/** Why a chunk looks like binary data rather than text, or undefined. */
export function binaryReason(chunk: Buffer): string | undefined {
  const n = Math.min(chunk.length, SNIFF_BYTES);
  if (n === 0) return undefined;
  let nul = 0;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = chunk[i]!;
    if (b === 0) nul++;
    else if (b < 9 || (b > 13 && b < 32 && b !== 27)) control++;
  }
  if (nul > 0)
    return `binary data (${nul} NUL bytes in the first ${n} bytes; UTF-16 text is not supported, convert it to UTF-8)`;
  if (control / n > 0.1)
    return `binary data (${Math.round((control / n) * 100)}% control characters in the first ${n} bytes)`;
  return undefined;
}
