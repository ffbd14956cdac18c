import { KubeConfig, Watch } from '@kubernetes/client-node';
import type { ClusterEvent } from '../../../core/domain/cluster-event.js';
import {
  changeFromEvent,
  changesOfDeployment,
  changesOfPod,
} from '../../../core/engine/changes/kubernetes-changes.js';
import type {
  KubeDeployment,
  KubeEvent,
  KubePod,
} from '../../../core/engine/changes/kubernetes-changes.js';
import { Lru } from '../../../core/domain/lru.js';

export interface KubernetesSourceOptions {
  /** Only this namespace; all namespaces when undefined. */
  namespace?: string;
  onChange: (e: ClusterEvent) => void;
  /** Connection news for the server log: watching, disconnected (and the retry delay), re-listing. */
  onStatus?: (message: string) => void;
  /** First reconnect delay; doubled up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
  now?: () => number;
  /** Objects remembered per resource to compare versions (the least recently seen forgotten). */
  maxObjects?: number;
}

export interface KubernetesSource {
  start(): void;
  stop(): void;
}

interface WatchEvent {
  type?: string;
  object?: { metadata?: { uid?: string; resourceVersion?: string }; code?: number };
}

/**
 * Cluster changes from the Kubernetes API through @kubernetes/client-node watches: events
 * (rollouts, restarts, OOM kills, failed scheduling, unhealthy probes, other warnings),
 * Deployments (image or spec changes, scaling) and Pods (container restarts, OOM kills). Each
 * watch resumes from the last resourceVersion after a disconnect, with back-off; a 410 Gone
 * (history expired) starts it again from a fresh list, and changes seen twice are reported once.
 */
export function createKubernetesChangeSource(
  kc: KubeConfig,
  o: KubernetesSourceOptions,
): KubernetesSource {
  const now = o.now ?? Date.now;
  const ns = o.namespace;
  const maxObjects = o.maxObjects ?? 20_000;
  let stopped = true;
  // changes already told (a watch that resumes lists again), the oldest forgotten first
  const seenKeys = new Lru<string, true>(maxObjects * 2);
  const emit = (e: ClusterEvent) => {
    if (seenKeys.has(e.key)) return;
    seenKeys.set(e.key, true);
    o.onChange(e);
  };

  const watches = [
    {
      name: 'events',
      path:
        ns === undefined ? '/api/v1/events' : `/api/v1/namespaces/${encodeURIComponent(ns)}/events`,
      handle: (type: string, obj: unknown) => {
        if (type !== 'ADDED' && type !== 'MODIFIED') return;
        const c = changeFromEvent(obj as KubeEvent, now());
        if (c !== undefined) emit(c);
      },
    },
    objectWatch<KubeDeployment>(
      'deployments',
      ns === undefined
        ? '/apis/apps/v1/deployments'
        : `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/deployments`,
      (a, b) => changesOfDeployment(a, b, now()),
    ),
    objectWatch<KubePod>(
      'pods',
      ns === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`,
      (a, b) => changesOfPod(a, b, now()),
    ),
  ];

  function objectWatch<T extends { metadata?: { uid?: string } }>(
    name: string,
    path: string,
    diff: (before: T, after: T) => ClusterEvent[],
  ) {
    const last = new Lru<string, T>(maxObjects);
    return {
      name,
      path,
      handle: (type: string, obj: unknown) => {
        const o2 = obj as T;
        const uid = o2.metadata?.uid;
        if (uid === undefined) return;
        if (type === 'DELETED') {
          last.delete(uid);
          return;
        }
        const before = last.get(uid);
        last.set(uid, o2);
        // the first sight of an object (the initial list) is its state, not a change
        if (before !== undefined && type === 'MODIFIED') for (const c of diff(before, o2)) emit(c);
      },
    };
  }

  const aborts: AbortController[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const run = (w: (typeof watches)[number]) => {
    let resourceVersion: string | undefined;
    let delay = o.retryMs ?? 1000;
    const retry = (err: unknown, gone: boolean) => {
      if (stopped) return;
      const status = (err as { statusCode?: number } | null)?.statusCode;
      const relist = gone || status === 410;
      if (relist) {
        resourceVersion = undefined;
        o.onStatus?.(`kubernetes ${w.name}: history expired (410 Gone), listing again`);
      } else
        o.onStatus?.(
          `kubernetes ${w.name}: ${err === null || err === undefined ? 'the API server closed the watch' : `disconnected (${(err as Error).message})`}; reconnecting in ${delay / 1000} s`,
        );
      const t = setTimeout(
        () => {
          timers.delete(t);
          void connect();
        },
        relist ? 0 : delay,
      );
      t.unref();
      timers.add(t);
      if (!relist) delay = Math.min(delay * 2, o.maxRetryMs ?? 30_000);
    };
    const connect = async () => {
      if (stopped) return;
      let gone = false;
      let opened = false;
      let ended = false;
      try {
        const controller = await new Watch(kc).watch(
          w.path,
          {
            allowWatchBookmarks: true,
            ...(resourceVersion === undefined ? {} : { resourceVersion }),
          },
          (type, obj: WatchEvent['object']) => {
            if (!opened) {
              opened = true;
              delay = o.retryMs ?? 1000;
            }
            if (type === 'ERROR') {
              // 410 Gone: the resourceVersion is too old; start again from a fresh list
              if (obj?.code === 410) gone = true;
              return;
            }
            const rv = obj?.metadata?.resourceVersion;
            if (rv !== undefined) resourceVersion = rv;
            if (type !== 'BOOKMARK') w.handle(type, obj);
          },
          (err: unknown) => {
            if (ended) return;
            ended = true;
            retry(err, gone);
          },
        );
        aborts.push(controller);
      } catch (err) {
        // refused before any request (a kubeconfig the client rejects): `done` was not called
        retry(err, false);
      }
    };
    void connect();
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      o.onStatus?.(
        `kubernetes: watching events, deployments and pods ${ns === undefined ? 'in all namespaces' : `in ${ns}`} at ${kc.getCurrentCluster()?.server ?? '(no cluster)'}`,
      );
      watches.forEach(run);
    },
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const a of aborts.splice(0)) a.abort();
    },
  };
}

/** The kubeconfig as kubectl finds it: in-cluster service account, $KUBECONFIG or ~/.kube/config. */
export function defaultKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

/** A kubeconfig for one API server URL and bearer token (tests, stand-ins, simple setups). */
export function kubeConfigFor(server: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}
