/** `s` cut to `max` characters at most, the last an ellipsis when it was longer. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  return max <= 1 ? s.slice(0, Math.max(0, max)) : `${s.slice(0, max - 1)}…`;
}

/** A field whose value is nothing but a variable ("TraceID: <*>", "user=<*>"), and the space before it. */
const VARIABLE_FIELD = /(^|\s)[A-Za-z][\w.-]*(?:: |=)<\*>(?=\s|$)/g;

/**
 * The message of a log template: without the fields whose value is only a variable (trace and
 * span ids, request ids say nothing of the message, and push it out of sight); a template that is
 * nothing else is kept whole.
 */
export function messageOf(template: string): string {
  const message = template
    .replace(VARIABLE_FIELD, '$1')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return message === '' ? template : message;
}
