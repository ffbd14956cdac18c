import { describe, expect, it } from 'vitest';
import { EventHub } from './event-hub.js';

describe('EventHub', () => {
  it('delivers a tenant’s events to its subscribers only, with ids counted per tenant (one tenant learns nothing of another’s traffic)', () => {
    const hub = new EventHub();
    const got: number[] = [];
    const stop = hub.subscribe('a', (e) => got.push(e.id));
    hub.publish('a', 'finding', {});
    hub.publish('b', 'finding', {});
    hub.publish('b', 'finding', {});
    hub.publish('a', 'incident.opened', {});
    stop();
    hub.publish('a', 'finding', {});
    expect(got).toEqual([1, 2]);
    expect(hub.lastId('a')).toBe(3);
    expect(hub.lastId('b')).toBe(2);
    expect(hub.lastId('c')).toBe(0);
    expect(hub.subscriberCount).toBe(0);
  });

  it('replays what came after Last-Event-ID, and says when older events were dropped', () => {
    const hub = new EventHub(3);
    for (let i = 0; i < 5; i++) hub.publish('a', 'finding', { i });
    expect(hub.since('a', 3)).toEqual({
      events: [expect.objectContaining({ id: 4 }), expect.objectContaining({ id: 5 })],
      gap: false,
    });
    expect(hub.since('a', 1)).toMatchObject({ gap: true });
    expect(hub.since('a', 5)).toEqual({ events: [], gap: false });
    expect(hub.since('b', 0).events).toEqual([]);
    expect(new EventHub().since('a', 0)).toEqual({ events: [], gap: false });
  });

  it('a tenant’s gap is its own: another tenant’s burst does not make it look as if it missed events it still has', () => {
    const hub = new EventHub(4);
    hub.publish('a', 'finding', {});
    hub.publish('a', 'finding', {});
    for (let i = 0; i < 3; i++) hub.publish('b', 'finding', {});
    // a's first event was pushed out by b's burst: a client of a at id 0 missed it
    expect(hub.since('a', 0)).toMatchObject({ gap: true });
    // at id 1 it missed nothing
    expect(hub.since('a', 1)).toEqual({ events: [expect.objectContaining({ id: 2 })], gap: false });
    expect(hub.since('b', 0)).toMatchObject({ gap: false });
  });
});
