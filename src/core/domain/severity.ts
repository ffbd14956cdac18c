/** OpenTelemetry severity numbers (the first of each range) and their short names. */
export const SEVERITY = {
  UNSPECIFIED: 0,
  TRACE: 1,
  DEBUG: 5,
  INFO: 9,
  WARN: 13,
  ERROR: 17,
  FATAL: 21,
} as const;

export type SeverityName = keyof typeof SEVERITY;
export type SeverityNumber = (typeof SEVERITY)[SeverityName];

export const SEVERITY_NAMES: readonly SeverityName[] = [
  'UNSPECIFIED',
  'TRACE',
  'DEBUG',
  'INFO',
  'WARN',
  'ERROR',
  'FATAL',
];

/** A count per severity name, all zero. */
export function emptySeverityCounts(): Record<SeverityName, number> {
  return { UNSPECIFIED: 0, TRACE: 0, DEBUG: 0, INFO: 0, WARN: 0, ERROR: 0, FATAL: 0 };
}

export function severityName(n: number): SeverityName {
  if (n >= SEVERITY.FATAL) return 'FATAL';
  if (n >= SEVERITY.ERROR) return 'ERROR';
  if (n >= SEVERITY.WARN) return 'WARN';
  if (n >= SEVERITY.INFO) return 'INFO';
  if (n >= SEVERITY.DEBUG) return 'DEBUG';
  if (n >= SEVERITY.TRACE) return 'TRACE';
  return 'UNSPECIFIED';
}

/** Parses a level word ("warn", "Warning", "E", "CRIT", "50" from bunyan/pino) to a severity number; 0 when unknown. */
export function parseSeverity(text: string): SeverityNumber {
  const len = text.length;
  if (len === 0 || len > 11) return 0;
  const c0 = text.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57) return numericSeverity(text);
  switch (text.toUpperCase()) {
    case 'TRACE':
    case 'TRC':
    case 'FINEST':
    case 'FINER':
    case 'VERBOSE':
    case 'T':
    case 'V':
      return SEVERITY.TRACE;
    case 'DEBUG':
    case 'DBG':
    case 'DEBU':
    case 'FINE':
    case 'D':
    case 'CONFIG':
      return SEVERITY.DEBUG;
    case 'INFO':
    case 'INF':
    case 'INFORMATION':
    case 'INFORMATIONAL':
    case 'NOTICE':
    case 'I':
    case 'N':
    case 'LOG':
      return SEVERITY.INFO;
    case 'WARN':
    case 'WARNING':
    case 'WRN':
    case 'W':
      return SEVERITY.WARN;
    case 'ERROR':
    case 'ERR':
    case 'EROR':
    case 'E':
    case 'SEVERE':
    case 'FAILURE':
      return SEVERITY.ERROR;
    case 'FATAL':
    case 'CRITICAL':
    case 'CRIT':
    case 'CRT':
    case 'F':
    case 'C':
    case 'ALERT':
    case 'EMERG':
    case 'EMERGENCY':
    case 'PANIC':
    case 'FTL':
      return SEVERITY.FATAL;
    default:
      return 0;
  }
}

function numericSeverity(text: string): SeverityNumber {
  const n = Number(text);
  // bunyan / pino numeric levels
  if (n === 10) return SEVERITY.TRACE;
  if (n === 20) return SEVERITY.DEBUG;
  if (n === 30) return SEVERITY.INFO;
  if (n === 40) return SEVERITY.WARN;
  if (n === 50) return SEVERITY.ERROR;
  if (n === 60) return SEVERITY.FATAL;
  return 0;
}

/** Syslog priority (0..7) to severity. */
export function syslogSeverity(sev: number): SeverityNumber {
  if (sev <= 2) return SEVERITY.FATAL;
  if (sev === 3) return SEVERITY.ERROR;
  if (sev === 4) return SEVERITY.WARN;
  if (sev <= 6) return SEVERITY.INFO;
  return SEVERITY.DEBUG;
}
