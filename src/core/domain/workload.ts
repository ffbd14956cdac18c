/**
 * Kubernetes names pods after their owner plus random suffixes drawn from one alphabet
 * (k8s.io/apimachinery rand.SafeEncodeString: no vowels, no 0, 1 or 3, so that no word and no
 * look-alike digit can appear): a Deployment's pod is `<name>-<pod-template-hash>-<5>`, a
 * DaemonSet's or Job's `<name>-<5>`. Stripping those suffixes gives the workload, which is the
 * service as an operator names it.
 */
const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';
const DEPLOYMENT_POD = new RegExp(`^(.+)-${SAFE}{6,10}-${SAFE}{5}$`);
const SHORT_POD = new RegExp(`^(.+)-${SAFE}{5}$`);

/** The workload a pod belongs to (`ts-basic-service-5dc8d4f9fd-46997` → `ts-basic-service`); other names unchanged. */
export function workloadOf(pod: string): string {
  const m = DEPLOYMENT_POD.exec(pod) ?? SHORT_POD.exec(pod);
  return m === null ? pod : m[1]!;
}

const REPLICA_SET = new RegExp(`^(.+)-${SAFE}{6,10}$`);

/** The Deployment a ReplicaSet belongs to (`api-7f9c4d8b5` → `api`). */
export function deploymentOfReplicaSet(name: string): string {
  return REPLICA_SET.exec(name)?.[1] ?? name;
}
