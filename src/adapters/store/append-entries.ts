import type { AppendEntry, TelemetryBatch } from '../../core/ports/telemetry-store.port.js';

/** Whether a batch holds no record at all (a write of such batches only is a no-op). */
export function isEmptyBatch(b: TelemetryBatch): boolean {
  return (
    (b.metrics?.length ?? 0) +
      (b.logs?.length ?? 0) +
      (b.findings?.length ?? 0) +
      (b.spans?.length ?? 0) ===
    0
  );
}

/** The distinct keys of a write's entries (AppendEntry.key). */
export function keysOf(entries: readonly AppendEntry[]): string[] {
  return [...new Set(entries.flatMap((e) => (e.key === undefined ? [] : [e.key])))];
}

/**
 * The entries a write keeps: those without a key, and the first entry of each key the store had
 * not written before (`fresh`: the keys this write is the first to write).
 */
export function entriesToWrite(
  entries: readonly AppendEntry[],
  fresh: ReadonlySet<string>,
): AppendEntry[] {
  const left = new Set(fresh);
  return entries.filter((e) => e.key === undefined || left.delete(e.key));
}
