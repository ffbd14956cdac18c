import { describe, expect, it } from 'vitest';
import { clip, messageOf } from './text.js';
import { isoOrBlank, isoSeconds, isoTime } from './time-text.js';

describe('clip', () => {
  it('keeps a string that fits and cuts a longer one to the limit, ellipsis included', () => {
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abcd', 3)).toBe('ab…');
    expect(clip('abcd', 1)).toBe('a');
    expect(clip('abcd', 0)).toBe('');
    expect(clip('', 5)).toBe('');
  });
});

describe('isoTime / isoSeconds', () => {
  it('writes UTC ISO 8601, without zero milliseconds for isoSeconds', () => {
    expect(isoTime(Date.UTC(2023, 0, 29, 8, 43, 4))).toBe('2023-01-29T08:43:04.000Z');
    expect(isoSeconds(Date.UTC(2023, 0, 29, 8, 43, 4))).toBe('2023-01-29T08:43:04Z');
    expect(isoSeconds(Date.UTC(2023, 0, 29, 8, 43, 4, 250))).toBe('2023-01-29T08:43:04.250Z');
    expect(isoOrBlank(undefined)).toBe('');
    expect(isoOrBlank(0)).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('messageOf', () => {
  it('leaves out the fields of a template whose value is only a variable; a template of nothing else stays whole', () => {
    expect(
      messageOf('dispatcherServlet]#175 TraceID: <*> SpanID: <*> Servlet.service() for servlet'),
    ).toBe('dispatcherServlet]#175 Servlet.service() for servlet');
    expect(messageOf('request_id=<*> user=<*> payment failed: card declined')).toBe(
      'payment failed: card declined',
    );
    expect(messageOf('user <*> logged in, level: high')).toBe('user <*> logged in, level: high');
    expect(messageOf('TraceID: <*> SpanID: <*>')).toBe('TraceID: <*> SpanID: <*>');
  });
});
