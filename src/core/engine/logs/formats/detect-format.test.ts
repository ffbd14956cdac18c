import { describe, expect, it } from 'vitest';
import { SEVERITY } from '../../../domain/severity.js';
import { compileHeaderLayout } from '../header-layout.js';
import { detectFormat, parseLine } from './detect-format.js';
import { createHeaderFormat } from './header-format.js';

const Y = 2026;
const fallback = createHeaderFormat(Y);

function detectAndParse(lines: string[], layout?: string) {
  const f = detectFormat(lines, {
    dateReference: Y,
    layout: layout === undefined ? undefined : compileHeaderLayout(layout),
  });
  return {
    label: f.label,
    headered: f.headered,
    parsed: lines.map((l) => parseLine(f, l, fallback)),
  };
}

describe('format detection and parsing', () => {
  it('JSON lines with the usual field names', () => {
    const r = detectAndParse([
      '{"level":"error","ts":"2023-01-29T10:00:00Z","msg":"db down","service":"api"}',
      '{"severity":"WARNING","@timestamp":"2023-01-29T10:00:01Z","message":"slow","service.name":"web"}',
      '{"level":30,"time":1674986402000,"msg":"ok"}',
    ]);
    expect(r.label).toBe('json');
    expect(r.parsed.map((p) => [p.severity, p.message, p.service])).toEqual([
      [SEVERITY.ERROR, 'db down', 'api'],
      [SEVERITY.WARN, 'slow', 'web'],
      [SEVERITY.INFO, 'ok', undefined],
    ]);
    expect(r.parsed[2]!.timeMs).toBe(1674986402000);
  });

  it('docker json-file wrapping an application header line', () => {
    const r = detectAndParse([
      '{"log":"2023-01-29 10:00:00,123 ERROR [main] com.acme.Cart: boom\\n","stream":"stderr","time":"2023-01-29T10:00:00.5Z"}',
      '{"log":"\\tat com.acme.Cart.total(Cart.java:42)\\n","stream":"stderr","time":"2023-01-29T10:00:00.5Z"}',
    ]);
    expect(r.label).toBe('docker-json+header');
    expect(r.parsed[0]).toMatchObject({
      severity: SEVERITY.ERROR,
      message: 'boom',
      logger: 'com.acme.Cart',
      stream: 'stderr',
      hasHeader: true,
    });
    expect(r.parsed[1]).toMatchObject({
      hasHeader: false,
      message: '\tat com.acme.Cart.total(Cart.java:42)',
    });
    expect(r.parsed[1]!.timeMs).toBe(Date.parse('2023-01-29T10:00:00.5Z'));
  });

  it('CRI lines with partial flags and JSON inside', () => {
    const r = detectAndParse([
      '2023-01-29T10:00:00.123456789Z stdout F {"level":"info","msg":"hello"}',
      '2023-01-29T10:00:01.000000000Z stderr P part one ',
      '2023-01-29T10:00:01.000000000Z stderr F part two',
    ]);
    expect(r.label).toBe('cri+json');
    expect(r.parsed[0]).toMatchObject({
      message: 'hello',
      severity: SEVERITY.INFO,
      stream: 'stdout',
    });
    expect(r.parsed[1]).toMatchObject({ partial: true, stream: 'stderr' });
  });

  it('logfmt with quoted values', () => {
    const r = detectAndParse([
      'time=2023-01-29T10:00:00Z level=warn msg="disk almost full" path=/var free="1 GB"',
      'time=2023-01-29T10:00:01Z level=error msg=boom',
    ]);
    expect(r.label).toBe('logfmt');
    expect(r.parsed[0]).toMatchObject({
      severity: SEVERITY.WARN,
      message: 'disk almost full path=/var free="1 GB"',
    });
    expect(r.parsed[1]).toMatchObject({ severity: SEVERITY.ERROR, message: 'boom' });
  });

  it('syslog RFC 3164 and RFC 5424', () => {
    const r = detectAndParse([
      "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
      'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; rhost=218.188.2.4',
    ]);
    expect(r.label).toBe('syslog');
    expect(r.parsed[0]).toMatchObject({
      severity: SEVERITY.FATAL,
      service: 'su',
      message: "'su root' failed for lonvick on /dev/pts/8",
    });
    expect(r.parsed[1]).toMatchObject({
      service: 'sshd(pam_unix)',
      message: 'authentication failure; rhost=218.188.2.4',
    });
    const r5 = detectAndParse([
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="App"] An application event',
      '<11>1 2003-10-11T22:14:16Z host app 12 - - disk failed',
    ]);
    expect(r5.parsed[0]).toMatchObject({
      service: 'evntslog',
      message: 'An application event',
      severity: SEVERITY.INFO,
    });
    expect(r5.parsed[1]).toMatchObject({
      service: 'app',
      message: 'disk failed',
      severity: SEVERITY.ERROR,
    });
  });

  it('klog, also inside syslog', () => {
    const r = detectAndParse([
      'E0129 10:00:00.123456   12 reflector.go:123] failed to list pods',
      'I0129 10:00:01.000000   12 main.go:1] ok',
    ]);
    expect(r.label).toBe('klog');
    expect(r.parsed[0]).toMatchObject({
      severity: SEVERITY.ERROR,
      message: 'failed to list pods',
      logger: 'reflector.go:123',
    });
    const s = detectAndParse([
      'Nov 20 10:44:14 node kubelet[1123]: E1120 10:44:14.000    1123 pod_workers.go:1300] "Error syncing pod"',
    ]);
    expect(s.parsed[0]).toMatchObject({
      severity: SEVERITY.ERROR,
      message: '"Error syncing pod"',
      service: 'kubelet',
    });
  });

  it('access logs: the status gives the level, the line stays the message', () => {
    const line =
      '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?x=1 HTTP/1.0" 503 2326 "-" "curl/8"';
    const r = detectAndParse([
      line,
      '10.0.0.1 - - [10/Oct/2000:13:55:37 -0700] "POST /api HTTP/1.1" 404 0',
    ]);
    expect(r.label).toBe('access');
    expect(r.parsed[0]).toMatchObject({
      severity: SEVERITY.ERROR,
      message: line,
      mineText: 'GET /apache_pb.gif SERVER_ERROR',
    });
    expect(r.parsed[1]).toMatchObject({
      severity: SEVERITY.WARN,
      mineText: 'POST /api CLIENT_ERROR',
    });
  });

  it('common header layouts without flags', () => {
    const r = detectAndParse([
      '2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.MRAppMaster: Created MRAppMaster',
      '17/06/09 20:10:40 WARN spark.SecurityManager: Changing view acls to: yarn',
      '2023-01-29 10:00:00.000  ERROR 1 --- [main] c.e.Foo    : boom',
    ]);
    expect(r.parsed.map((p) => [p.severity, p.logger, p.message])).toEqual([
      [SEVERITY.INFO, 'org.apache.hadoop.MRAppMaster', 'Created MRAppMaster'],
      [SEVERITY.WARN, 'spark.SecurityManager', 'Changing view acls to: yarn'],
      [SEVERITY.ERROR, 'c.e.Foo', 'boom'],
    ]);
  });

  it('a stated layout (Loghub notation) takes the <Content> field', () => {
    const r = detectAndParse(
      [
        '081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating',
      ],
      '<Date> <Time> <Pid> <Level> <Component>: <Content>',
    );
    expect(r.label).toBe('layout');
    expect(r.parsed[0]).toMatchObject({
      severity: SEVERITY.INFO,
      logger: 'dfs.DataNode$PacketResponder',
      message: 'PacketResponder 1 for block blk_38865049064139660 terminating',
    });
  });

  it('plain text: no header, never fails, keeps hostile input as text', () => {
    const lines = ['just some text', '\u0000\u0001 weird', '{"not":"closed"', '<99999>bad pri', ''];
    const r = detectAndParse(lines);
    expect(r.label).toBe('plain');
    expect(r.parsed.map((p) => p.message)).toEqual(lines);
  });
});

