/** One row of GET /api/v1/templates: records of a template in one time bucket. */
export interface TemplateBucket {
  templateId: string;
  template: string;
  bucketMs: number;
  count: number;
  /** Records at ERROR or worse. */
  errors: number;
}

export interface Pattern {
  templateId: string;
  template: string;
  total: number;
  /** Records at ERROR or worse in the range. */
  errors: number;
  /** Records per bucket over the range, oldest first (for a sparkline). */
  series: number[];
  firstMs: number;
  /** Absent from the first half of the range (of the part of it that has data). */
  isNew: boolean;
  /** At most 2 records in the range. */
  isRare: boolean;
}

/**
 * Template rows of a range into one pattern per template: totals, a series over every bucket of
 * the range (zeros where none), and badges; busiest first, filtered by a case-insensitive search.
 */
export function patternsOf(
  rows: readonly TemplateBucket[],
  range: { fromMs: number; toMs: number; bucketMs: number },
  search = '',
): Pattern[] {
  const n = Math.max(1, Math.ceil((range.toMs - range.fromMs) / range.bucketMs));
  const by = new Map<string, Pattern>();
  for (const r of rows) {
    let p = by.get(r.templateId);
    if (p === undefined)
      by.set(
        r.templateId,
        (p = {
          templateId: r.templateId,
          template: r.template,
          total: 0,
          errors: 0,
          series: new Array<number>(n).fill(0),
          firstMs: r.bucketMs,
          isNew: false,
          isRare: false,
        }),
      );
    const i = Math.floor((r.bucketMs - range.fromMs) / range.bucketMs);
    if (i >= 0 && i < n) p.series[i]! += r.count;
    p.total += r.count;
    p.errors += r.errors;
    p.firstMs = Math.min(p.firstMs, r.bucketMs);
  }
  // "new" against the data there is: a store that starts inside the range does not make everything new
  const start = Math.max(range.fromMs, Math.min(...[...by.values()].map((p) => p.firstMs)));
  const half = start + (range.toMs - start) / 2;
  const needle = search.trim().toLowerCase();
  return [...by.values()]
    .map((p) => ({ ...p, isNew: p.firstMs >= half, isRare: p.total <= 2 }))
    .filter(
      (p) => needle === '' || p.template.toLowerCase().includes(needle) || p.templateId === needle,
    )
    .sort((a, b) => b.total - a.total || (a.templateId < b.templateId ? -1 : 1));
}

/** SVG polyline points of a series in a w × h box (max at the top; a flat zero series on the baseline). */
export function sparkline(series: readonly number[], w: number, h: number): string {
  const max = Math.max(1, ...series);
  const step = series.length > 1 ? w / (series.length - 1) : 0;
  return series
    .map((v, i) => `${(i * step).toFixed(1)},${(h - (v / max) * h).toFixed(1)}`)
    .join(' ');
}
