import { incidentView } from '../views/incident.js';
import type { IncidentChange } from '../core/use-cases/incident-tracker.js';
import type { ServerContext } from './context.js';

/** Each incident change goes to the event stream, the metrics and the notifiers (in the background). */
export function announce(
  ctx: Pick<ServerContext, 'events' | 'metrics' | 'notifier'>,
  changes: readonly IncidentChange[],
): void {
  for (const c of changes) {
    ctx.events.publish(c.tenant, `incident.${c.type}`, incidentView(c.incident));
    ctx.metrics.incidentChanges.inc({ type: c.type });
    void ctx.notifier.notify(c);
  }
}
