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
