import type { Incident } from '../domain/incident.js';
import type { IncidentNotice, NotifierPort } from '../ports/notifier.port.js';
import { NotifyError } from '../ports/notifier.port.js';
import type { IncidentChange } from './incident-tracker.js';

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
  private readonly sent = new Set<string>();

  constructor(
    private readonly notifiers: readonly NotifierPort[],
    private readonly o: NotifyOptions = {},
  ) {}

  /** Resolves when every notifier has delivered or given up; never rejects. */
  async notify(change: IncidentChange): Promise<void> {
    if (this.notifiers.length === 0) return;
    const i = this.o.newRedactor === undefined ? change.incident : redactIncident(change.incident, this.o.newRedactor());
    const key = `${change.tenant}/${i.id}/${change.type}/${i.status}/${i.lastSymptomMs}/${i.causes[0]?.service ?? ''}`;
    if (this.sent.has(key)) return;
    this.sent.add(key);
    if (this.sent.size > (this.o.remember ?? 10_000)) this.sent.delete(this.sent.values().next().value!);
    const link = this.o.linkOf?.(change.tenant, i.id);
    const notice: IncidentNotice = { type: change.type, tenant: change.tenant, incident: i, deliveryId: `${i.id}.${change.type}.${i.lastSymptomMs}`, ...(link === undefined ? {} : { link }) };
    await Promise.all(this.notifiers.map((n) => this.deliver(n, notice)));
  }

  private async deliver(n: NotifierPort, notice: IncidentNotice): Promise<void> {
    const attempts = this.o.attempts ?? 5;
    const sleep = this.o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
    const random = this.o.random ?? Math.random;
    for (let k = 1; ; k++) {
      try {
        await n.send(notice);
        return;
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        const retryable = !(e instanceof NotifyError) || e.retryable;
        if (!retryable || k >= attempts) {
          this.o.onFailure?.(n.name, notice, e);
          return;
        }
        const backoff = Math.min((this.o.baseDelayMs ?? 500) * 2 ** (k - 1), this.o.maxDelayMs ?? 30_000) * (0.5 + random());
        await sleep(Math.max(backoff, e instanceof NotifyError ? (e.retryAfterMs ?? 0) : 0));
      }
    }
  }
}
