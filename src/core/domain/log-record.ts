import type { SeverityNumber } from './severity.js';

/** Where a record came from, as the Kubernetes/OTel resource attributes name it. */
export interface LogResource {
  service?: string;
  namespace?: string;
  pod?: string;
  container?: string;
  node?: string;
  host?: string;
}

/**
 * One log record after format parsing. `timeMs` is Unix epoch milliseconds with a fraction
 * (a double keeps microseconds exact for current dates; the store widens to ns).
 */
export interface LogRecord {
  /** 1-based line number of the record's first line in its source. */
  line: number;
  /** Number of physical lines joined into this record (stack traces). */
  lineCount: number;
  timeMs: number | undefined;
  severity: SeverityNumber;
  /** The level as written in the line, when there was one. */
  severityText: string | undefined;
  body: string;
  /** Text the template miner uses instead of the body's first line (access logs). */
  mineText?: string;
  resource: LogResource;
  /** True when a header (timestamp or level) was recognised: continuation lines have none. */
  hasHeader: boolean;
  stream?: 'stdout' | 'stderr';
}
