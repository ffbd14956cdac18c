import { describe, expect, it } from 'vitest';
import { findException, inferSeverityFromText } from './exceptions.js';

describe('findException', () => {
  it('Java: type and first frame', () => {
    expect(
      findException(
        'failed\njava.lang.NullPointerException: x is null\n\tat com.a.B.c(B.java:42)\n\tat com.a.D.e(D.java:1)',
      ),
    ).toMatchObject({
      type: 'java.lang.NullPointerException',
      frame: 'com.a.B.c (B.java:42)',
      language: 'java',
    });
  });
  it('Python: exception line and innermost frame', () => {
    expect(
      findException(
        'Traceback (most recent call last):\n  File "/a/x.py", line 3, in main\n  File "/a/y.py", line 9, in parse\nKeyError: \'id\'',
      ),
    ).toMatchObject({ type: 'KeyError', frame: 'parse (y.py:9)' });
  });
  it('Go: panic and first frame', () => {
    expect(
      findException(
        'panic: assignment to entry in nil map\n\ngoroutine 1 [running]:\nmain.handler(0x1)\n\t/src/main.go:88 +0x1b4',
      ),
    ).toMatchObject({
      type: 'panic: assignment to entry in nil map',
      frame: 'main.handler (main.go:88)',
      language: 'go',
    });
  });
  it('Node: error and first frame', () => {
    expect(
      findException(
        'TypeError: Cannot read properties of undefined\n    at handler (/app/src/h.js:10:5)',
      ),
    ).toMatchObject({ type: 'TypeError', frame: 'handler (h.js:10:5)' });
  });
  it('nothing for ordinary lines, and bounded work on huge hostile input', () => {
    expect(findException('all good')).toBeUndefined();
    const hostile = 'a'.repeat(200_000) + 'Exception';
    expect(() => findException(hostile)).not.toThrow();
  });
});

describe('inferSeverityFromText', () => {
  it('reads error and warning words', () => {
    expect(inferSeverityFromText('Connection refused by <*>')).toBe(17);
    expect(inferSeverityFromText('retrying in <*>')).toBe(13);
    expect(inferSeverityFromText('server started')).toBe(0);
  });
});
