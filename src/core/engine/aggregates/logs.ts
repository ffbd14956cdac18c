/**
 * The reference computations of the log aggregates a telemetry store answers: records per
 * service, template and bucket, and records that name another service. The memory store answers
 * with these; the store contract checks a SQL store against them.
 */
import { MIN_MENTION_LENGTH, mentionPattern } from '../../domain/mention.js';
import type { StoredLog } from '../../domain/stored-log.js';
import type {
  ServiceMention,
  ServiceTemplateCount,
  WindowQuery,
} from '../../domain/telemetry-aggregates.js';
import { byteOrder } from './order.js';

const inWindow = (l: StoredLog, q: WindowQuery) => l.timeMs >= q.fromMs && l.timeMs < q.toMs;

/** Records per service, template and bucket, with the highest severity among them. */
export function serviceTemplateCountsOf(
  logs: readonly StoredLog[],
  q: WindowQuery,
): ServiceTemplateCount[] {
  const counts = new Map<string, ServiceTemplateCount>();
  for (const l of logs) {
    if (!inWindow(l, q)) continue;
    const service = l.resource.service ?? '';
    const bucketMs = Math.floor(l.timeMs / q.bucketMs) * q.bucketMs;
    const key = `${service}\u0000${l.templateId}\u0000${bucketMs}`;
    const c = counts.get(key);
    if (c === undefined)
      counts.set(key, {
        service,
        templateId: l.templateId,
        template: l.template,
        severity: l.severity,
        bucketMs,
        count: 1,
      });
    else {
      c.count++;
      c.severity = Math.max(c.severity, l.severity);
    }
  }
  return [...counts.values()].sort(
    (a, b) =>
      byteOrder(a.service, b.service) ||
      byteOrder(a.templateId, b.templateId) ||
      a.bucketMs - b.bucketMs,
  );
}

/** Records at minSeverity or worse that name one of `names` as a whole word (mentionPattern), other than their own service. */
export function serviceMentionsOf(
  logs: readonly StoredLog[],
  q: WindowQuery & { names: readonly string[]; minSeverity: number },
): ServiceMention[] {
  const names = [...new Set(q.names)]
    .filter((n) => n.length >= MIN_MENTION_LENGTH)
    .map((name) => ({ name, pattern: new RegExp(mentionPattern(name)) }));
  const counts = new Map<string, ServiceMention>();
  for (const l of logs) {
    if (!inWindow(l, q) || l.severity < q.minSeverity) continue;
    const service = l.resource.service ?? '';
    const bucketMs = Math.floor(l.timeMs / q.bucketMs) * q.bucketMs;
    for (const { name, pattern } of names) {
      if (name === service || !l.body.includes(name) || !pattern.test(l.body)) continue;
      const key = `${service}\u0000${l.templateId}\u0000${name}\u0000${bucketMs}`;
      const c = counts.get(key);
      if (c === undefined)
        counts.set(key, { service, templateId: l.templateId, named: name, bucketMs, count: 1 });
      else c.count++;
    }
  }
  return [...counts.values()].sort(
    (a, b) =>
      byteOrder(a.service, b.service) ||
      byteOrder(a.templateId, b.templateId) ||
      byteOrder(a.named, b.named) ||
      a.bucketMs - b.bucketMs,
  );
}
