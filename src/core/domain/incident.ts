/** Where an incident stands: found, seen by a person, over. */
export const INCIDENT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export interface IncidentEvent {
  timeMs: number;
  kind:
    'first-symptom' | 'detected' | 'symptom' | 'change' | 'acknowledged' | 'resolved' | 'reopened';
  text: string;
  service?: string;
}

export interface IncidentCause {
  service: string;
  score: number;
  reasons: string[];
}

/**
 * A group of findings related in time and over the service graph: since when, where, the
 * ranked causes with their reasons, and its lifecycle.
 */
export interface Incident {
  /** Stable: the same trouble found again keeps its id. */
  id: string;
  status: IncidentStatus;
  title: string;
  /** Start of the first abnormal bucket. */
  firstSymptomMs: number;
  /** When the detector had enough to open it (end of the first abnormal bucket it saw). */
  detectedMs: number;
  /** End of the last abnormal bucket. */
  lastSymptomMs: number;
  /** Set once resolved (quiet for the configured period, or by a person). */
  resolvedMs?: number;
  /** Who resolved it: the detector (quiet period) or a person (API). */
  resolvedBy?: 'detector' | 'person';
  acknowledgedMs?: number;
  /** Highest evidence score seen. */
  peakScore: number;
  /** Abnormal services, most abnormal first. */
  services: string[];
  causes: IncidentCause[];
  timeline: IncidentEvent[];
}

/** Mean time to detect (detected − first symptom) and to resolve (resolved − first symptom), ms. */
export function incidentTimes(i: Incident): { mttdMs: number; mttrMs: number | undefined } {
  return {
    mttdMs: i.detectedMs - i.firstSymptomMs,
    mttrMs: i.resolvedMs === undefined ? undefined : i.resolvedMs - i.firstSymptomMs,
  };
}
