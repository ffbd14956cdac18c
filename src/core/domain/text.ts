/** `s` cut to `max` characters at most, the last an ellipsis when it was longer. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  return max <= 1 ? s.slice(0, Math.max(0, max)) : `${s.slice(0, max - 1)}…`;
}
