/** One event of the stream: a finding or an incident change, with an id clients resume from. */
export interface HubEvent {
  /** Increasing per tenant (a tenant's ids say nothing of another's traffic); sent as the SSE id. */
  id: number;
  tenant: string;
  /** SSE event name: finding, incident.opened, incident.updated, … */
  type: string;
  data: unknown;
}

/**
 * Findings and incident changes as they happen, for /api/v1/stream: subscribers per tenant and
 * the last `capacity` events kept so that a client reconnecting with Last-Event-ID misses
 * nothing that is still held (and is told when it missed more).
 */
export class EventHub {
  private readonly ring: HubEvent[] = [];
  /** Per tenant: the last id given, and the newest id dropped from the ring. */
  private readonly ids = new Map<string, { last: number; dropped: number }>();
  private readonly subscribers = new Set<{ tenant: string; fn: (e: HubEvent) => void }>();

  constructor(private readonly capacity = 10_000) {}

  publish(tenant: string, type: string, data: unknown): HubEvent {
    let ids = this.ids.get(tenant);
    if (ids === undefined) this.ids.set(tenant, (ids = { last: 0, dropped: 0 }));
    const e: HubEvent = { id: ++ids.last, tenant, type, data };
    this.ring.push(e);
    if (this.ring.length > this.capacity)
      for (const old of this.ring.splice(0, this.ring.length - this.capacity)) {
        const t = this.ids.get(old.tenant);
        if (t !== undefined) t.dropped = Math.max(t.dropped, old.id);
      }
    for (const s of this.subscribers) if (s.tenant === tenant) s.fn(e);
    return e;
  }

  /** The tenant's held events after `lastId`; `gap` when some of its events after it were already dropped. */
  since(tenant: string, lastId: number): { events: HubEvent[]; gap: boolean } {
    return {
      events: this.ring.filter((e) => e.id > lastId && e.tenant === tenant),
      gap: lastId < (this.ids.get(tenant)?.dropped ?? 0),
    };
  }

  subscribe(tenant: string, fn: (e: HubEvent) => void): () => void {
    const s = { tenant, fn };
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }

  /** The tenant's last event id (0 before any). */
  lastId(tenant: string): number {
    return this.ids.get(tenant)?.last ?? 0;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }
}
