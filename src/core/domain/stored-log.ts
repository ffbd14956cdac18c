import type { LogResource } from './log-record.js';

/** A log record as received over OTLP, before templating. */
export interface ReceivedLog {
  timeMs: number;
  /** OTel severity number 0–24 (0: unspecified). */
  severity: number;
  severityText: string;
  body: string;
  resource: LogResource;
  /** Record attributes as canonical JSON (keys sorted). */
  attributes: string;
  /** Hex, '' when absent. */
  traceId: string;
  spanId: string;
}

/** A received log with the template the log engine gave it on arrival. */
export interface StoredLog extends ReceivedLog {
  /** Unique per tenant (keyset pages). */
  id: string;
  templateId: string;
  template: string;
  params: string[];
}

export interface TemplateCount {
  templateId: string;
  template: string;
  /** Start of the time bucket (epoch ms). */
  bucketMs: number;
  count: number;
  /** Records of the bucket at ERROR or worse (OTel severity ≥ 17). */
  errors: number;
}
