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

describe('commands, loaded when named', () => {
  const now = '2026-12-07T12:00:00Z';
  it('a named command runs with only its own module loaded; its help is its own', async () => {
    const help = await run(['rca', '--help'], '', now);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: bifrost rca \[options\]/);
  });
  it('the root help lists every command, in order', async () => {
    const help = await run(['--help'], '', now);
    expect(help.code).toBe(0);
    const commands = help.stdout.split('Commands:\n')[1]!.split('\n\n')[0]!;
    const listed = [...commands.matchAll(/^ {2}(\w+) /gm)].map((m) => m[1]);
    expect(listed).toEqual([
      'analyze',
      'parse',
      'templates',
      'detect',
      'serve',
      'keys',
      'enrol',
      'import',
      'incidents',
      'rca',
      'explain',
      'help',
    ]);
  });
  it('a typo gets a suggestion, and a name that is only a property of objects is unknown', async () => {
    const typo = await run(['rcaa'], '', now);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown command 'rcaa'[\s\S]*Did you mean rca\?/);
    const odd = await run(['constructor'], '', now);
    expect(odd.code).toBe(2);
    expect(odd.stderr).toMatch(/unknown command 'constructor'/);
  });
});
