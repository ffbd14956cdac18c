import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workloadOf } from './workload.js';

describe('workloadOf', () => {
  it('strips the replica-set hash and pod suffix of a Deployment pod', () => {
    expect(workloadOf('ts-basic-service-5dc8d4f9fd-46997')).toBe('ts-basic-service');
    expect(workloadOf('ts-ui-dashboard-5477b965f-2chkr')).toBe('ts-ui-dashboard');
    expect(workloadOf('coredns-5d78c9869d-xk2vb')).toBe('coredns');
  });

  it('strips the suffix of a DaemonSet or Job pod', () => {
    expect(workloadOf('fluent-bit-x7k2p')).toBe('fluent-bit');
  });

  it('leaves names without Kubernetes suffixes alone', () => {
    for (const name of [
      'checkout',
      'checkout-service',
      'api-v2',
      'redis-0',
      'payments-worker',
      'node-exporter',
      'kube-proxy',
    ])
      expect(workloadOf(name)).toBe(name);
    // vowels and 0/1/3 never occur in generated suffixes
    expect(workloadOf('web-canary')).toBe('web-canary');
    expect(workloadOf('app-10301')).toBe('app-10301');
  });

  it('names every TrainTicket pod of the benchmark after its Deployment', () => {
    const pods = readdirSync('../shared/data/nezha-trainticket/metric')
      .filter((f) => f.endsWith('_metric.csv.gz'))
      .map((f) => f.slice(0, -'_metric.csv.gz'.length));
    expect(pods.length).toBeGreaterThan(40);
    for (const pod of pods) expect(workloadOf(pod)).toMatch(/^ts-[a-z0-9-]+-(service|dashboard)$/);
  });
});
