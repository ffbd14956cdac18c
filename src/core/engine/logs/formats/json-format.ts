import { parseSeverity } from '../../../domain/severity.js';
import type { SeverityNumber } from '../../../domain/severity.js';
import { parseTimeValue } from '../timestamp.js';
import type { LineFormat, ParsedLine } from './parsed-line.js';

const MESSAGE_KEYS = [
  'msg',
  'message',
  'MESSAGE',
  'Message',
  'log',
  'event',
  'text',
  'body',
  'textPayload',
  'short_message',
];
const LEVEL_KEYS = [
  'level',
  'severity',
  'lvl',
  'levelname',
  'loglevel',
  'log.level',
  'severity_text',
  'SeverityText',
  'Level',
  'LEVEL',
  'status',
];
const TIME_KEYS = [
  'time',
  'ts',
  'timestamp',
  '@timestamp',
  't',
  'datetime',
  'date',
  'eventTime',
  'Timestamp',
  'TIME',
  'logtime',
];
const SERVICE_KEYS = [
  'service',
  'service.name',
  'service_name',
  'serviceName',
  'app',
  'application',
  'component',
  'container_name',
];
const LOGGER_KEYS = ['logger', 'logger_name', 'loggerName', 'name', 'caller'];

/**
 * JSON-structured logs (one object per line): message, level, time and service from the
 * usual field names (pino, bunyan, zap, logrus, ECS, GCP, OTel JSON…), nested `log.level` too.
 */
export function createJsonFormat(dateReference: number): LineFormat {
  return {
    name: 'json',
    parse(line) {
      const obj = parseObject(line);
      return obj === undefined ? undefined : fromObject(obj, line, dateReference);
    },
  };
}

export function parseObject(line: string): Record<string, unknown> | undefined {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === 32) i++;
  if (line.charCodeAt(i) !== 123 || line.charCodeAt(line.length - 1) !== 125) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function pick(obj: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const k of keys) {
    const v = k.includes('.') ? dotted(obj, k) : obj[k];
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

function dotted(obj: Record<string, unknown>, path: string): unknown {
  if (obj[path] !== undefined) return obj[path];
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function fromObject(
  obj: Record<string, unknown>,
  line: string,
  dateReference: number,
): ParsedLine {
  const msg = pick(obj, MESSAGE_KEYS);
  const levelRaw = pick(obj, LEVEL_KEYS);
  const levelText = asText(levelRaw);
  let severity: SeverityNumber = levelText === undefined ? 0 : parseSeverity(levelText);
  if (severity === 0 && obj.error !== undefined && obj.error !== null && obj.error !== false)
    severity = 17;
  let message = asText(msg);
  if (message === undefined) message = line;
  else {
    // a stack or error detail in its own field belongs to the message (one record)
    const stack = asText(
      obj.stack ??
        obj.stack_trace ??
        obj.stacktrace ??
        obj.exception ??
        (obj.err as Record<string, unknown> | undefined)?.stack,
    );
    if (stack !== undefined && !message.includes(stack)) message = message + '\n' + stack;
  }
  const service = asText(pick(obj, SERVICE_KEYS));
  const logger = asText(pick(obj, LOGGER_KEYS));
  const timeMs = parseTimeValue(pick(obj, TIME_KEYS), dateReference);
  const stream =
    obj.stream === 'stderr' ? 'stderr' : obj.stream === 'stdout' ? 'stdout' : undefined;
  return {
    timeMs,
    severity,
    severityText: severity === 0 ? undefined : levelText,
    message: message.endsWith('\n') ? message.slice(0, -1) : message,
    hasHeader: true,
    service,
    logger,
    stream,
    partial: false,
  };
}
