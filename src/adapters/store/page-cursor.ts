/** Keyset cursor over (timeMs, id), newest first: opaque to clients (base64url JSON). */
export function encodeCursor(timeMs: number, id: string): string {
  return Buffer.from(JSON.stringify([timeMs, id])).toString('base64url');
}

/** undefined for anything that is not a cursor this store wrote. */
export function decodeCursor(cursor: string): { timeMs: number; id: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && Number.isFinite(v[0]) && typeof v[1] === 'string') return { timeMs: v[0], id: v[1] };
  } catch {
    // not JSON: fall through
  }
  return undefined;
}
