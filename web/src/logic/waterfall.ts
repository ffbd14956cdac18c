/** The fields of a span the waterfall needs (GET /api/v1/traces/{id}). */
export interface WaterfallSpan {
  spanId: string;
  parentSpanId: string;
  name: string;
  startMs: number;
  endMs: number;
  statusCode: number;
  resource: { service?: string };
}

export interface WaterfallRow {
  span: WaterfallSpan;
  depth: number;
  /** Offset from the trace's start and width, as fractions of the trace's duration. */
  left: number;
  width: number;
}

/**
 * A trace as rows in call order: each span under its parent (children by start time), depth
 * for indentation; spans whose parent is missing start their own tree (clock skew and lost
 * spans happen); a cycle in parent ids cannot loop.
 */
export function waterfall(spans: readonly WaterfallSpan[]): {
  rows: WaterfallRow[];
  startMs: number;
  durationMs: number;
} {
  if (spans.length === 0) return { rows: [], startMs: 0, durationMs: 0 };
  const startMs = Math.min(...spans.map((s) => s.startMs));
  const endMs = Math.max(...spans.map((s) => s.endMs));
  const durationMs = Math.max(endMs - startMs, 1e-6);
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, WaterfallSpan[]>();
  const roots: WaterfallSpan[] = [];
  for (const s of spans) {
    if (s.parentSpanId === '' || !ids.has(s.parentSpanId) || s.parentSpanId === s.spanId)
      roots.push(s);
    else children.set(s.parentSpanId, [...(children.get(s.parentSpanId) ?? []), s]);
  }
  const byStart = (a: WaterfallSpan, b: WaterfallSpan) =>
    a.startMs - b.startMs || (a.spanId < b.spanId ? -1 : 1);
  const rows: WaterfallRow[] = [];
  const seen = new Set<string>();
  const visit = (s: WaterfallSpan, depth: number) => {
    if (seen.has(s.spanId)) return;
    seen.add(s.spanId);
    rows.push({
      span: s,
      depth,
      left: (s.startMs - startMs) / durationMs,
      width: Math.max((s.endMs - s.startMs) / durationMs, 0.002),
    });
    for (const c of [...(children.get(s.spanId) ?? [])].sort(byStart)) visit(c, depth + 1);
  };
  for (const r of roots.sort(byStart)) visit(r, 0);
  // spans only reachable through a cycle
  for (const s of [...spans].sort(byStart)) visit(s, 0);
  return { rows, startMs, durationMs };
}
