import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { compileHeaderLayout } from './header-layout.js';

describe('compileHeaderLayout', () => {
  it('reads Loghub layouts with regex parts and optional groups', () => {
    const l = compileHeaderLayout(
      '<Month> <Date> <Time> <Level> <Component>(\\[<PID>\\])?: <Content>',
    );
    expect(
      l.match('Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown'),
    ).toEqual([
      'Jun',
      '14',
      '15:16:01',
      'combo',
      'sshd(pam_unix)',
      '19939',
      'check pass; user unknown',
    ]);
    expect(l.match('Jun 14 15:16:01 combo su: hi')?.[6]).toBe('hi');
  });
  it('escapes plain literal text (brackets are literal without a backslash)', () => {
    const l = compileHeaderLayout('<Time> [<Thread>] <Content>');
    expect(l.match('10:00 [main] started')).toEqual(['10:00', 'main', 'started']);
    expect(l.match('no brackets here')).toBeUndefined();
  });
  it.each([['no fields'], ['<Bad Name> <Content>'], ['<A> <A>'], ['<A>(\\[<B>\\]']])(
    'rejects %s with advice',
    (layout) => {
      expect(() => compileHeaderLayout(layout)).toThrow(AppError);
    },
  );
});
