import type { TelemetryStorePort } from '../../core/ports/telemetry-store.port.js';
import type { BackgroundLog, BackgroundService } from './background-service.js';

/**
 * Deletes records older than `retentionMs`: at start, then about 60 times per retention period
 * (at least every second, at most hourly); skipped while the store is unhealthy.
 */
export function startRetention(
  store: Pick<TelemetryStorePort, 'deleteBefore' | 'healthy'>,
  retentionMs: number,
  log: BackgroundLog,
): BackgroundService {
  let sweeping: Promise<void> = Promise.resolve();
  const sweep = () => {
    if (!store.healthy()) return;
    sweeping = store.deleteBefore(Date.now() - retentionMs).then(
      (n) => {
        if (n.metrics + n.logs + n.spans + n.findings > 0)
          log.info({ deleted: n }, 'retention: deleted old records');
      },
      (err: unknown) => {
        log.error({ err }, 'retention failed');
      },
    );
  };
  sweep();
  const timer = setInterval(sweep, Math.min(Math.max(retentionMs / 60, 1000), 3_600_000));
  timer.unref();
  return {
    name: 'retention',
    stop: () => {
      clearInterval(timer);
      return sweeping;
    },
  };
}
