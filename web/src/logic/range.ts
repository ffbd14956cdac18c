import { parseInstant } from '../../../src/core/domain/time-text.js';

const HOUR = 3_600_000;

/**
 * Where a view's time range ends: now when data is live (a record in the last hour); for
 * imported data, 10 minutes after the latest incident's last symptom, else just after the last
 * record (so a store of last month's data does not show an empty "last hour").
 */
export function focusEnd(
  nowMs: number,
  lastRecordMs: number | undefined,
  newestIncidentEndMs: number | undefined,
): number {
  if (lastRecordMs === undefined) return nowMs;
  const last = Math.min(nowMs, lastRecordMs + 1000);
  if (nowMs - last < HOUR) return nowMs;
  return newestIncidentEndMs === undefined
    ? last
    : Math.min(last, newestIncidentEndMs + 10 * 60_000);
}

const MINUTE = 60_000;

/**
 * The `rca` query that ranks an incident's causes over the minutes its own ranking covered: from
 * the minute before its first symptom to the minute after its last (the scan, incidents.ts), so
 * the page shows the analysis of this incident and not of the next one. The server's rca takes
 * whole minutes from a tenth of the window before `at` to the window after it; an incident of up
 * to 9 minutes is asked for at its first symptom, a longer one a little later so that the tenth
 * still starts at the minute before it. `wider`: the fixed look the page used to take, 10 to 60
 * minutes from the first symptom (an explicit action: it may take in what came after).
 */
export function incidentRcaQuery(
  i: { firstSymptomMs: number; lastSymptomMs: number },
  look: 'own' | 'wider' = 'own',
): { at: string; window: string } {
  if (look === 'wider')
    return {
      at: new Date(i.firstSymptomMs).toISOString(),
      window: `${Math.min(60, Math.max(10, Math.ceil((i.lastSymptomMs - i.firstSymptomMs + 5 * MINUTE) / MINUTE)))}m`,
    };
  const from = i.firstSymptomMs - MINUTE;
  const to = i.lastSymptomMs + MINUTE;
  // at + window = to, and at − window / 10 within [from, from + 1 min)
  const at =
    to - i.firstSymptomMs <= 10 * MINUTE
      ? i.firstSymptomMs
      : Math.ceil((10 * from + to + 5 * MINUTE) / 11 / 1000) * 1000;
  return { at: new Date(at).toISOString(), window: `${Math.round((to - at) / 1000)}s` };
}

/**
 * The end of a view's range when a person pinned it (`to` in the URL: an ISO instant, or the
 * minute a datetime-local input gives, read as UTC: parseInstant): the view then stays on that time and does
 * not follow new data. Undefined (follow the newest data) when absent or not a real date.
 */
export function pinnedEnd(params: Record<string, string>): number | undefined {
  return params.to === undefined ? undefined : parseInstant(params.to);
}

/** The minute of `ms` as a datetime-local input shows it, in UTC: "2023-01-29T09:05". */
export function minuteInput(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}
