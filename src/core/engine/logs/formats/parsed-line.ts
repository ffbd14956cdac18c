import type { SeverityNumber } from '../../../domain/severity.js';

/** Names of the line formats the detector knows. */
export type FormatName =
  | 'json'
  | 'docker-json'
  | 'cri'
  | 'csv'
  | 'logfmt'
  | 'syslog'
  | 'klog'
  | 'access'
  | 'header'
  | 'layout'
  | 'plain';

/** What a format parser extracts from one physical line. */
export interface ParsedLine {
  timeMs: number | undefined;
  severity: SeverityNumber;
  severityText: string | undefined;
  /** The message text (header fields removed); the evidence shows it. */
  message: string;
  /** What the template miner sees when it differs from the message (access logs: method, route, status class). */
  mineText?: string;
  /** True when the line carries a header (timestamp or level), i.e. starts a record. */
  hasHeader: boolean;
  service: string | undefined;
  /** Logger / component name when the format has one. */
  logger: string | undefined;
  stream: 'stdout' | 'stderr' | undefined;
  /** CRI partial line (`P`): the next line continues it. */
  partial: boolean;
  /** Not a log record (a CSV header row): analysis skips it. */
  skip?: boolean;
}

export interface LineFormat {
  readonly name: FormatName;
  /** Parses a line; undefined when the line is not in this format. */
  parse(line: string): ParsedLine | undefined;
}

export function plainLine(line: string): ParsedLine {
  return {
    timeMs: undefined,
    severity: 0,
    severityText: undefined,
    message: line,
    hasHeader: false,
    service: undefined,
    logger: undefined,
    stream: undefined,
    partial: false,
  };
}
