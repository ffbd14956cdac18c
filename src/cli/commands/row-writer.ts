import type { WriteStream } from 'node:fs';

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
