import type { ServiceHealth } from '../api/types.js';

export type Health = 'failing' | 'degraded' | 'ok' | 'idle';

/**
 * A service's health at a glance, against its own previous period: failing when errors are
 * common (≥ 5 %) or rose by 5 points, degraded when p90 latency doubled or errors rose by one
 * point; idle without spans.
 */
export function healthOf(s: ServiceHealth): Health {
  if (s.spans === 0) return 'idle';
  const rise = s.shift?.errorRatioChange ?? 0;
  if (s.errorRatio >= 0.05 || rise >= 0.05) return 'failing';
  if ((s.shift?.p90Ratio ?? 1) >= 2 || rise >= 0.01) return 'degraded';
  return 'ok';
}

const ORDER: Record<Health, number> = { failing: 0, degraded: 1, ok: 2, idle: 3 };

/** Worst first, then by name: what needs a look comes on top. */
export function byHealth(
  services: readonly ServiceHealth[],
): { service: ServiceHealth; health: Health }[] {
  return services
    .map((service) => ({ service, health: healthOf(service) }))
    .sort(
      (a, b) =>
        ORDER[a.health] - ORDER[b.health] || (a.service.service < b.service.service ? -1 : 1),
    );
}
