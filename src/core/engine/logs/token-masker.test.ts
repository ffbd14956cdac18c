import { describe, expect, it } from 'vitest';
import {
  MASK,
  canonicalToken,
  collapseMasks,
  isCodeLocation,
  maskToken,
  tokenize,
} from './token-masker.js';

function masked(text: string): string {
  const raw: string[] = [];
  const m: string[] = [];
  const n = tokenize(text, raw, m);
  return m.slice(0, n).join(' ');
}

describe('maskToken', () => {
  it.each([
    ['12345', MASK],
    ['-127633188', MASK],
    ['3.14', MASK],
    ['30ms', MASK],
    ['0x1f3a', MASK],
    ['deadbeef01', MASK],
    ['10.251.73.220:50010', '<*>:<*>'],
    ['/10.250.19.102:54106', '<*>:<*>'],
    ['fe80::1ff:fe23:4567:890a', MASK],
    ['[::1]:8080', MASK],
    ['123e4567-e89b-12d3-a456-426614174000', MASK],
    ['/var/log/app/server.log', MASK],
    ['https://example.com/a?b=1', 'https://<*>'],
    ['user@example.com', MASK],
    ['2023-01-29T10:00:00.123Z', MASK],
    ['blk_-6952295868487656571', MASK],
    ['job_1445144423722_0020', MASK],
    ['rdd_2_1', MASK],
    ['uid=0', 'uid=<*>'],
    ['user=root', 'user=<*>'],
    ['true', MASK],
    ['[173.234.31.186]', '[<*>]'],
    ['jetty-6.1.26', 'jetty-<*>'],
    ['ns.marryaldkfaczcz.com', MASK],
    ['payments.shop.svc.cluster.local:8080', '<*>:<*>'],
    ['<memory:1024,', '<memory:<*>,'],
  ])('%s -> %s', (tok, want) => {
    expect(maskToken(tok)).toBe(want);
  });

  it.each([
    'ssh2',
    'imps2:',
    'HttpServer2$QuotingInputFilter',
    'org.apache.hadoop.mapreduce.v2.app.MRAppMaster',
    'android.intent.action.SCREEN_ON',
    'mapreduce.job.id',
    'INFO',
    'Connection',
    'nil',
    'none',
  ])('keeps the constant %s', (tok) => {
    expect(maskToken(tok)).toBe(tok);
  });

  it('keeps a code location (a dotted logger name and its source line, Class#line) as it is: a place in the code, not a value', () => {
    expect(maskToken('t.s.TravelServiceImpl#457')).toBe('t.s.TravelServiceImpl#457');
    expect(maskToken('o.a.c.c.C.[.[.[.[dispatcherServlet]#175')).toBe(
      'o.a.c.c.C.[.[.[.[dispatcherServlet]#175',
    );
    expect(isCodeLocation('com.shop.S3Client#12')).toBe(true);
    // not a dotted name, no line, or a value after the '#': as before
    expect(maskToken('job#4521')).toBe('job#<*>');
    expect(isCodeLocation('a.b#')).toBe(false);
    expect(isCodeLocation('a.b#12x')).toBe(false);
    expect(isCodeLocation('1.2#3')).toBe(false);
    expect(isCodeLocation('#12')).toBe(false);
  });

  it('returns the very same string when nothing is variable (no allocation)', () => {
    const tok = 'terminating';
    expect(maskToken(tok)).toBe(tok);
  });
});

describe('tokenize', () => {
  it('joins a size unit to its number', () => {
    expect(masked('estimated size 5.2 KB, free 5.2 KB)')).toBe('estimated size <*>, free <*>)');
  });
  it('collapses long lists of values into one variable', () => {
    expect(masked('delete blk_1001 blk_1002 blk_1003 blk_1004 blk_1005 blk_1006')).toBe(
      'delete <*>',
    );
    expect(masked('delete blk_1001 blk_1002')).toBe('delete <*> <*>');
    expect(masked('onExtend:1514038530000 14 0 4')).toBe('onExtend:<*> <*> <*> <*>');
  });
  it('masks day and month names inside a date', () => {
    expect(masked('timed out at Sat Jun 18 02:23:10 2005')).toBe(
      'timed out at <*> <*> <*> <*>:<*>:<*> <*>',
    );
    expect(masked('Sat is a day')).toBe('Sat is a day');
  });
  it('masks quoted values over several words, keeping the quotes and key=', () => {
    expect(masked('user "John Smith" logged in')).toBe('user "<*>" logged in');
    expect(masked("su: 'su root' failed")).toBe("su: '<*>' failed");
    expect(masked('"Error syncing pod, skipping" err="failed to pull image" pod=x')).toBe(
      '"Error syncing pod, skipping" err="<*>" pod=x',
    );
    expect(masked('user "Bob" logged in')).toBe('user "Bob" logged in');
    expect(masked('open "quote never closes')).toBe('open "quote never closes');
    expect(masked("don't stop")).toBe("don't stop");
  });

  it('handles tabs and repeated spaces', () => {
    expect(masked('a\t\tb   c')).toBe('a b c');
    expect(masked('')).toBe('');
  });
});

describe('canonical rules (Khan et al.)', () => {
  it('merges variables joined by . and adjacent variables', () => {
    expect(collapseMasks('<*>.<*>.<*>')).toBe(MASK);
    expect(collapseMasks('<*><*>')).toBe(MASK);
    expect(collapseMasks('<*>-<*>')).toBe(MASK);
    expect(collapseMasks('<*>:<*>')).toBe('<*>:<*>');
  });
  it('treats a word glued to a variable as a variable, but keeps key=<*>', () => {
    expect(canonicalToken('piece<*>')).toBe(MASK);
    expect(canonicalToken('uid=<*>')).toBe('uid=<*>');
    expect(canonicalToken('[<*>]')).toBe('[<*>]');
  });
});
