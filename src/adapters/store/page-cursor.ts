import { AppError } from '../../core/errors.js';

/** Keyset cursor over (timeMs, id), newest first: opaque to clients (base64url JSON). */
export function encodeCursor(timeMs: number, id: string): string {
  return Buffer.from(JSON.stringify([timeMs, id])).toString('base64url');
}

/** undefined for anything that is not a cursor this store wrote. */
export function decodeCursor(cursor: string): { timeMs: number; id: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'number' &&
      Number.isFinite(v[0]) &&
      typeof v[1] === 'string'
    )
      return { timeMs: v[0], id: v[1] };
  } catch {
    // not JSON: fall through
  }
  return undefined;
}

/** The cursor a client sent back, or AppError INPUT.BAD_OPTION (field "cursor") when it is not one of ours. */
export function requireCursor(cursor: string): { timeMs: number; id: string } {
  const c = decodeCursor(cursor);
  if (c === undefined)
    throw new AppError('INPUT.BAD_OPTION', 'cursor: not a cursor from this server', {
      field: 'cursor',
    });
  return c;
}

/**
 * A page from up to limit + 1 rows fetched newest first: the first `limit` rows, and the cursor
 * of the next page when there was one more row.
 */
export function pageOf<T>(
  fetched: readonly T[],
  limit: number,
  key: (row: T) => readonly [number, string],
): { items: T[]; next?: string } {
  const items = fetched.slice(0, limit);
  const last = items.at(-1);
  if (fetched.length <= limit || last === undefined) return { items };
  const [ms, id] = key(last);
  return { items, next: encodeCursor(ms, id) };
}
