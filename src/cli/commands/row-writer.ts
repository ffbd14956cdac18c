import type { WriteStream } from 'node:fs';
import type { ReadOutcome } from '../../core/ports/log-source.port.js';

/** Buffered lines to a file, 64 KiB at a time, waiting for the stream to drain. */
export class RowWriter {
  private buf: string[] = [];
  private size = 0;
  constructor(
    private readonly stream: WriteStream,
    header?: string,
  ) {
    if (header !== undefined) this.line(header);
  }
  line(s: string): void {
    this.buf.push(s);
    this.size += s.length;
  }
  async flush(force = false): Promise<void> {
    if (this.size < 64 * 1024 && !force) return;
    const chunk = this.buf.join('');
    this.buf = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await new Promise<void>((r) => this.stream.once('drain', r));
  }
  async close(): Promise<void> {
    await this.flush(true);
    await new Promise<void>((res, rej) => {
      this.stream.once('error', rej);
      this.stream.end(res);
    });
  }
}

/**
 * Closes a scored file's writer and says what went wrong with the file, if anything: the input
 * could not be read, could not start (fatal), or the output could not be written (said last, as
 * it wins: the scored rows are not where asked).
 */
export async function finishScoredFile(
  name: string,
  outcome: ReadOutcome,
  fatal: string | undefined,
  writer: RowWriter | undefined,
  target: string | undefined,
  writeError: Error | undefined,
): Promise<{ written?: string; error?: string }> {
  let failedWrite = writeError;
  if (writer !== undefined)
    await writer.close().catch((e: unknown) => {
      failedWrite ??= e as Error;
    });
  const out: { written?: string; error?: string } = {};
  if (writer !== undefined && target !== undefined) out.written = target;
  if (outcome.status === 'failed') out.error = outcome.error.message;
  else if (fatal !== undefined) out.error = `${name}: ${fatal}`;
  if (failedWrite !== undefined)
    out.error = `${target ?? name}: cannot write (${(failedWrite as NodeJS.ErrnoException).code ?? failedWrite.message})`;
  return out;
}
