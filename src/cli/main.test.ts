import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

/** Runs the CLI in process with stdin, a clock and collected stdout. */
async function run(argv: string[], input: string, now: string) {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const stderr = new PassThrough();
  const errs: Buffer[] = [];
  stderr.on('data', (c: Buffer) => errs.push(c));
  const code = await main(['node', 'bifrost', ...argv], {
    stdin: Object.assign(Readable.from([Buffer.from(input)]), { isTTY: false }),
    stdout,
    stderr,
    env: { NO_COLOR: '1' },
    now: () => new Date(now),
  });
  return {
    code,
    stdout: Buffer.concat(chunks).toString('utf8'),
    stderr: Buffer.concat(errs).toString('utf8'),
  };
}

describe('dates written without a year, as the CLI reads them', () => {
  const syslog =
    'Dec 10 08:00:00 host app[1]: error: disk full\nDec 10 08:00:05 host app[1]: error: disk full\n';
  it('analyze puts them in the latest year that is not after today', async () => {
    const early = await run(
      ['analyze', '-', '--output', 'json', '--no-cache', '--no-progress'],
      syslog,
      '2026-12-07T12:00:00Z',
    );
    expect(early.stderr).toBe('');
    expect(early.code).toBe(0);
    const a = JSON.parse(early.stdout) as { summary: { firstMs: number } };
    expect(new Date(a.summary.firstMs).toISOString()).toBe('2025-12-10T08:00:00.000Z');
    const late = await run(
      ['analyze', '-', '--output', 'json', '--no-cache', '--no-progress'],
      syslog,
      '2026-12-11T00:00:00Z',
    );
    const b = JSON.parse(late.stdout) as { summary: { firstMs: number } };
    expect(new Date(b.summary.firstMs).toISOString()).toBe('2026-12-10T08:00:00.000Z');
  });
});
