import type { Incident } from '../domain/incident.js';
import type { IncidentNotice, NotifierPort } from '../ports/notifier.port.js';
import { NotifyError } from '../ports/notifier.port.js';
import type { IncidentChange } from './incident-tracker.js';
import { Lru } from '../domain/lru.js';

export interface NotifyOptions {
  /** Attempts per notifier and notice (the first included). */
  attempts?: number;
  /** First back-off; doubled each retry, with ±50 % jitter, capped at maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Link to an incident, for the message. */
  linkOf?: (tenant: string, id: string) => string | undefined;
  /** A delivery that failed for good (for the server log). */
  onFailure?: (notifier: string, notice: IncidentNotice, err: Error) => void;
  /** Notices remembered to drop repeats. */
  remember?: number;
  /** A fresh redactor per notice: its texts (title, reasons, timeline) leave with secrets and personal data replaced. */
  newRedactor?: () => { redact(text: string): string };
  /** The clock of the delivery figures. */
  now?: () => number;
}

/** How one destination has fared since start: notices delivered, notices given up on, the last of each. */
export interface NotifierStatus {
  /** The destination with its secret parts hidden ("slack https://hooks.slack.com/…"). */
  name: string;
  sent: number;
  failed: number;
  lastSentMs?: number;
  lastFailure?: { timeMs: number; message: string };
}

/** The incident with every free text passed through the redactor (the same value gets the same placeholder). */
export function redactIncident(i: Incident, r: { redact(text: string): string }): Incident {
  return {
    ...i,
    title: r.redact(i.title),
    causes: i.causes.map((c) => ({ ...c, reasons: c.reasons.map((x) => r.redact(x)) })),
    timeline: i.timeline.map((e) => ({ ...e, text: r.redact(e.text) })),
  };
}

/**
 * One message per incident change (never per finding): a change already sent is not sent again,
 * each notifier is tried with exponential back-off and jitter (honouring Retry-After), and a
 * notifier that fails does not hold up the others.
 */
export class IncidentNotifier {
  // notices sent lately (a change seen again is not sent twice)
  private readonly sent: Lru<string, true>;
  private readonly figures: NotifierStatus[];

  constructor(
    private readonly notifiers: readonly NotifierPort[],
    private readonly o: NotifyOptions = {},
  ) {
    this.figures = notifiers.map((n) => ({ name: n.name, sent: 0, failed: 0 }));
    this.sent = new Lru(o.remember ?? 10_000);
  }

  /** Each destination's delivery figures, in the order they were configured. */
  status(): NotifierStatus[] {
    return this.figures.map((f) => ({
      ...f,
      ...(f.lastFailure === undefined ? {} : { lastFailure: { ...f.lastFailure } }),
    }));
  }

  /**
   * Sends a test notice to every destination, once each (no retry: the person wants to know now),
   * and says how each went. The notice is an incident of type "test" that names itself a test.
   */
  async test(tenant: string): Promise<{ name: string; ok: boolean; error?: string; ms: number }[]> {
    const now = this.now();
    const incident: Incident = {
      id: 'inc_test',
      status: 'open',
      title: 'Test notice from Bifrost: this destination receives incident notifications',
      firstSymptomMs: now,
      detectedMs: now,
      lastSymptomMs: now,
      peakScore: 0,
      services: [],
      causes: [],
      timeline: [],
    };
    const notice: IncidentNotice = {
      type: 'test',
      tenant,
      incident,
      deliveryId: `inc_test.test.${now}`,
    };
    return Promise.all(
      this.notifiers.map(async (n, k) => {
        const t0 = Date.now();
        try {
          await n.send(notice);
          this.record(k, undefined);
          return { name: n.name, ok: true, ms: Date.now() - t0 };
        } catch (err) {
          const e = err instanceof Error ? err : new Error(String(err));
          this.record(k, e);
          return { name: n.name, ok: false, error: e.message, ms: Date.now() - t0 };
        }
      }),
    );
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private record(k: number, err: Error | undefined): void {
    const f = this.figures[k];
    if (f === undefined) return;
    if (err === undefined) {
      f.sent++;
      f.lastSentMs = this.now();
    } else {
      f.failed++;
      f.lastFailure = { timeMs: this.now(), message: err.message };
    }
  }

  /** Resolves when every notifier has delivered or given up; never rejects. */
  async notify(change: IncidentChange): Promise<void> {
    if (this.notifiers.length === 0) return;
    const i =
      this.o.newRedactor === undefined
        ? change.incident
        : redactIncident(change.incident, this.o.newRedactor());
    const key = `${change.tenant}/${i.id}/${change.type}/${i.status}/${i.lastSymptomMs}/${i.causes[0]?.service ?? ''}`;
    if (this.sent.has(key)) return;
    this.sent.set(key, true);
    const link = this.o.linkOf?.(change.tenant, i.id);
    const notice: IncidentNotice = {
      type: change.type,
      tenant: change.tenant,
      incident: i,
      deliveryId: `${i.id}.${change.type}.${i.lastSymptomMs}`,
      ...(link === undefined ? {} : { link }),
    };
    await Promise.all(this.notifiers.map((n, k) => this.deliver(n, k, notice)));
  }

  private async deliver(n: NotifierPort, k0: number, notice: IncidentNotice): Promise<void> {
    const attempts = this.o.attempts ?? 5;
    const sleep =
      this.o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
    const random = this.o.random ?? Math.random;
    for (let k = 1; ; k++) {
      try {
        await n.send(notice);
        this.record(k0, undefined);
        return;
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        const retryable = !(e instanceof NotifyError) || e.retryable;
        if (!retryable || k >= attempts) {
          this.record(k0, e);
          this.o.onFailure?.(n.name, notice, e);
          return;
        }
        const backoff =
          Math.min((this.o.baseDelayMs ?? 500) * 2 ** (k - 1), this.o.maxDelayMs ?? 30_000) *
          (0.5 + random());
        await sleep(Math.max(backoff, e instanceof NotifyError ? (e.retryAfterMs ?? 0) : 0));
      }
    }
  }
}
