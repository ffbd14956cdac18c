import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { binaryReason, readLines } from './line-reader.js';

async function collect(chunks: (Buffer | string)[], max = 1000) {
  const lines: string[] = [];
  const truncated: boolean[] = [];
  const outcome = await readLines(
    't.log',
    Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))),
    { push: (l, t) => (lines.push(l), truncated.push(t)) },
    { maxLineLength: max },
  );
  return { lines, truncated, outcome };
}

describe('readLines', () => {
  it('splits LF and CRLF across chunk boundaries and keeps the last unterminated line', async () => {
    const r = await collect(['a\r\nb', 'c\nd\r', '\ne']);
    expect(r.lines).toEqual(['a', 'bc', 'd', 'e']);
    expect(r.outcome).toMatchObject({ status: 'ok', value: { lines: 4 } });
  });

  it('replaces invalid UTF-8 and joins multi-byte characters split between chunks', async () => {
    const euro = Buffer.from('€');
    const r = await collect([
      Buffer.concat([Buffer.from('x '), euro.subarray(0, 1)]),
      Buffer.concat([euro.subarray(1), Buffer.from('\nbad \xff\xfe end\n', 'latin1')]),
    ]);
    expect(r.lines).toEqual(['x €', 'bad \ufffd\ufffd end']);
  });

  it('truncates long lines at the limit without buffering the rest, and counts them', async () => {
    const big = 'x'.repeat(10_000);
    const r = await collect(['short\n', big.slice(0, 3000), big.slice(3000), '\nafter\n'], 100);
    expect(r.lines.map((l) => l.length)).toEqual([5, 100, 5]);
    expect(r.truncated).toEqual([false, true, false]);
  });

  it('reads gzip by its magic bytes, also in small chunks', async () => {
    const gz = gzipSync('one\ntwo\nthree\n');
    const r = await collect([gz.subarray(0, 5), gz.subarray(5)]);
    expect(r.lines).toEqual(['one', 'two', 'three']);
  });

  it('reports a truncated gzip with the offset, after delivering the lines before it', async () => {
    const text = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n');
    const gz = gzipSync(text);
    const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
    const r = await collect([cut]);
    expect(r.outcome.status).toBe('failed');
    if (r.outcome.status === 'failed') {
      expect(r.outcome.error.code).toBe('INPUT.TRUNCATED');
      expect(r.outcome.error.message).toMatch(
        /^t\.log: gzip data is truncated or corrupt at compressed byte \d+/,
      );
      expect(r.outcome.error.details.offset).toBe(cut.length);
    }
    expect(r.lines.length).toBeGreaterThan(100);
    expect(r.lines[0]).toBe(`line 0 ${'x'.repeat(40)}`);
  });

  it('refuses binary data with a reason', async () => {
    const r = await collect([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3])]);
    expect(r.outcome.status).toBe('failed');
    if (r.outcome.status === 'failed') expect(r.outcome.error.code).toBe('INPUT.BINARY');
    expect(r.lines).toEqual([]);
  });

  it('handles empty input', async () => {
    const r = await collect([]);
    expect(r.lines).toEqual([]);
    expect(r.outcome).toMatchObject({ status: 'ok', value: { lines: 0, bytes: 0 } });
  });
});

describe('binaryReason', () => {
  it('accepts text with tabs, escapes and UTF-8, refuses NULs and control-heavy data', () => {
    expect(binaryReason(Buffer.from('a\tb \u001b[31mred\u001b[0m é\n'))).toBeUndefined();
    expect(binaryReason(Buffer.from('a\u0000b'))).toMatch(/NUL/);
    expect(
      binaryReason(Buffer.from(Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? 1 : 65)))),
    ).toMatch(/control characters/);
  });
});
