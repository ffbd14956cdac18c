import type { Finding } from '../domain/finding.js';
import type { Incident, IncidentEvent } from '../domain/incident.js';
import type { InsightConfig } from '../engine/insight/insight-config.js';
import { DEFAULT_INSIGHT_CONFIG } from '../engine/insight/insight-config.js';
import type { HistoryStorePort } from '../ports/history-store.port.js';
import type { TelemetryWriterPort } from '../ports/telemetry-store.port.js';
import type { InsightSource } from './insight-data.js';
import { scanIncidents } from './scan-incidents.js';
import { Lru } from '../domain/lru.js';

/** What a scan produced: incident changes, and findings (log, latency, span-error signals) not reported before. */
export interface ScanOutcome {
  changes: IncidentChange[];
  findings: Finding[];
}

export type IncidentChangeType = 'opened' | 'updated' | 'acknowledged' | 'resolved' | 'reopened';

/** One change of an incident: what notifications and the event stream carry. */
export interface IncidentChange {
  type: IncidentChangeType;
  tenant: string;
  incident: Incident;
}

export interface IncidentTrackerOptions {
  telemetry: TelemetryWriterPort & InsightSource;
  history: HistoryStorePort;
  config?: InsightConfig;
  /** How far back a live scan looks for abnormal minutes. */
  lookbackMs?: number;
  /** How much earlier data shows usual behaviour. */
  referenceMs?: number;
}

const PERSON_EVENTS = new Set<IncidentEvent['kind']>(['acknowledged', 'reopened']);

function signature(i: Incident): string {
  return JSON.stringify([i.status, i.lastSymptomMs, i.services, i.causes[0]?.service, i.peakScore]);
}

/**
 * Keeps the incidents of each tenant: merges what the detector finds with what is stored (a
 * person's acknowledgement or resolution survives a re-detection; new symptoms after a person
 * resolved it reopen it) and reports every change once.
 */
export class IncidentTracker {
  private readonly config: InsightConfig;
  private readonly referenceMs: number;
  // findings already stored, the oldest forgotten first
  private readonly reported = new Lru<string, true>(100_000);

  constructor(private readonly o: IncidentTrackerOptions) {
    this.config = o.config ?? DEFAULT_INSIGHT_CONFIG;
    this.referenceMs = o.referenceMs ?? 2 * 3_600_000;
  }

  /** Live detection: the last minutes against the data before them. */
  async scanLive(tenant: string, nowMs: number): Promise<ScanOutcome> {
    const lookback = this.o.lookbackMs ?? 30 * 60_000;
    const found: Finding[] = [];
    const detected = await scanIncidents(
      this.o.telemetry,
      tenant,
      {
        fromMs: nowMs - lookback,
        toMs: nowMs,
        reference: 'past',
        referenceMs: this.referenceMs,
        nowMs,
      },
      this.config,
      found,
    );
    return {
      changes: (await this.reconcile(tenant, detected)).changes,
      findings: await this.keep(tenant, found),
    };
  }

  /** A retrospective scan of stored data (imports): each minute against the data around it. */
  async scanRange(
    tenant: string,
    fromMs: number,
    toMs: number,
    referenceMs = this.referenceMs,
  ): Promise<{ incidents: Incident[] } & ScanOutcome> {
    const found: Finding[] = [];
    const detected = await scanIncidents(
      this.o.telemetry,
      tenant,
      { fromMs, toMs, reference: 'around', referenceMs },
      this.config,
      found,
    );
    const findings = await this.keep(tenant, found);
    const { incidents, changes } = await this.reconcile(tenant, detected);
    return { incidents, changes, findings };
  }

  /** Stores signal findings (the store keeps one per id) and returns those not reported before. */
  private async keep(tenant: string, found: readonly Finding[]): Promise<Finding[]> {
    const fresh = found.filter((f) => !this.reported.has(`${tenant}\u0000${f.id}`));
    if (fresh.length === 0) return [];
    await this.o.telemetry.append(tenant, { findings: fresh });
    for (const f of fresh) {
      this.reported.set(`${tenant}\u0000${f.id}`, true);
    }
    return fresh;
  }

  /** Merges detected incidents into the stored ones; returns what changed. */
  async record(tenant: string, detected: readonly Incident[]): Promise<IncidentChange[]> {
    return (await this.reconcile(tenant, detected)).changes;
  }

