export type Theme = 'system' | 'light' | 'dark';

const KEY = 'bifrost.theme';

/** The chosen theme (system by default), kept in this browser. */
export function savedTheme(storage: Pick<Storage, 'getItem'>): Theme {
  const t = storage.getItem(KEY);
  return t === 'light' || t === 'dark' ? t : 'system';
}

export function saveTheme(storage: Pick<Storage, 'setItem' | 'removeItem'>, t: Theme): void {
  if (t === 'system') storage.removeItem(KEY);
  else storage.setItem(KEY, t);
}

/** The next theme of the toggle: system → light → dark → system. */
export const nextTheme = (t: Theme): Theme =>
  t === 'system' ? 'light' : t === 'light' ? 'dark' : 'system';
