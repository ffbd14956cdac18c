/** "30s", "90m", "12h", "7d", "2w" → ms; undefined when not a positive duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,6})(s|m|h|d|w)$/.exec(text.trim());
  if (m === null || Number(m[1]) === 0) return undefined;
  return (
    Number(m[1]) *
    { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[
      m[2] as 's' | 'm' | 'h' | 'd' | 'w'
    ]
  );
}

const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/i;

/**
 * A point in time as people write it → epoch ms: ISO 8601 or "2023-01-29 08:43:04" (UTC unless
 * a zone is given), or epoch seconds (10 digits) or milliseconds (13); undefined otherwise,
 * and for a day the month does not have.
 */
export function parseInstant(text: string): number | undefined {
  const t = text.trim();
  if (/^\d{10}(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  if (/^\d{13}$/.test(t)) return Number(t);
  const m = DATE_TIME.exec(t);
  if (m === null) return undefined;
  let zone = (m[3] ?? 'Z').toUpperCase();
  if (zone === 'UTC') zone = 'Z';
  else if (zone !== 'Z' && !zone.includes(':')) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  // a day the month has: Date.parse rolls 30 February over into March
  const [y, mo, d] = m[1]!.split('-').map(Number) as [number, number, number];
  if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return undefined;
  const ms = Date.parse(`${m[1]!}T${m[2]!.length === 5 ? `${m[2]!}:00` : m[2]!}${zone}`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Epoch ms → ISO 8601 in UTC ("2023-01-29T08:43:04.000Z"), as answers and files carry times. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** isoTime, or '' for a time not known (CSV cells, tables). */
export function isoOrBlank(ms: number | undefined): string {
  return ms === undefined ? '' : isoTime(ms);
}

/** ISO 8601 in UTC without milliseconds when they are 0 ("2023-01-29T08:43:04Z"), for prompts and reasons. */
export function isoSeconds(ms: number): string {
  return isoTime(ms).replace('.000Z', 'Z');
}
