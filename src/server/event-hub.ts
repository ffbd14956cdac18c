/** One event of the stream: a finding or an incident change, with an id clients resume from. */
export interface HubEvent {
  /** Increasing across all tenants; sent as the SSE id. */
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
  private next = 1;
  private readonly subscribers = new Set<{ tenant: string; fn: (e: HubEvent) => void }>();

  constructor(private readonly capacity = 10_000) {}

  publish(tenant: string, type: string, data: unknown): HubEvent {
    const e: HubEvent = { id: this.next++, tenant, type, data };
    this.ring.push(e);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
    for (const s of this.subscribers) if (s.tenant === tenant) s.fn(e);
    return e;
  }

  /** The tenant's held events after `lastId`; `gap` when older ones were already dropped. */
  since(tenant: string, lastId: number): { events: HubEvent[]; gap: boolean } {
    const oldest = this.ring[0]?.id ?? this.next;
    return {
      events: this.ring.filter((e) => e.id > lastId && e.tenant === tenant),
      gap: lastId + 1 < oldest && lastId < this.next - 1,
    };
  }

  subscribe(tenant: string, fn: (e: HubEvent) => void): () => void {
    const s = { tenant, fn };
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }

  get lastId(): number {
    return this.next - 1;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }
}
