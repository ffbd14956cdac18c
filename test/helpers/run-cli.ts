import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'bifrost.js');
export const EXAMPLE = join(ROOT, 'examples', 'k8s-incident');
export const SHARED = join(ROOT, '..', 'shared', 'data');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (built dist) in a child process, with its own cache directory. */
export function runCli(
  args: string[],
  opts: {
    input?: string | Buffer;
    env?: Record<string, string>;
    cwd?: string;
    cacheHome?: string;
  } = {},
): Promise<CliResult> {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error(
      'dist/ is missing: run `npm run build` before the end-to-end tests (npm test does)',
    );
  const cacheHome = opts.cacheHome ?? mkdtempSync(join(tmpdir(), 'bifrost-e2e-cache-'));
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      XDG_CACHE_HOME: cacheHome,
      ...opts.env,
    };
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => undefined);
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
