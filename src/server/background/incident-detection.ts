import type { ServerContext } from '../context.js';
import { announce } from '../incident-events.js';
import type { BackgroundLog, BackgroundService } from './background-service.js';

/**
 * Live incident detection: every `intervalMs`, the recent minutes of every tenant that sent
 * telemetry, one scan at a time; a tick that comes while the previous scan still runs is skipped,
 * not queued behind it. Findings and incident changes go to the tenants' event streams.
 */
export function startIncidentDetection(
  ctx: ServerContext,
  intervalMs: number,
  log: BackgroundLog,
): BackgroundService {
  const detect = async () => {
    for (const tenant of ctx.activeTenants) {
      if (!ctx.store.healthy()) return;
      try {
        const { changes, findings } = await ctx.incidents.scanLive(tenant, Date.now());
        for (const f of findings) {
          ctx.metrics.findings.inc({ kind: f.kind });
          ctx.events.publish(tenant, 'finding', f);
        }
        announce(ctx, changes);
      } catch (err) {
        log.error({ err, tenant }, 'incident detection failed');
      }
    }
  };
  let detecting: Promise<void> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    detecting = detect().finally(() => {
      busy = false;
    });
  }, intervalMs);
  timer.unref();
  return {
    name: 'incident-detection',
    stop: () => {
      clearInterval(timer);
      return detecting;
    },
  };
}
