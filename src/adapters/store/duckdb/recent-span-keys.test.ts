import { describe, expect, it } from 'vitest';
import { spanCopyKey } from '../../../core/domain/span.js';
import { RecentSpanKeys } from './recent-span-keys.js';

const MIN = 60_000;
const span = (id: string, startMs: number) => ({
  traceId: 'a'.repeat(32),
  spanId: id.padStart(16, '0'),
  startMs,
});
type Sp = ReturnType<typeof span>;
/** The store's calls: by spanCopyKey and start. */
const asked = (keys: RecentSpanKeys, tenant: string, sp: Sp) =>
  keys.mustLookUp(tenant, spanCopyKey(sp), sp.startMs);
const stored = (keys: RecentSpanKeys, tenant: string, spans: Sp[]) => {
  keys.remember(tenant, new Map(spans.map((sp) => [spanCopyKey(sp), sp])));
};

describe('RecentSpanKeys (which spans of a batch the store must look up)', () => {
  it('an empty store: a span never seen is new without a look-up; one stored since may be a copy', () => {
    const keys = new RecentSpanKeys({ capacity: 100 });
    keys.start(undefined);
    expect(asked(keys, 't', span('1', 5 * MIN))).toBe(false);
    stored(keys, 't', [span('1', 5 * MIN)]);
    expect(asked(keys, 't', span('1', 5 * MIN))).toBe(true);
    // another start, span id or tenant is another span
    expect(asked(keys, 't', span('1', 5 * MIN + 0.001))).toBe(false);
    expect(asked(keys, 't', span('2', 5 * MIN))).toBe(false);
    expect(asked(keys, 'u', span('1', 5 * MIN))).toBe(false);
  });

  it('spans that start no later than the latest stored before it began are looked up (stored by an earlier run)', () => {
    const keys = new RecentSpanKeys({ capacity: 100 });
    keys.start(10 * MIN);
    expect(asked(keys, 't', span('1', 10 * MIN))).toBe(true);
    expect(asked(keys, 't', span('1', 3 * MIN))).toBe(true);
    expect(asked(keys, 't', span('1', 10 * MIN + 1))).toBe(false);
    // spans remembered from before that time add nothing (they are looked up anyway)
    stored(keys, 't', [span('2', 2 * MIN)]);
    expect(keys.size).toBe(0);
  });

  it('over capacity it forgets the earliest minutes of start times, and spans of those minutes are looked up again', () => {
    const keys = new RecentSpanKeys({ capacity: 4 });
    keys.start(undefined);
    stored(keys, 't', [
      span('1', 1 * MIN),
      span('2', 1 * MIN + 5),
      span('3', 2 * MIN),
      span('4', 3 * MIN),
    ]);
    expect(keys.size).toBe(4);
    stored(keys, 't', [span('5', 4 * MIN)]);
    expect(keys.size).toBeLessThanOrEqual(4);
    // minute 1 is forgotten: a span starting then, even one never seen, needs the store
    expect(asked(keys, 't', span('9', 1 * MIN + 7))).toBe(true);
    expect(asked(keys, 't', span('9', 0))).toBe(true);
    expect(asked(keys, 't', span('9', 4 * MIN + 7))).toBe(false);
    expect(asked(keys, 't', span('5', 4 * MIN))).toBe(true);
  });

  it('a minute holding more spans than the capacity is forgotten whole: its spans are looked up, later minutes are not', () => {
    const keys = new RecentSpanKeys({ capacity: 3 });
    keys.start(undefined);
    stored(
      keys,
      't',
      ['1', '2', '3', '4', '5'].map((id) => span(id, 7 * MIN)),
    );
    expect(keys.size).toBe(0);
    expect(asked(keys, 't', span('6', 7 * MIN + 1))).toBe(true);
    expect(asked(keys, 't', span('6', 8 * MIN))).toBe(false);
  });

  it('retention: spans before the cut are deleted from the store, so their minutes are forgotten', () => {
    const keys = new RecentSpanKeys({ capacity: 100 });
    keys.start(undefined);
    stored(keys, 't', [span('1', 1 * MIN), span('2', 5 * MIN + 10), span('3', 9 * MIN)]);
    keys.forgetBefore(5 * MIN + 30);
    expect(asked(keys, 't', span('1', 1 * MIN))).toBe(true);
    expect(asked(keys, 't', span('7', 5 * MIN + 40))).toBe(true);
    expect(asked(keys, 't', span('3', 9 * MIN))).toBe(true);
    expect(asked(keys, 't', span('8', 9 * MIN))).toBe(false);
    expect(keys.size).toBe(1);
  });

  it('before start() nothing is known: every span is looked up', () => {
    const keys = new RecentSpanKeys({ capacity: 100 });
    expect(keys.started).toBe(false);
    expect(asked(keys, 't', span('1', 5 * MIN))).toBe(true);
    stored(keys, 't', [span('1', 5 * MIN)]);
    expect(keys.size).toBe(0);
  });

  it('hostile start times (NaN, infinite, negative) are looked up, never remembered', () => {
    const keys = new RecentSpanKeys({ capacity: 100 });
    keys.start(undefined);
    for (const s of [Number.NaN, Infinity, -Infinity]) {
      stored(keys, 't', [span('1', s)]);
      expect(asked(keys, 't', span('1', s))).toBe(true);
    }
    expect(keys.size).toBe(0);
    stored(keys, 't', [span('1', -5 * MIN)]);
    expect(asked(keys, 't', span('1', -5 * MIN))).toBe(true);
    expect(asked(keys, 't', span('2', -5 * MIN))).toBe(false);
  });
});
