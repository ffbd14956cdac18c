import { describe, expect, it } from 'vitest';
import { fnv1a32, fnv1a64Hex } from './hash.js';

describe('fnv1a64Hex', () => {
  it('matches the published FNV-1a 64-bit test vectors', () => {
    expect(fnv1a64Hex('')).toBe('cbf29ce484222325');
    expect(fnv1a64Hex('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64Hex('foobar')).toBe('85944171f73967e8');
  });
  it('differs for different texts and is stable', () => {
    expect(fnv1a64Hex('Receiving block <*>')).not.toBe(fnv1a64Hex('Received block <*>'));
    expect(fnv1a64Hex('x <*> y')).toBe(fnv1a64Hex('x <*> y'));
  });
});

describe('fnv1a32', () => {
  it('gives the published FNV-1a values and continues from a seed', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(fnv1a32('bar', fnv1a32('foo'))).toBe(fnv1a32('foobar'));
  });
});
