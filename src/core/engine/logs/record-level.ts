import type { SeverityNumber } from '../../domain/severity.js';
import { createHeaderFormat } from './formats/header-format.js';
import { createJsonFormat } from './formats/json-format.js';
import { createLogfmtFormat } from './formats/logfmt-format.js';
import type { LineFormat } from './formats/parsed-line.js';

/** Only the level and the message are read: the year of a date without one does not matter. */
const ANY_YEAR = 2000;
const JSON_FORMAT = createJsonFormat(ANY_YEAR);
const LOGFMT = createLogfmtFormat(ANY_YEAR);
const HEADER = createHeaderFormat(ANY_YEAR);

/**
 * The level and message a record's own text gives, for records sent without a level (an OTLP
 * record with severityNumber 0: a line an agent collected raw): read as `analyze` reads a line,
 * a JSON object's level and message fields (pino, zap, logrus, ECS…), logfmt's `level=` and
 * `msg=`, or a header of a time and a level (`2026-01-01 10:00:03 WARN …`,
 * `16:42:22.382 ERROR …`). Undefined when the text names no level.
 */
export function levelOfText(
  text: string,
): { severity: SeverityNumber; severityText: string; message: string } | undefined {
  const c = text.charCodeAt(0);
  const formats: LineFormat[] =
    c === 123 ? [JSON_FORMAT] : text.includes('=') ? [LOGFMT, HEADER] : [HEADER];
  for (const f of formats) {
    const p = f.parse(text);
    if (p !== undefined && !p.skip && p.severity !== 0)
      return { severity: p.severity, severityText: p.severityText ?? '', message: p.message };
  }
  return undefined;
}
