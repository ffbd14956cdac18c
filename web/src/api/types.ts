/** The parts of the REST API (/openapi.json) the dashboard reads. */

export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

export interface IncidentEvent {
  timeMs: number;
  time?: string;
  kind: 'first-symptom' | 'detected' | 'symptom' | 'change' | 'acknowledged' | 'resolved' | 'reopened';
  text: string;
  service?: string;
}

export interface Incident {
  id: string;
  status: IncidentStatus;
  title: string;
  firstSymptomMs: number;
  detectedMs: number;
  lastSymptomMs: number;
  resolvedMs?: number;
  resolvedBy?: 'detector' | 'person';
  acknowledgedMs?: number;
  peakScore: number;
  services: string[];
  causes: { service: string; score: number; reasons: string[] }[];
  timeline: IncidentEvent[];
  mttdMs: number;
  mttrMs?: number;
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface Finding {
  id: string;
  kind: string;
  time: string;
  score: number;
  reason: string;
  metric: string;
  resource?: Record<string, string | undefined>;
}

export interface ServiceHealth {
  service: string;
  spans: number;
  ratePerMin: number;
  errorRatio: number;
  p50Ms: number;
  p90Ms: number;
  shift: { p90Ratio: number | null; errorRatioChange: number; before: { count: number; p90Ms: number } } | null;
}

export interface Graph {
  from: string;
  to: string;
  services: ServiceHealth[];
  edges: { caller: string; callee: string; calls: number; errors: number; p90Ms: number }[];
}

export interface EvidenceItem {
  id: string;
  signal: string;
  reason: string;
  ref: { type: string; templateId?: string; template?: string };
  examples?: { logId: string; timeMs: number; body: string; traceId: string }[];
  spans?: { traceId: string; spanId: string; operation: string; startMs: number; durationMs: number; statusCode: number }[];
}

export interface Rca {
  at: string;
  window: { from: string; to: string };
  candidates: { service: string; score: number; reasons: string[]; explains: string[]; explainedBy: string[]; evidence: EvidenceItem[] }[];
  notes: string[];
}

export interface CitedText {
  text: string;
  citations: string[];
}

export interface Explanation {
  status: 'explained' | 'inconclusive' | 'unavailable';
  note?: string;
  provider?: string;
  model?: string;
  prompt: string;
  cached: boolean;
  answer?: { verdict: string; summary: string; probableCause: CitedText & { service: string }; issues: CitedText[]; suggestions: CitedText[]; confidence: string };
}

export interface Extent {
  from: string | null;
  to: string | null;
}
