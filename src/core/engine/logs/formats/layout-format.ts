import { parseSeverity } from '../../../domain/severity.js';
import type { SeverityNumber } from '../../../domain/severity.js';
import type { HeaderLayout } from '../header-layout.js';
import { parseTimestampAt } from '../timestamp.js';
import type { LineFormat } from './parsed-line.js';

const TIME_FIELDS = new Set(['date', 'time', 'timestamp', 'datetime', 'month', 'day', 'year']);
const LEVEL_FIELDS = new Set(['level', 'severity', 'loglevel', 'lvl']);
const LOGGER_FIELDS = new Set(['component', 'logger', 'class', 'source']);
const SERVICE_FIELDS = new Set(['service', 'app', 'application', 'process']);

/** Lines in a layout the user stated with `--header`; lines that do not fit are continuations. */
export function createLayoutFormat(layout: HeaderLayout, dateReference: number): LineFormat {
  const roles = layout.fields.map((f) => {
    const k = f.toLowerCase();
    if (TIME_FIELDS.has(k)) return 'time';
    if (LEVEL_FIELDS.has(k)) return 'level';
    if (LOGGER_FIELDS.has(k)) return 'logger';
    if (SERVICE_FIELDS.has(k)) return 'service';
    return 'other';
  });
  return {
    name: 'layout',
    parse(line) {
      const values = layout.match(line);
      if (values === undefined) return undefined;
      let timeText = '';
      let severity: SeverityNumber = 0;
      let severityText: string | undefined;
      let logger: string | undefined;
      let service: string | undefined;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v === undefined || v === '') continue;
        const role = roles[i];
        if (role === 'time') timeText = timeText === '' ? v : `${timeText} ${v}`;
        else if (role === 'level' && severity === 0) {
          severity = parseSeverity(v);
          severityText = v;
        } else if (role === 'logger') logger = v;
        else if (role === 'service') service = v;
      }
      const ts = timeText === '' ? undefined : parseTimestampAt(timeText, 0, dateReference);
      const message = layout.contentIndex >= 0 ? (values[layout.contentIndex] ?? '') : line;
      return {
        timeMs: ts?.ms,
        severity,
        severityText: severity === 0 ? undefined : severityText,
        message,
        hasHeader: true,
        service,
        logger,
        stream: undefined,
        partial: false,
      };
    },
  };
}
