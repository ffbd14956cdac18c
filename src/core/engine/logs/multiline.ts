import type { LogRecord, LogResource } from '../../domain/log-record.js';
import type { ParsedLine } from './formats/parsed-line.js';

/**
 * Joins stack traces and continuation lines to the record they belong to: Java
 * (`\tat …`, `Caused by:`, `... 5 more`), Python (`Traceback …`, `  File …`, the closing
 * `ValueError: …`), Go (`goroutine 1 [running]:`, frames and `\t/file.go:12`), Node
 * (`    at …`), indented lines in general, and — in sources whose lines carry headers — any
 * line without a header. Bounded: a record stops growing at `maxLines` / `maxChars`.
 */
export interface AssemblerOptions {
  /** True when the source's lines carry headers (then header-less lines always continue). */
  headered: boolean;
  maxLines?: number;
  maxChars?: number;
}

const DEFAULT_MAX_LINES = 500;
const JAVA_EXCEPTION_LINE = /^(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable)(?::|$)/;
const DEFAULT_MAX_CHARS = 64 * 1024;

export class RecordAssembler {
  private current: LogRecord | undefined;
  private parts: string[] = [];
  private chars = 0;
  private inPythonTrace = false;
  private inGoTrace = false;
  private pendingPartial = false;
  private readonly maxLines: number;
  private readonly maxChars: number;

  constructor(
    private readonly options: AssemblerOptions,
    private readonly resource: LogResource,
    private readonly emit: (r: LogRecord) => void,
  ) {
    this.maxLines = options.maxLines ?? DEFAULT_MAX_LINES;
    this.maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  }

  push(p: ParsedLine, line: number): void {
    if (p.skip === true) return;
    const msg = p.message;
    if (
      this.current !== undefined &&
      this.parts.length < this.maxLines &&
      this.chars + msg.length < this.maxChars
    ) {
      if (this.pendingPartial) {
        // CRI/docker partial line: the text continues without a newline
        this.parts[this.parts.length - 1] = this.parts[this.parts.length - 1]! + msg;
        this.chars += msg.length;
        this.current.lineCount++;
        this.pendingPartial = p.partial;
        return;
      }
      if (this.continues(p, msg)) {
        this.parts.push(msg);
        this.chars += msg.length + 1;
        this.current.lineCount++;
        this.pendingPartial = p.partial;
        return;
      }
    }
    if (msg.length === 0 && !p.hasHeader) return; // blank lines separate, they are not records
    this.flush();
    this.inPythonTrace = msg.startsWith('Traceback (most recent call last)');
    this.inGoTrace = msg.startsWith('panic: ') || msg.startsWith('fatal error: ');
    this.pendingPartial = p.partial;
    const resource: LogResource =
      p.service === undefined ? this.resource : { ...this.resource, service: p.service };
    this.current = {
      line,
      lineCount: 1,
      timeMs: p.timeMs,
      severity: p.severity,
      severityText: p.severityText,
      body: '',
      resource,
      hasHeader: p.hasHeader,
      ...(p.stream === undefined ? {} : { stream: p.stream }),
      ...(p.mineText === undefined ? {} : { mineText: p.mineText }),
    };
    this.parts = [msg];
    this.chars = msg.length;
  }

  /** Emits the record being assembled, if any. Call at the end of a source. */
  flush(): void {
    if (this.current === undefined) return;
    this.current.body = this.parts.length === 1 ? this.parts[0]! : this.parts.join('\n');
    const r = this.current;
    this.current = undefined;
    this.parts = [];
    this.emit(r);
  }

  private continues(p: ParsedLine, msg: string): boolean {
    if (msg.length === 0) return this.inGoTrace; // blank line inside a Go panic
    const c0 = msg.charCodeAt(0);
    if (c0 === 32 || c0 === 9) {
      if (msg.includes('File "')) this.inPythonTrace = true;
      return true;
    }
    if (msg.startsWith('Traceback (most recent call last)')) {
      // belongs to the record before when lines carry headers or that record was a warning/error
      if (!this.options.headered && (this.current?.severity ?? 0) < 13) return false;
      this.inPythonTrace = true;
      return true;
    }
    if (this.inPythonTrace) {
      // the exception line closes a Python traceback
      this.inPythonTrace = false;
      if (/^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning)\b/.test(msg)) return true;
    }
    if (
      msg.startsWith('Caused by: ') ||
      msg.startsWith('Suppressed: ') ||
      (msg.startsWith('... ') && msg.endsWith(' more'))
    )
      return true;
    if (msg.startsWith('goroutine ') && msg.endsWith(':')) {
      this.inGoTrace = true;
      return true;
    }
    if (this.inGoTrace && !p.hasHeader) {
      if (
        msg.startsWith('created by ') ||
        msg.startsWith('exit status ') ||
        msg.endsWith(')') ||
        msg.startsWith('[signal ')
      )
        return true;
      this.inGoTrace = false;
    }
    if (this.options.headered && !p.hasHeader) return true;
    // a Java exception line right after the record it explains ("ERROR failed\njava.lang.X: boom")
    return !p.hasHeader && JAVA_EXCEPTION_LINE.test(msg);
  }
}
