import {
  createKubernetesChangeSource,
  defaultKubeConfig,
} from '../../adapters/sources/kubernetes/kubernetes-change-source.js';
import { changeFinding } from '../../core/domain/cluster-event.js';
import type { ServerContext } from '../context.js';
import type { BackgroundLog, BackgroundService } from './background-service.js';

/**
 * Cluster changes from the Kubernetes API (events and object versions), stored as findings of
 * kind `change` for `tenant` and published to its event stream.
 */
export function startKubernetesChanges(
  ctx: Pick<ServerContext, 'activeTenants' | 'commits' | 'metrics' | 'events'>,
  options: { tenant: string; namespace?: string | undefined },
  log: BackgroundLog,
): BackgroundService {
  const { tenant, namespace } = options;
  const source = createKubernetesChangeSource(defaultKubeConfig(), {
    ...(namespace === undefined ? {} : { namespace }),
    onStatus: (m) => {
      log.info({}, m);
    },
    onChange: (e) => {
      const f = changeFinding(e);
      ctx.activeTenants.add(tenant);
      ctx.commits.commit(tenant, { findings: [f] }).then(
        () => {
          ctx.metrics.findings.inc({ kind: 'change' });
          ctx.events.publish(tenant, 'finding', f);
        },
        (err: unknown) => {
          log.error({ err }, 'storing a cluster change failed');
        },
      );
    },
  });
  source.start();
  return {
    name: 'kubernetes-changes',
    stop: () => {
      source.stop();
      return Promise.resolve();
    },
  };
}