  /** The merge of `record`, also giving each detected incident as it now stands in the store. */
  private async reconcile(
    tenant: string,
    detected: readonly Incident[],
  ): Promise<{ incidents: Incident[]; changes: IncidentChange[] }> {
    const changes: IncidentChange[] = [];
    const incidents: Incident[] = [];
    for (const d of detected) {
      const stored = await this.o.history.getIncident(tenant, d.id);
      if (stored === undefined) {
        await this.o.history.putIncident(tenant, d);
        changes.push({ type: 'opened', tenant, incident: d });
        incidents.push(d);
        continue;
      }
      const merged: Incident = {
        ...d,
        timeline: [
          ...d.timeline,
          ...stored.timeline.filter(
            (e) =>
              PERSON_EVENTS.has(e.kind) ||
              (e.kind === 'resolved' && stored.resolvedBy === 'person'),
          ),
        ].sort((a, b) => a.timeMs - b.timeMs),
      };
      if (stored.acknowledgedMs !== undefined) merged.acknowledgedMs = stored.acknowledgedMs;
      let type: IncidentChangeType = 'updated';
      if (stored.status === 'resolved' && stored.resolvedBy === 'person') {
        if (d.lastSymptomMs > (stored.resolvedMs ?? 0)) {
          merged.status =
            d.status === 'resolved'
              ? 'resolved'
              : stored.acknowledgedMs !== undefined
                ? 'acknowledged'
                : 'open';
          merged.timeline = [
            ...merged.timeline,
            {
              timeMs: d.lastSymptomMs,
              kind: 'reopened' as const,
              text: 'new symptoms after it was resolved',
            },
          ].sort((a, b) => a.timeMs - b.timeMs);
          type = 'reopened';
        } else {
          merged.status = 'resolved';
          merged.resolvedMs = stored.resolvedMs!;
          merged.resolvedBy = 'person';
          merged.timeline = merged.timeline.filter(
            (e) => !(e.kind === 'resolved' && e.timeMs !== stored.resolvedMs),
          );
        }
      } else if (d.status === 'open' && stored.status === 'acknowledged')
        merged.status = 'acknowledged';
      if (
        signature(merged) === signature(stored) &&
        merged.timeline.length === stored.timeline.length
      ) {
        incidents.push(stored);
        continue;
      }
      if (type === 'updated' && merged.status === 'resolved' && stored.status !== 'resolved')
        type = 'resolved';
      await this.o.history.putIncident(tenant, merged);
      changes.push({ type, tenant, incident: merged });
      incidents.push(merged);
    }
    return { incidents, changes };
  }

  /** A person has seen it (an open incident; others are returned unchanged). undefined when the tenant has no such incident. */
  async acknowledge(
    tenant: string,
    id: string,
    nowMs: number,
    who: string,
  ): Promise<{ incident: Incident; change?: IncidentChange } | undefined> {
    const i = await this.o.history.getIncident(tenant, id);
    if (i === undefined) return undefined;
    if (i.status !== 'open') return { incident: i };
    const next: Incident = {
      ...i,
      status: 'acknowledged',
      acknowledgedMs: nowMs,
      timeline: [
        ...i.timeline,
        { timeMs: nowMs, kind: 'acknowledged', text: `acknowledged by ${who}` },
      ],
    };
    await this.o.history.putIncident(tenant, next);
    return { incident: next, change: { type: 'acknowledged', tenant, incident: next } };
  }

  /** A person says it is over (a resolved incident is returned unchanged). undefined when the tenant has no such incident. */
  async resolve(
    tenant: string,
    id: string,
    nowMs: number,
    who: string,
  ): Promise<{ incident: Incident; change?: IncidentChange } | undefined> {
    const i = await this.o.history.getIncident(tenant, id);
    if (i === undefined) return undefined;
    if (i.status === 'resolved') return { incident: i };
    const next: Incident = {
      ...i,
      status: 'resolved',
      resolvedMs: nowMs,
      resolvedBy: 'person',
      timeline: [...i.timeline, { timeMs: nowMs, kind: 'resolved', text: `resolved by ${who}` }],
    };
    await this.o.history.putIncident(tenant, next);
    return { incident: next, change: { type: 'resolved', tenant, incident: next } };
  }
}
