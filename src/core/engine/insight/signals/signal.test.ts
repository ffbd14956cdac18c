import { describe, expect, it } from 'vitest';
import { quote } from './signal.js';

describe('quote (a template in an evidence line)', () => {
  it('leaves out fields whose value is only a variable (TraceID: <*>), so the message shows within 90 characters', () => {
    expect(
      quote(
        'o.a.c.c.C.[.[.[.[dispatcherServlet]#175 TraceID: <*> SpanID: <*> Servlet.service() for servlet [dispatcherServlet] threw exception',
      ),
    ).toBe(
      '"o.a.c.c.C.[.[.[.[dispatcherServlet]#175 Servlet.service() for servlet [dispatcherServlet]…"',
    );
    expect(quote('request_id=<*> user=<*> payment failed: card declined')).toBe(
      '"payment failed: card declined"',
    );
  });
  it('keeps a field with words in its value, a bare variable, and a template that would be left empty', () => {
    expect(quote('user <*> logged in, level: high')).toBe('"user <*> logged in, level: high"');
    expect(quote('TraceID: <*> SpanID: <*>')).toBe('"TraceID: <*> SpanID: <*>"');
  });
});
