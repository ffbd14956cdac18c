/**
 * 64-bit FNV-1a over UTF-16 code units, as 16 hex chars. Stable across runs and platforms,
 * used for template ids (hash of the template text).
 */
export function fnv1a64Hex(text: string): string {
  // two 32-bit halves of the 64-bit state; prime 2^40 + 2^8 + 0xb3
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (let i = 0; i < text.length; i++) {
    h0 ^= text.charCodeAt(i);
    // multiply by 0x100000001b3 in 16-bit limbs
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3;
    const t2 = h2 * 0x1b3 + (h0 << 8);
    const t3 = h3 * 0x1b3 + (h1 << 8);
    const c1 = t1 + (t0 >>> 16);
    const c2 = t2 + (c1 >>> 16);
    h0 = t0 & 0xffff;
    h1 = c1 & 0xffff;
    h2 = c2 & 0xffff;
    h3 = (t3 + (c2 >>> 16)) & 0xffff;
  }
  return hex4(h3) + hex4(h2) + hex4(h1) + hex4(h0);
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/**
 * 32-bit FNV-1a over UTF-16 code units, unsigned; `seed` continues from an earlier hash (hash
 * two strings without joining them). For in-memory sets, where a collision costs a look-up.
 */
export function fnv1a32(text: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
