/** Byte order, as SQL databases sort VARCHAR with a binary collation (ASCII names alike). */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The nearest-rank quantile of sorted values: the ⌈q·n⌉-th smallest, as DuckDB's quantile_disc and PostgreSQL's percentile_disc. */
export function quantileDisc(sorted: readonly number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}
