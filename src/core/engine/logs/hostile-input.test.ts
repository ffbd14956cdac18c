import { describe, expect, it } from 'vitest';
import { LineTemplater } from './line-templater.js';
import { LogAnalyzer } from './log-analyzer.js';
import { tokenize } from './token-masker.js';

/** Deterministic pseudo-random generator (no flaky tests). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const ALPHABET = 'aZ09 \t:=[]{}()"\'\\/.,-_<>*%&#@|\u0000\u0001\u00e9\u20ac\ud83d\ude00\ufffd';

function randomLine(r: () => number): string {
  const n = Math.floor(r() * 200);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET.charAt(Math.floor(r() * ALPHABET.length));
  return s;
}

const HOSTILE = [
  '{"log":',
  '{"log":"x\\n","stream":"stdout","time":"not a time"}',
  '{"level":{"nested":true},"msg":["array"],"time":1e400}',
  '<999>1 - - - - - -',
  '<34>',
  '2023-01-29T10:00:00.123456789Z stdout',
  'time= level= msg="unterminated',
  'E9999 99:99:99.999999 x.go:1] bad klog',
  '1.1.1.1 - - [99/Foo/2023:99:99:99 +9999] "GET',
  '"' + 'a '.repeat(5000),
  'x='.repeat(10000),
  '['.repeat(10000),
  'Traceback (most recent call last):',
  'panic: ',
  'goroutine 1 [running]:',
  '\tat ' + 'a.'.repeat(5000) + '(X.java:1)',
  'java.lang.' + 'A'.repeat(10000) + 'Exception: x',
  '\u0000'.repeat(100),
];

describe('hostile input never crashes the engine', () => {
  it('random and hostile lines through every format, parse and analyze', () => {
    const r = rng(7);
    const lines = [...HOSTILE];
    for (let i = 0; i < 3000; i++) lines.push(randomLine(r));
    const t = new LineTemplater({ dateReference: 2026 });
    t.detect(lines.slice(0, 200));
    for (const l of lines) t.learn(l);
    t.finish();
    for (const l of lines) expect(typeof t.match(l).template.id).toBe('string');
    const a = new LogAnalyzer({ dateReference: 2026 });
    const feed = a.beginSource('hostile');
    for (const l of lines) feed.push(l);
    feed.end();
    const report = a.finish();
    expect(report.summary.lines).toBe(lines.length);
  });

  it('each format detector on hostile samples alone', () => {
    for (const h of HOSTILE) {
      const a = new LogAnalyzer({ dateReference: 2026 });
      const feed = a.beginSource('one');
      for (let i = 0; i < 5; i++) feed.push(h);
      feed.end();
      expect(a.finish().summary.lines).toBe(5);
    }
  });

  it('tokenize stays linear on long pathological lines', () => {
    const raw: string[] = [];
    const masked: string[] = [];
    for (const l of [
      '"'.repeat(100_000),
      "='".repeat(50_000),
      'a"b '.repeat(30_000),
      '1.'.repeat(50_000),
    ]) {
      expect(tokenize(l, raw, masked)).toBeGreaterThan(0);
    }
  });
});