describe('time-of-day headers', () => {
  it('logback default pattern: level and logger without a date', () => {
    const r = detectAndParse([
      '16:42:22.382 INFO  t.s.TravelServiceImpl#532 - route found',
      '16:42:22.390 ERROR c.s.ContactsServiceImpl: contact not found',
      '16:42:23 not a header',
    ]);
    expect(r.parsed[0]).toMatchObject({
      severity: SEVERITY.INFO,
      timeMs: undefined,
      hasHeader: true,
      message: 'route found',
    });
    expect(r.parsed[1]).toMatchObject({ severity: SEVERITY.ERROR, message: 'contact not found' });
    expect(r.parsed[2]).toMatchObject({ hasHeader: false });
  });
});

describe('CSV exports', () => {
  it('reads the message column, skips the header row, and parses the wrapped line again', () => {
    const lines = [
      'Timestamp,PodName,Log',
      '2023-01-29T08:42:22.383Z,ts-travel-service-64469b5b48-25zj6,"{""log"":""16:42:22.382 ERROR t.s.TravelServiceImpl#532 - route, not found\\n"",""stream"":""stdout""}"',
      '2023-01-29T08:42:23.000Z,ts-order-service-5b67c48447-mv5hb,plain text, with a comma? no: quoted below',
      '2023-01-29T08:42:24.000Z,ts-order-service-5b67c48447-mv5hb,"plain text, quoted"',
    ];
    const r = detectAndParse(lines);
    expect(r.label).toBe('csv+json');
    expect(r.parsed[0]!.skip).toBe(true);
    expect(r.parsed[1]).toMatchObject({
      severity: SEVERITY.ERROR,
      logger: 't.s.TravelServiceImpl#532',
      message: 'route, not found',
      service: 'ts-travel-service-64469b5b48-25zj6',
      timeMs: Date.parse('2023-01-29T08:42:23.383Z') - 1000,
    });
    expect(r.parsed[3]).toMatchObject({
      message: 'plain text, quoted',
      service: 'ts-order-service-5b67c48447-mv5hb',
    });
  });
});
