import { describe, expect, it } from 'vitest';
import { changeFinding } from '../../domain/cluster-event.js';
import { changeFromEvent, changesOfDeployment, changesOfPod } from './kubernetes-changes.js';
import type { KubeDeployment, KubeEvent, KubePod } from './kubernetes-changes.js';

const NOW = Date.parse('2026-11-23T10:00:00Z');

describe('Kubernetes objects → changes', () => {
  it('maps event reasons to kinds; routine Normal events are not changes; a scale-down is not a rollout', () => {
    const ev = (
      reason: string,
      type = 'Normal',
      message = '',
      kind = 'Pod',
      name = 'api-7f9c4d8b5-x2k9p',
    ): KubeEvent => ({
      metadata: { uid: 'u' },
      involvedObject: { kind, name, namespace: 'shop' },
      reason,
      type,
      message,
      lastTimestamp: '2026-11-23T09:59:00Z',
    });
    expect(changeFromEvent(ev('OOMKilling', 'Warning'), NOW)).toMatchObject({
      kind: 'oom-killed',
      service: 'api',
      timeMs: Date.parse('2026-11-23T09:59:00Z'),
      namespace: 'shop',
    });
    expect(
      changeFromEvent(ev('FailedScheduling', 'Warning', '0/3 nodes are available'), NOW)?.kind,
    ).toBe('failed-scheduling');
    expect(
      changeFromEvent(
        ev(
          'ScalingReplicaSet',
          'Normal',
          'Scaled up replica set api-6d5f7c9b8 to 3',
          'Deployment',
          'api',
        ),
        NOW,
      ),
    ).toMatchObject({ kind: 'rollout', service: 'api' });
    expect(
      changeFromEvent(
        ev(
          'ScalingReplicaSet',
          'Normal',
          'Scaled down replica set api-7f9c4d8b5 to 0',
          'Deployment',
          'api',
        ),
        NOW,
      )?.kind,
    ).toBe('scale');
    expect(
      changeFromEvent(
        ev('FailedMount', 'Warning', 'secret not found', 'ReplicaSet', 'api-7f9c4d8b5'),
        NOW,
      ),
    ).toMatchObject({ kind: 'warning', service: 'api' });
    for (const r of ['Pulled', 'Created', 'Started', 'Scheduled', 'SuccessfulCreate'])
      expect(changeFromEvent(ev(r), NOW)).toBeUndefined();
  });

  it('survives hostile or empty objects', () => {
    expect(changeFromEvent({}, NOW)).toBeUndefined();
    expect(
      changeFromEvent(
        { reason: 'BackOff', lastTimestamp: 'not a date', message: 'x'.repeat(5000) },
        NOW,
      ),
    ).toMatchObject({ kind: 'restart', timeMs: NOW, service: '' });
    expect(
      changeFromEvent({ reason: 'BackOff', message: 'x'.repeat(5000) }, NOW)!.message,
    ).toHaveLength(1000);
    expect(
      changeFromEvent({ reason: 42, type: ['Warning'] } as unknown as KubeEvent, NOW),
    ).toBeUndefined();
    expect(changesOfDeployment({}, {}, NOW)).toEqual([]);
    expect(changesOfPod({}, { status: { containerStatuses: [{}] } }, NOW)).toEqual([]);
  });

  it('Deployments: an image change is a rollout, replicas a scale; Pods: restarts and OOM kills', () => {
    const d = (image: string, replicas: number, generation: number): KubeDeployment => ({
      metadata: { uid: 'd1', name: 'api', namespace: 'shop', generation },
      spec: { replicas, template: { spec: { containers: [{ name: 'api', image }] } } },
    });
    expect(
      changesOfDeployment(d('a:1', 2, 1), d('a:2', 2, 2), NOW).map((c) => [c.kind, c.message]),
    ).toEqual([['rollout', 'images api=a:1 → api=a:2']]);
    expect(
      changesOfDeployment(d('a:1', 2, 1), d('a:1', 5, 2), NOW).map((c) => [c.kind, c.message]),
    ).toEqual([['scale', 'replicas 2 → 5']]);
    expect(changesOfDeployment(d('a:1', 2, 1), d('a:1', 2, 1), NOW)).toEqual([]);
    const p = (restarts: number, reason?: string): KubePod => ({
      metadata: {
        uid: 'p1',
        name: 'api-7f9c4d8b5-x2k9p',
        ownerReferences: [{ kind: 'ReplicaSet', name: 'api-7f9c4d8b5' }],
      },
      status: {
        containerStatuses: [
          {
            name: 'api',
            restartCount: restarts,
            ...(reason ? { lastState: { terminated: { reason, exitCode: 1 } } } : {}),
          },
        ],
      },
    });
    expect(changesOfPod(p(0), p(1, 'Error'), NOW)).toMatchObject([
      {
        kind: 'restart',
        service: 'api',
        message: 'container api restarted (1 restarts, last Error, exit code 1)',
      },
    ]);
    expect(changesOfPod(p(1), p(2, 'OOMKilled'), NOW)[0]!.kind).toBe('oom-killed');
    expect(changesOfPod(p(2), p(2, 'OOMKilled'), NOW)).toEqual([]);
  });

  it('becomes a change finding with a stable id, the service and a reason', () => {
    const c = changesOfPod(
      { status: { containerStatuses: [{ name: 'api', restartCount: 0 }] } },
      {
        metadata: { uid: 'p1', name: 'api-7f9c4d8b5-x2k9p', namespace: 'shop' },
        status: {
          containerStatuses: [
            { name: 'api', restartCount: 1, lastState: { terminated: { reason: 'OOMKilled' } } },
          ],
        },
      },
      NOW,
    )[0]!;
    const f = changeFinding(c);
    expect(f).toMatchObject({
      kind: 'change',
      detail: 'oom-killed',
      subject: { resource: { service: 'api', namespace: 'shop', pod: 'api-7f9c4d8b5-x2k9p' } },
      reason:
        'oom-killed of pod/api-7f9c4d8b5-x2k9p in shop: container api restarted (1 restarts, last OOMKilled)',
    });
    expect(changeFinding(c).id).toBe(f.id);
  });
});
