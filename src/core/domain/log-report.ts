import type { SeverityName } from './severity.js';

/** Kinds of finding the log engine produces. */
export type LogFindingKind =
  'error-template' | 'warn-template' | 'exception' | 'burst' | 'new-template' | 'rare-template';

/** A line that supports a finding. */
export interface EvidenceLine {
  source: string;
  /** 1-based line number in the source. */
  line: number;
  text: string;
  timeMs?: number;
  /** The service the record names (a JSON field, a CSV column), when it names one. */
  service?: string;
}

export interface LogFinding {
  kind: LogFindingKind;
  severity: SeverityName;
  /** Rank in [0, 1]; findings are sorted by it. */
  score: number;
  /** One line a person understands. */
  reason: string;
  templateId?: string;
  template?: string;
  /** Lines (records) the finding covers. */
  count: number;
  firstSeenMs?: number;
  lastSeenMs?: number;
  /** For bursts: the window of the rate change. */
  window?: { startMs: number; endMs: number; count: number; expected: number };
  /** Further facts about an error/warn template: it is new in the log, it bursts. */
  tags?: ('new' | 'burst')[];
  /** When the template first appeared, for new templates. */
  newSinceMs?: number;
  /** For exceptions: type and the frame it was thrown from. */
  exception?: { type: string; frame: string; message: string };
  sources: string[];
  /** The services its records name (JSON fields, CSV columns), when they name any; at most 16. */
  services?: string[];
  evidence: EvidenceLine[];
}

export interface TemplateSummary {
  id: string;
  template: string;
  count: number;
  severity: SeverityName;
  firstSeenMs?: number;
  lastSeenMs?: number;
  first: { source: string; line: number };
  example: string;
  sources: string[];
}

export interface SourceSummary {
  name: string;
  /** Detected format, e.g. "cri+json", "syslog", "plain". */
  format: string;
  lines: number;
  records: number;
  /** Lines cut at the line length limit. */
  truncatedLines: number;
  /** The times of its first and last records, when they have times. */
  firstMs?: number;
  lastMs?: number;
  /** Set when the source was skipped or failed (binary, unreadable, truncated gzip…). */
  problem?: { code: string; message: string };
  /** Records left out for their time (before --since or from --until on). */
  outsideRange?: number;
}

export interface LogSummary {
  lines: number;
  records: number;
  templates: number;
  firstMs?: number;
  lastMs?: number;
  severityCounts: Record<SeverityName, number>;
  truncatedLines: number;
  /** Templates dropped by the bounded template table (LRU). */
  evictedTemplates: number;
  sources: SourceSummary[];
}

/** One service's part in a log incident. */
export interface LogIncidentService {
  service: string;
  /** Its sources (files) in the incident. */
  sources: string[];
  onsetMs: number;
  untilMs: number;
  /** Its findings in the incident, and the first of them as a person reads it. */
  findings: number;
  first: string;
}

/**
 * Services in trouble together, from logs alone (no traces): findings that began during the log
 * (bursts; new messages and exceptions, first seen after its first fifth) of services that name one
 * another, or the same service, with no quiet period between them; their probable causes ranked.
 */
export interface LogIncident {
  startMs: number;
  endMs: number;
  /** First in trouble first. */
  services: LogIncidentService[];
  /** Most probable first (at most three), each with a score in [0, 1] and its reasons: how it relates to the others first, then its strongest symptoms. */
  causes: { service: string; score: number; reasons: string[] }[];
  /** Its findings: indexes into the report's findings, in their order. */
  findings: number[];
}

/** Incidents of a log report a person or a model is shown at first: the rest are in the JSON. */
export const INCIDENTS_SHOWN = 5;

/**
 * The incidents to show of many (the CLI, the dashboard and the model's context alike): the `n`
 * whose probable causes are strongest (the earlier on a tie), in time order.
 */
export function strongestIncidents(
  incidents: readonly LogIncident[],
  n = INCIDENTS_SHOWN,
): LogIncident[] {
  if (incidents.length <= n) return [...incidents];
  const top = (i: LogIncident) => i.causes[0]?.score ?? 0;
  const keep = new Set(
    [...incidents].sort((a, b) => top(b) - top(a) || a.startMs - b.startMs).slice(0, n),
  );
  return incidents.filter((i) => keep.has(i));
}

export interface LogReport {
  engineVersion: string;
  summary: LogSummary;
  findings: LogFinding[];
  /** Templates by count, most frequent first. */
  templates: TemplateSummary[];
  /** Set by analyses across sources: incidents and their probable causes (empty when nothing began during the log). */
  incidents?: LogIncident[];
}
