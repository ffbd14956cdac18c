import { fnv1a64Hex } from './hash.js';
import type { Finding } from './finding.js';

/** The kinds of cluster change that can explain trouble. */
export type ChangeKind =
  'rollout' | 'scale' | 'restart' | 'oom-killed' | 'failed-scheduling' | 'unhealthy' | 'warning';

/** A Kubernetes event or object change (DESIGN.md: ClusterEvent). */
export interface ClusterEvent {
  timeMs: number;
  kind: ChangeKind;
  namespace: string;
  /** Pod, Deployment, ReplicaSet, Node, … */
  objectKind: string;
  objectName: string;
  /** The workload the object belongs to (a pod's Deployment), as services are named. */
  service: string;
  reason: string;
  message: string;
  /** Identifies the change, so the same one seen again (a re-list after a reconnect) is stored once. */
  key: string;
}

/** A change as a finding (kind `change`): stored, streamed and used by root-cause ranking. */
export function changeFinding(e: ClusterEvent): Finding {
  return {
    id: `chg_${fnv1a64Hex(e.key)}`,
    kind: 'change',
    timeMs: e.timeMs,
    score:
      e.kind === 'oom-killed' || e.kind === 'failed-scheduling'
        ? 0.8
        : e.kind === 'warning'
          ? 0.3
          : 0.5,
    reason: `${e.kind} of ${e.objectKind.toLowerCase()}/${e.objectName}${e.namespace ? ` in ${e.namespace}` : ''}: ${e.message || e.reason}`,
    subject: {
      metric: '',
      labels: '{}',
      resource: {
        service: e.service,
        ...(e.namespace ? { namespace: e.namespace } : {}),
        ...(e.objectKind === 'Pod' ? { pod: e.objectName } : {}),
      },
    },
    detail: e.kind,
    evidence: [{ timeMs: e.timeMs, value: 0 }],
  };
}
