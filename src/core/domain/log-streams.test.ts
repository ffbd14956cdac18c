import { describe, expect, it } from 'vitest';
import { logStreams, serviceOfSource } from './log-streams.js';

describe('serviceOfSource', () => {
  it('names the service of a log file: the Kubernetes workload of pod logs, else the file name up to its first dot', () => {
    expect(
      serviceOfSource(
        '/var/log/pods/shop_payments-7c9f6d8b5-x2k4q_0c4a7d1e-1f2b-4c3d-9e8f-001122334455/payments/0.log',
      ),
    ).toBe('payments');
    expect(
      serviceOfSource(
        `/var/log/containers/checkout-api-7c9f6d8b5-x2k4q_shop_checkout-api-${'ab'.repeat(32)}.log`,
      ),
    ).toBe('checkout-api');
    expect(serviceOfSource('examples/k8s-incident/ingress-nginx.access.log.gz')).toBe(
      'ingress-nginx',
    );
    expect(serviceOfSource('logs\\api.log.1')).toBe('api');
    expect(serviceOfSource('inventory-5f7d8c9b6-7hm2p.log')).toBe('inventory');
    expect(serviceOfSource('-')).toBe('stdin');
    // rotated and dated copies are the same service; a name that is only a date stays
    expect(
      [
        'api-2026-11-20.log',
        'api_20261120.log',
        'api-20261120T1000.log.gz',
        'api-3.log',
        'api.log.2',
      ].map(serviceOfSource),
    ).toEqual(['api', 'api', 'api', 'api', 'api']);
    expect(serviceOfSource('2026-11-20.log')).toBe('2026-11-20');
    expect(serviceOfSource('web-2.log')).toBe('web');
    expect(serviceOfSource('ts-basic-service.log')).toBe('ts-basic-service');
    expect(serviceOfSource('.hidden')).toBe('.hidden');
  });

  it("a file name that says only what kind of log it is takes its folder's name", () => {
    expect(
      [
        '/var/log/nginx/access.log',
        '/var/log/nginx/error.log.1',
        '/var/log/nginx/access.log.2.gz',
      ].map(serviceOfSource),
    ).toEqual(['nginx', 'nginx', 'nginx']);
    expect(serviceOfSource('/var/log/api/current')).toBe('api');
    expect(serviceOfSource('deploy\\svc-a\\app.log')).toBe('svc-a');
    expect(serviceOfSource('checkout-7c9f6d8b5-x2k4q/stdout.log')).toBe('checkout');
    // no folder, or one that says nothing more: the name stays
    expect(serviceOfSource('app.log')).toBe('app');
    expect(serviceOfSource('logs/server.log')).toBe('server');
    expect(serviceOfSource('/var/log/messages')).toBe('messages');
    expect(serviceOfSource('/var/log/syslog.1')).toBe('syslog');
    // nginx's two logs are one service's: one stream
    expect(
      logStreams(['/var/log/nginx/error.log', '/var/log/nginx/access.log']).map((x) => x.service),
    ).toEqual(['nginx']);
  });
});

describe('logStreams', () => {
  it('groups the files of one service, oldest first as logrotate names them; other services apart, in the order given', () => {
    expect(
      logStreams([
        'logs/api.log',
        'logs/web.log',
        'logs/api.log.1',
        'logs/api.log.3.gz',
        'logs/api.log.2.gz',
      ]),
    ).toEqual([
      {
        service: 'api',
        names: ['logs/api.log.3.gz', 'logs/api.log.2.gz', 'logs/api.log.1', 'logs/api.log'],
      },
      { service: 'web', names: ['logs/web.log'] },
    ]);
  });

  it("dated files ascend, before the live file; a pod's restarts (0.log, 1.log) ascend; replicas are one stream", () => {
    expect(logStreams(['api.log', 'api-2026-11-21.log', 'api-2026-11-20.log'])).toEqual([
      { service: 'api', names: ['api-2026-11-20.log', 'api-2026-11-21.log', 'api.log'] },
    ]);
    expect(logStreams(['api.log', 'api_20261121.log', 'api_20261120.log.gz'])[0]!.names).toEqual([
      'api_20261120.log.gz',
      'api_20261121.log',
      'api.log',
    ]);
    const pod =
      '/var/log/pods/shop_payments-7c9f6d8b5-x2k4q_0c4a7d1e-1f2b-4c3d-9e8f-001122334455/payments';
    expect(logStreams([`${pod}/10.log`, `${pod}/1.log`, `${pod}/9.log`])).toEqual([
      { service: 'payments', names: [`${pod}/1.log`, `${pod}/9.log`, `${pod}/10.log`] },
    ]);
    expect(
      logStreams(['checkout-7c9f6d8b5-x2k4q.log', 'checkout-7c9f6d8b5-zzv8n.log', 'stock.log']).map(
        (s) => s.names.length,
      ),
    ).toEqual([2, 1]);
  });

  it('stdin is a stream of its own; a name given twice is read once; nothing gives nothing', () => {
    expect(logStreams(['-', 'api.log', 'api.log'])).toEqual([
      { service: 'stdin', names: ['-'] },
      { service: 'api', names: ['api.log'] },
    ]);
    expect(logStreams([])).toEqual([]);
  });
});
