/**
 * Whether a log record names a service: the name as a whole word, not part of a longer name
 * ("ts-seat-service" is named in "No instances available for ts-seat-service" and in
 * "http://ts-seat-service:8080/", not in "ts-seat-service-v2"). One pattern for every store: it
 * is valid in JavaScript and in RE2 (DuckDB), and has no nested repetition (nothing to backtrack).
 */
export function mentionPattern(name: string): string {
  return `(^|[^A-Za-z0-9_-])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_-])`;
}

/** Names shorter than this are not looked for: too likely to be an ordinary word. */
export const MIN_MENTION_LENGTH = 4;
