import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { BIN, tempDir } from './run-cli.js';

export interface Server {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}
const running: Server[] = [];

/**
 * Spawns `bifrost serve --port 0` and resolves once it prints where it listens (and its store
 * line). Every answer is checked against its response schema (BIFROST_CHECK_RESPONSES).
 */
export function serve(args: string[], env: Record<string, string> = {}): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--log-level', 'warn', ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH ?? '',
          HOME: tempDir('bifrost-home-'),
          BIFROST_CHECK_RESPONSES: '1',
          ...env,
        },
      },
    );
    let err = '';
    const exited = new Promise<number | null>((r) =>
      child.on('exit', (code) => {
        r(code);
      }),
    );
    child.stdout.resume();
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /listening on (https?:\/\/[^\s]+)/.exec(err);
      // both start-up lines: where it listens, then the store and the access mode
      if (m && /\nstore: .*\n/.test(err)) {
        const s = { url: m[1]!, child, stderr: () => err, exited };
        running.push(s);
        resolve(s);
      }
    });
    void exited.then((code) => {
      reject(new Error(`serve exited ${String(code)}: ${err}`));
    });
  });
}

/** Kills every server the test started (afterEach). */
export function stopServers(): void {
  for (const s of running.splice(0)) if (s.child.exitCode === null) s.child.kill('SIGKILL');
}
