import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileSource, expandInputs } from './file-source.js';

function tree(): string {
  const d = mkdtempSync(join(tmpdir(), 'bifrost-src-'));
  mkdirSync(join(d, 'sub'));
  mkdirSync(join(d, '.hidden'));
  writeFileSync(join(d, 'a.log'), 'a\n');
  writeFileSync(join(d, 'sub', 'b.log'), 'b\n');
  writeFileSync(join(d, 'sub', 'c.txt'), 'c\n');
  writeFileSync(join(d, '.hidden', 'x.log'), 'x\n');
  return d;
}

describe('expandInputs', () => {
  it('walks directories (skipping hidden ones), expands globs, keeps stdin, reports missing inputs', async () => {
    const d = tree();
    const r = await expandInputs([
      d,
      join(d, 'sub', '*.log'),
      '-',
      join(d, 'missing.log'),
      join(d, 'nomatch-*.gz'),
    ]);
    expect(r.files).toEqual([
      join(d, 'a.log'),
      join(d, 'sub', 'b.log'),
      join(d, 'sub', 'c.txt'),
      '-',
    ]);
    expect(r.problems.map((p) => p.error.code)).toEqual(['INPUT.NOT_FOUND', 'INPUT.NOT_FOUND']);
    expect(r.problems[0]!.error.message).toContain('missing.log: no such file or directory');
    expect(r.problems[1]!.error.message).toContain('no file matches this pattern');
    expect(r.skipped).toEqual([]);
  });

  it('in a directory, skips files that are plainly not logs by their names (licences, documentation, images, archives) and says so; named ones are read', async () => {
    const d = mkdtempSync(join(tmpdir(), 'bifrost-walk-'));
    for (const f of [
      'LICENSE',
      'CITATION.cff',
      'README.md',
      'notes.rst',
      'chart.png',
      'old.zip',
      'app.log',
      'license-server.log',
      'events.json',
    ])
      writeFileSync(join(d, f), 'x\n');
    const r = await expandInputs([d, join(d, 'README.md')]);
    expect(r.files).toEqual([
      join(d, 'app.log'),
      join(d, 'events.json'),
      join(d, 'license-server.log'),
      join(d, 'README.md'),
    ]);
    expect(r.skipped.map((s) => [s.path.slice(d.length + 1), s.reason])).toEqual([
      ['chart.png', 'an image'],
      ['CITATION.cff', 'a licence, citation or documentation file'],
      ['LICENSE', 'a licence, citation or documentation file'],
      ['notes.rst', 'a licence, citation or documentation file'],
      ['old.zip', 'an archive or a binary'],
      ['README.md', 'a licence, citation or documentation file'],
    ]);
  });
});

describe('expandInputs --exclude', () => {
  it('leaves out files matching an --exclude pattern (by name when the pattern has no slash, else by path), found or named, and says which pattern', async () => {
    const d = mkdtempSync(join(tmpdir(), 'bifrost-exclude-'));
    mkdirSync(join(d, 'old'));
    for (const f of ['app.log', 'app.log.1.gz', 'debug.log', 'old/app.log'])
      writeFileSync(join(d, f), 'x\n');
    const r = await expandInputs([d, join(d, 'debug.log')], {
      exclude: ['*.gz', `${d}/old/**`, 'debug.*'],
    });
    expect(r.files).toEqual([join(d, 'app.log')]);
    expect(r.skipped.map((s) => [s.path.slice(d.length + 1), s.reason])).toEqual([
      ['app.log.1.gz', "excluded by --exclude '*.gz'"],
      ['debug.log', "excluded by --exclude 'debug.*'"],
      ['old/app.log', `excluded by --exclude '${d}/old/**'`],
    ]);
  });
});

describe('createFileSource', () => {
  it('reads a file and reports a missing one as a value, not a throw', async () => {
    const d = tree();
    const lines: string[] = [];
    const ok = await createFileSource(join(d, 'a.log')).read({ push: (l) => lines.push(l) });
    expect(ok.status).toBe('ok');
    expect(lines).toEqual(['a']);
    const missing = await createFileSource(join(d, 'nope.log')).read({ push: () => undefined });
    expect(missing.status).toBe('failed');
    const dir = await createFileSource(d).read({ push: () => undefined });
    expect(dir.status).toBe('failed');
  });
});
