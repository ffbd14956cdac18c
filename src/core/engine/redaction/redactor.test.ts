import { describe, expect, it } from 'vitest';
import { CORPUS_PATTERNS, loadCorpus, scoreRedaction } from '../../../../bench/redaction/score.js';
import { checkRedactionPattern, luhnValid } from './redaction-rules.js';
import { Redactor } from './redactor.js';

describe('Redactor', () => {
  it('replaces each secret with a placeholder that is the same for the same value, and restores them', () => {
    const r = new Redactor();
    const text = 'mail jane@example.com from 10.1.2.3, again jane@example.com; bob@example.org';
    const red = r.redact(text);
    expect(red).toBe('mail <EMAIL_1> from <IP_1>, again <EMAIL_1>; <EMAIL_2>');
    // a later text in the same conversation keeps the numbering
    expect(r.redact('cc bob@example.org')).toBe('cc <EMAIL_2>');
    expect(r.restore('The user <EMAIL_1> (<IP_1>) and <EMAIL_2>; <UNKNOWN_3> stays')).toBe(
      'The user jane@example.com (10.1.2.3) and bob@example.org; <UNKNOWN_3> stays',
    );
    expect(r.counts()).toEqual({ EMAIL: 2, IP: 1 });
  });

  it('redacts only the secret of a key=value pair, URL or header, not the key', () => {
    const r = new Redactor();
    expect(r.redact('postgres://app:S3cret@db:5432/x')).toBe(
      'postgres://app:<PASSWORD_1>@db:5432/x',
    );
    expect(r.redact('{"password": "two words"}')).toBe('{"password": "<SECRET_1>"}');
    expect(r.redact('Authorization: Bearer abc.def-123456')).toBe(
      'Authorization: Bearer <TOKEN_1>',
    );
  });

  it('leaves masks, counts and look-alikes alone', () => {
    const r = new Redactor();
    for (const t of [
      'password=<*>',
      'max_tokens=512',
      'Bearer authentication failed',
      'at 10:41:09',
      'v1.2.3.4',
      'order 4111111111111112',
      'std::vector',
    ]) {
      expect(r.redact(t)).toBe(t);
    }
  });

  it('can keep IP addresses and e-mails when configured, and takes user patterns', () => {
    const r = new Redactor({
      ips: false,
      emails: false,
      patterns: [{ name: 'ticket', pattern: 'TCK-\\d+' }],
    });
    expect(r.redact('10.0.0.1 a@b.io TCK-991')).toBe('10.0.0.1 a@b.io <TICKET_1>');
  });

  it('checks configured patterns: name, syntax, empty matches', () => {
    expect(checkRedactionPattern({ name: 'ok_1', pattern: 'x+' })).toBeUndefined();
    expect(checkRedactionPattern({ name: '1bad', pattern: 'x' })).toMatch(/name/);
    expect(checkRedactionPattern({ name: 'p', pattern: '(' })).toMatch(
      /not a valid regular expression/,
    );
    expect(checkRedactionPattern({ name: 'p', pattern: 'x*' })).toMatch(/empty string/);
  });

  it('Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('3782-822463-10005')).toBe(true);
  });

  it('handles hostile input in linear time: long runs without a match, a cut-off private key', () => {
    const r = new Redactor();
    const long = `${'a'.repeat(200_000)}@${'b.'.repeat(50_000)}`;
    expect(typeof r.redact(long)).toBe('string');
    expect(r.redact('x -----BEGIN PRIVATE KEY-----\nMIIEvQ')).toBe('x <PRIVATE_KEY_1>');
    expect(r.redact(`${'1'.repeat(100_000)} ${'1.'.repeat(50_000)}`)).not.toContain('<CARD');
  });

  it('labelled corpus: recall 1.0 and precision ≥ 0.95', () => {
    const s = scoreRedaction(
      loadCorpus(),
      () => new Redactor({ ips: true, emails: true, patterns: CORPUS_PATTERNS }),
    );
    expect(s.misses).toEqual([]);
    expect(s.secrets).toBeGreaterThan(50);
    expect(s.recall).toBe(1);
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
  });
});
