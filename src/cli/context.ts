import type { Readable, Writable } from 'node:stream';
import type { Terminal } from './render/terminal.js';

/** What commands get from main.ts: no command reads process.* itself. */
export interface CliContext {
  terminal: Terminal;
  /** Bifrost's version. */
  version: string;
  stdin: Readable & { isTTY?: boolean };
  /** Raw stdout for streams that are not results (the server's JSON logs). */
  stdout: Writable;
  /** Calls handler once on SIGTERM or SIGINT (the server's graceful stop). */
  onSignals(handler: (signal: string) => void): void;
  /** Calls handler on every SIGHUP (the server reads its TLS files again). */
  onReload(handler: () => void): void;
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  defaultCacheDir: string;
  tmpDir: string;
  setExitCode(code: number): void;
  /** An option parser for whole numbers ≥ min that fails with the option's name. */
  parseIntOption(name: string, min: number): (value: string) => number;
}
