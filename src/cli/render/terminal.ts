import pc from 'picocolors';
import type { Writable } from 'node:stream';

export type Colors = ReturnType<typeof pc.createColors>;

/** The only writer to the terminal: stdout for results, stderr for messages and progress. */
export interface Terminal {
  readonly colors: Colors;
  /** Columns of the output terminal, or undefined when not a TTY (no clipping). */
  readonly columns: number | undefined;
  readonly isTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly stderr: Writable;
  /** Writes results; resolves when the stream accepted them (backpressure honoured). */
  out(text: string): Promise<void>;
  /** A message for the person at the terminal (never mixed into results). */
  err(text: string): void;
}

export interface TerminalStreams {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
}

/** Colours only on a TTY; NO_COLOR (any value) turns them off, FORCE_COLOR on. */
export function createTerminal(s: TerminalStreams): Terminal {
  const tty = s.stdout.isTTY === true;
  const noColor = s.env.NO_COLOR !== undefined && s.env.NO_COLOR !== '';
  const force = s.env.FORCE_COLOR !== undefined && s.env.FORCE_COLOR !== '0';
  const colors = pc.createColors(!noColor && (tty || force));
  return {
    colors,
    columns: tty ? (s.stdout.columns ?? 100) : undefined,
    isTTY: tty,
    stderrIsTTY: s.stderr.isTTY === true,
    stderr: s.stderr,
    out: (text) =>
      new Promise<void>((resolve, reject) => {
        if (s.stdout.write(text)) resolve();
        else {
          const onDrain = () => {
            s.stdout.off('error', onError);
            resolve();
          };
          const onError = (e: Error) => {
            s.stdout.off('drain', onDrain);
            reject(e);
          };
          s.stdout.once('drain', onDrain);
          s.stdout.once('error', onError);
        }
      }),
    err: (text) => {
      s.stderr.write(text.endsWith('\n') ? text : text + '\n');
    },
  };
}
