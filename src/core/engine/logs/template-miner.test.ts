import { describe, expect, it } from 'vitest';
import { TemplateParser } from './template-parser.js';
import { mergeTokens } from './template-miner.js';

function mine(lines: string[], options = {}): TemplateParser {
  const p = new TemplateParser(options);
  for (const l of lines) p.learn(l);
  p.finish();
  return p;
}

describe('TemplateParser', () => {
  it('groups lines that differ in variables and extracts the values in order', () => {
    const p = mine([
      'Receiving block blk_1 src: /10.0.0.1:5000 dest: /10.0.0.2:50010',
      'Receiving block blk_-22 src: /10.0.0.3:5001 dest: /10.0.0.4:50010',
    ]);
    const m = p.match('Receiving block blk_3 src: /10.0.0.5:5002 dest: /10.0.0.6:50010');
    expect(m.template.text).toBe('Receiving block <*> src: <*>:<*> dest: <*>:<*>');
    expect(m.params).toEqual(['blk_3', '/10.0.0.5', '5002', '/10.0.0.6', '50010']);
    expect(p.templates()).toHaveLength(1);
  });

  it('gives stable ids: the hash of the template text, across runs', () => {
    const a = mine(['Connection closed by 1.2.3.4']).match('Connection closed by 5.6.7.8').template
      .id;
    const b = mine(['Connection closed by 9.9.9.9']).match('Connection closed by 1.1.1.1').template
      .id;
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keeps the constant part of a variable token (key=value, brackets)', () => {
    const p = mine([
      'session opened for user alice by (uid=0)',
      'session opened for user bob by (uid=0)',
      'session opened for user carol by (uid=1000)',
    ]);
    expect(p.templates().map((t) => t.template.text)).toEqual([
      'session opened for user <*> by (uid=<*>)',
    ]);
  });

  it('does not merge two different constant words (over-general merge)', () => {
    const p = mine([
      'Connection closed by 1.2.3.4 [preauth]',
      'Connection reset by 1.2.3.5 [preauth]',
      'Connection closed by 1.2.3.6 [preauth]',
    ]);
    expect(
      p
        .templates()
        .map((t) => t.template.text)
        .sort(),
    ).toEqual(['Connection closed by <*> [preauth]', 'Connection reset by <*> [preauth]']);
  });

  it('applies the same rule inside punctuated tokens: (uid=0) and LOGIN(uid=0) stay apart', () => {
    const lines = [
      'session opened for user cyrus by (uid=0)',
      'session opened for user test by (uid=509)',
      'session opened for user news by (uid=0)',
      'session opened for user root by LOGIN(uid=0)',
    ];
    const p = mine(lines);
    expect(
      p
        .templates()
        .map((t) => t.template.text)
        .sort(),
    ).toEqual([
      'session opened for user <*> by (uid=<*>)',
      'session opened for user <*> by LOGIN(uid=<*>)',
    ]);
  });

  it('turns a word position into a variable once it shows many distinct words', () => {
    const users = ['webmaster', 'admin', 'test', 'oracle', 'guest'];
    const p = mine(users.map((u) => `Invalid user ${u} from 10.0.0.1`));
    expect(p.templates().map((t) => t.template.text)).toEqual(['Invalid user <*> from <*>']);
  });

  it('never turns ALL_CAPS enum words into variables', () => {
    const p = mine([
      'Transitioned from NEW to INITED',
      'Transitioned from INITED to RUNNING',
      'Transitioned from RUNNING to SUCCEEDED',
      'Transitioned from NEW to INITED',
    ]);
    expect(p.templates()).toHaveLength(3);
  });

  it('handles empty and all-variable lines', () => {
    const p = mine(['', '', '123 456', '789 012']);
    expect(p.match('').template.text).toBe('');
    expect(p.match('1 2').template.text).toBe('<*> <*>');
  });

  it('is bounded: evicts least recently used clusters and counts them', () => {
    const p = new TemplateParser({ maxClusters: 100 });
    for (let i = 0; i < 1000; i++)
      p.learn(
        `event${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + (Math.floor(i / 26) % 26))}${String.fromCharCode(97 + Math.floor(i / 676))} happened here`,
      );
    expect(p.clusterCount).toBeLessThanOrEqual(100);
    expect(p.evictions).toBeGreaterThan(0);
    expect(p.evictions + p.clusterCount).toBeGreaterThanOrEqual(900);
  });

  it('learnLineIfRoom: once full, refuses a line that needs a new template, evicts nothing, still takes lines that fit', () => {
    const p = new TemplateParser({ maxClusters: 3 });
    const word = (i: number) =>
      `${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`;
    for (let i = 0; i < 3; i++) expect(p.learnLineIfRoom(`${word(i)} begins`)).toBeDefined();
    expect(p.clusterCount).toBe(3);
    // new first words: other templates, refused (and no bucket is made for them)
    for (let i = 3; i < 500; i++) expect(p.learnLineIfRoom(`${word(i)} begins`)).toBeUndefined();
    expect(p.clusterCount).toBe(3);
    expect(p.evictions).toBe(0);
    // a line of a known template passes
    expect(p.learnLineIfRoom('ba begins')?.template.text).toBe('ba begins');
  });
});

describe('mergeTokens', () => {
  it('keeps prefixes and suffixes up to a delimiter', () => {
    expect(mergeTokens('uid=0', 'uid=1000')).toBe('uid=<*>');
    expect(mergeTokens('[foo]', '[bar]')).toBe('[<*>]');
    expect(mergeTokens('alpha', 'beta')).toBe('<*>');
    expect(mergeTokens('same', 'same')).toBe('same');
  });
});
