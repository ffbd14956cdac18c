import type { ChangeKind, ClusterEvent } from '../../domain/cluster-event.js';
import { deploymentOfReplicaSet, workloadOf } from '../../domain/workload.js';

/** The fields read from Kubernetes objects (core/v1 Event, apps/v1 Deployment, core/v1 Pod), all optional: input is untrusted. */
interface Meta {
  name?: string;
  namespace?: string;
  uid?: string;
  creationTimestamp?: string;
}
export interface KubeEvent {
  metadata?: Meta;
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  firstTimestamp?: string | null;
}
export interface KubeDeployment {
  metadata?: Meta & { generation?: number };
  spec?: {
    replicas?: number;
    template?: { spec?: { containers?: { name?: string; image?: string }[] } };
  };
}
export interface KubePod {
  metadata?: Meta & { ownerReferences?: { kind?: string; name?: string }[] };
  status?: {
    containerStatuses?: {
      name?: string;
      restartCount?: number;
      lastState?: { terminated?: { reason?: string; finishedAt?: string; exitCode?: number } };
    }[];
  };
}

/** Event reasons that are changes worth knowing about; Normal events not listed are routine (Pulled, Created, Scheduled…). */
const REASONS: Record<string, ChangeKind> = {
  ScalingReplicaSet: 'rollout',
  SuccessfulRescale: 'scale',
  BackOff: 'restart',
  Killing: 'restart',
  OOMKilling: 'oom-killed',
  FailedScheduling: 'failed-scheduling',
  Unhealthy: 'unhealthy',
  Evicted: 'restart',
  Preempting: 'restart',
};

const time = (...candidates: (string | null | undefined)[]): number | undefined => {
  for (const c of candidates) {
    if (typeof c !== 'string') continue;
    const t = Date.parse(c);
    if (Number.isFinite(t)) return t;
  }
  return undefined;
};

/** The workload (service) an object belongs to: a pod's or replica set's owner without its hashes. */
function serviceOf(kind: string, name: string): string {
  return kind === 'Pod'
    ? workloadOf(name)
    : kind === 'ReplicaSet'
      ? deploymentOfReplicaSet(name)
      : name;
}

/** A core/v1 Event → a change, or undefined for routine events. */
export function changeFromEvent(e: KubeEvent, nowMs: number): ClusterEvent | undefined {
  const reason = typeof e.reason === 'string' ? e.reason : '';
  const kind = REASONS[reason] ?? (e.type === 'Warning' ? 'warning' : undefined);
  if (kind === undefined) return undefined;
  const objectKind = e.involvedObject?.kind ?? '';
  const objectName = e.involvedObject?.name ?? '';
  const namespace = e.involvedObject?.namespace ?? e.metadata?.namespace ?? '';
  const message = typeof e.message === 'string' ? e.message.slice(0, 1000) : '';
  // a rollout scales replica sets up and down: "Scaled down" alone is not a new version
  const k: ChangeKind = kind === 'rollout' && !/scaled up/i.test(message) ? 'scale' : kind;
  return {
    timeMs:
      time(e.lastTimestamp, e.eventTime, e.firstTimestamp, e.metadata?.creationTimestamp) ?? nowMs,
    kind: k,
    namespace,
    objectKind,
    objectName,
    service:
      objectKind === 'Deployment' && reason === 'ScalingReplicaSet'
        ? objectName
        : serviceOf(objectKind, objectName),
    reason,
    message,
    key: `event/${e.metadata?.uid ?? `${namespace}/${objectName}/${reason}`}/${e.count ?? 1}`,
  };
}

/** What changed between two versions of a Deployment: its images (a rollout) or its replicas (a scale). */
export function changesOfDeployment(
  before: KubeDeployment,
  after: KubeDeployment,
  nowMs: number,
): ClusterEvent[] {
  const name = after.metadata?.name ?? '';
  const namespace = after.metadata?.namespace ?? '';
  const images = (d: KubeDeployment) =>
    (d.spec?.template?.spec?.containers ?? [])
      .map((c) => `${c.name ?? '?'}=${c.image ?? '?'}`)
      .join(', ');
  const out: ClusterEvent[] = [];
  const base = {
    timeMs: nowMs,
    namespace,
    objectKind: 'Deployment',
    objectName: name,
    service: name,
  };
  if (images(before) !== images(after))
    out.push({
      ...base,
      kind: 'rollout',
      reason: 'ImageChanged',
      message: `images ${images(before)} → ${images(after)}`,
      key: `deploy/${after.metadata?.uid ?? name}/gen/${after.metadata?.generation ?? nowMs}`,
    });
  else if (
    (before.metadata?.generation ?? 0) !== (after.metadata?.generation ?? 0) &&
    before.spec?.replicas === after.spec?.replicas
  )
    out.push({
      ...base,
      kind: 'rollout',
      reason: 'SpecChanged',
      message: `pod template changed (generation ${after.metadata?.generation ?? '?'})`,
      key: `deploy/${after.metadata?.uid ?? name}/gen/${after.metadata?.generation ?? nowMs}`,
    });
  if (
    before.spec?.replicas !== undefined &&
    after.spec?.replicas !== undefined &&
    before.spec.replicas !== after.spec.replicas
  )
    out.push({
      ...base,
      kind: 'scale',
      reason: 'ReplicasChanged',
      message: `replicas ${before.spec.replicas} → ${after.spec.replicas}`,
      key: `deploy/${after.metadata?.uid ?? name}/replicas/${after.metadata?.generation ?? nowMs}`,
    });
  return out;
}

/** Container restarts of a pod between two versions, and whether the last one was an OOM kill. */
export function changesOfPod(before: KubePod, after: KubePod, nowMs: number): ClusterEvent[] {
  const name = after.metadata?.name ?? '';
  const namespace = after.metadata?.namespace ?? '';
  const owner = after.metadata?.ownerReferences?.[0];
  const service =
    owner?.kind === 'ReplicaSet'
      ? serviceOf('ReplicaSet', owner.name ?? name)
      : (owner?.name ?? workloadOf(name));
  const prev = new Map(
    (before.status?.containerStatuses ?? []).map((c) => [c.name, c.restartCount ?? 0]),
  );
  const out: ClusterEvent[] = [];
  for (const c of after.status?.containerStatuses ?? []) {
    const was = prev.get(c.name) ?? 0;
    const now = c.restartCount ?? 0;
    if (now <= was) continue;
    const term = c.lastState?.terminated;
    const oom = term?.reason === 'OOMKilled';
    out.push({
      timeMs: time(term?.finishedAt) ?? nowMs,
      kind: oom ? 'oom-killed' : 'restart',
      namespace,
      objectKind: 'Pod',
      objectName: name,
      service,
      reason: term?.reason ?? 'Restarted',
      message: `container ${c.name ?? '?'} restarted (${now} restarts${term?.reason ? `, last ${term.reason}` : ''}${term?.exitCode !== undefined ? `, exit code ${term.exitCode}` : ''})`,
      key: `pod/${after.metadata?.uid ?? name}/${c.name ?? '?'}/${now}`,
    });
  }
  return out;
}
