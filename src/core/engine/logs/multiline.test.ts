import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../domain/log-record.js';
import { detectFormat, parseLine } from './formats/detect-format.js';
import { createHeaderFormat } from './formats/header-format.js';
import { RecordAssembler } from './multiline.js';

function assemble(text: string): LogRecord[] {
  const lines = text.split('\n');
  const f = detectFormat(lines, { dateReference: 2026 });
  const out: LogRecord[] = [];
  const a = new RecordAssembler({ headered: f.headered }, {}, (r) => out.push(r));
  const fb = createHeaderFormat(2026);
  lines.forEach((l, i) => {
    a.push(parseLine(f, l, fb), i + 1);
  });
  a.flush();
  return out;
}

describe('RecordAssembler', () => {
  it('joins a Java stack trace with Caused by and ... more', () => {
    const r = assemble(
      [
        '2023-01-29 10:00:00 ERROR c.a.Svc: failed',
        'java.lang.IllegalStateException: boom',
        '\tat c.a.Svc.run(Svc.java:10)',
        'Caused by: java.io.IOException: disk',
        '\t... 3 more',
        '2023-01-29 10:00:01 INFO c.a.Svc: next',
      ].join('\n'),
    );
    expect(r).toHaveLength(2);
    expect(r[0]).toMatchObject({ line: 1, lineCount: 5 });
    expect(r[1]).toMatchObject({ line: 6, body: 'next' });
  });

  it('joins a Python traceback including the exception line, even without headers', () => {
    const r = assemble(
      [
        'starting worker',
        'Traceback (most recent call last):',
        '  File "/app/w.py", line 3, in <module>',
        '    main()',
        'ValueError: bad value',
        'worker exited',
      ].join('\n'),
    );
    expect(r.map((x) => x.lineCount)).toEqual([1, 4, 1]);
    expect(r[1]!.body.endsWith('ValueError: bad value')).toBe(true);
  });

  it('joins a Go panic with its goroutine dump and blank lines', () => {
    const r = assemble(
      [
        'panic: runtime error: index out of range',
        '',
        'goroutine 1 [running]:',
        'main.main()',
        '\t/app/main.go:12 +0x1d',
        'exit status 2',
        'next line',
      ].join('\n'),
    );
    expect(r.map((x) => x.lineCount)).toEqual([6, 1]);
  });

  it('joins Node stack frames', () => {
    const r = assemble(
      [
        'TypeError: x is undefined',
        '    at f (/app/a.js:1:2)',
        '    at g (/app/b.js:3:4)',
        'ok',
      ].join('\n'),
    );
    expect(r.map((x) => x.lineCount)).toEqual([3, 1]);
  });

  it('is bounded: a record stops growing at maxLines', () => {
    const out: LogRecord[] = [];
    const a = new RecordAssembler({ headered: true, maxLines: 10 }, {}, (r) => out.push(r));
    for (let i = 0; i < 25; i++)
      a.push(
        {
          timeMs: undefined,
          severity: 0,
          severityText: undefined,
          message: '\tat x',
          hasHeader: i === 0,
          service: undefined,
          logger: undefined,
          stream: undefined,
          partial: false,
        },
        i + 1,
      );
    a.flush();
    expect(out.length).toBe(3);
    expect(out[0]!.lineCount).toBe(10);
  });
});
