import { describe, expect, it } from 'vitest';
import { EventHub } from './event-hub.js';

describe('EventHub', () => {
  it('delivers a tenant’s events to its subscribers only, with increasing ids', () => {
    const hub = new EventHub();
    const got: number[] = [];
    const stop = hub.subscribe('a', (e) => got.push(e.id));
    hub.publish('a', 'finding', {});
    hub.publish('b', 'finding', {});
    hub.publish('a', 'incident.opened', {});
    stop();
    hub.publish('a', 'finding', {});
    expect(got).toEqual([1, 3]);
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
});
