import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { planNezhaImport, readNezhaFile } from './nezha-reader.js';
import type { NezhaBatch, NezhaFile, NezhaProblem } from './nezha-reader.js';

function layout(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nezha-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function read(file: NezhaFile) {
  const batches: NezhaBatch[] = [];
  const problems: NezhaProblem[] = [];
  const rows = await readNezhaFile(file, {
    batchSize: 2,
    onBatch: (b) => {
      batches.push(b);
      return Promise.resolve();
    },
    onProblem: (p) => problems.push(p),
  });
  return { rows, batches, problems };
}

const LOG_HEADER = 'Timestamp,TimeUnixNano,Node,PodName,Container,TraceID,SpanID,Log';
const logLine = (ns: string, level: string, text: string) =>
  `2023-01-29T08:42:22.383Z,${ns},33.33.33.116,ts-travel-service-64469b5b48-25zj6,server,FFC8CA7E4C8F06C75142C880D5595D96,439bc949a9eeb0cc,"{""log"":""16:42:22.382 ${level}  t.s.TravelServiceImpl#532 ${text}\\n"",""stream"":""stdout"",""time"":""2023-01-29T08:42:22.383150913Z""}"`;

describe('Nezha reader', () => {
  it('plans metrics, traces then logs; skips baseline metric files that repeat, and trace-id lists', async () => {
    const dir = layout({
      'log/08_43_log.csv': `${LOG_HEADER}\n`,
      'trace/08_43_trace.csv': 'x\n',
      'metric/a_metric.csv': 'TimeStamp\n',
      'traceid/08_43_traceid.csv': 'x\n',
      'baseline/metric/a_metric.csv': 'TimeStamp\n',
      'baseline/log/08_50_log.csv': `${LOG_HEADER}\n`,
      'log/README.md': 'hello',
      // the Online Boutique part of the benchmark keeps other tables beside the per-minute ones
      'metric/dependency.csv': 'Source,Target,Weight\ncheckoutservice,emailservice,1\n',
      'metric/source_50.csv.gz': gzipSync('\uFEFFTraceID,SpanID,PodName\r\na,b,c\r\n'),
      'metric/cut_metric.csv.gz': gzipSync('TimeStamp,PodName\n1,a\n'.repeat(100)).subarray(0, 12),
      // gzip is known by its bytes, as the reader knows it, not by the name
      'metric/b_metric.csv': gzipSync('TimeStamp,PodName\n1,b\n'),
      // binary data stays in the plan (reading it refuses it with why); an empty file is skipped
      'metric/bin_metric.csv': Buffer.from([0x67, 0x61, 0x72, 0x00, 0x01, 0x02, 0xff, 0x0a]),
      'metric/empty_metric.csv': '',
    });
    const plan = await planNezhaImport(dir);
    // a file whose header cannot be read stays in the plan: reading it says what is wrong
    expect(plan.files.map((f) => `${f.kind}:${f.path.slice(dir.length + 1)}`)).toEqual([
      'metric:metric/a_metric.csv',
      'metric:metric/b_metric.csv',
      'metric:metric/bin_metric.csv',
      'metric:metric/cut_metric.csv.gz',
      'trace:trace/08_43_trace.csv',
      'log:log/08_43_log.csv',
      'log:baseline/log/08_50_log.csv',
    ]);
    expect(plan.skipped.map((s) => s.path.slice(dir.length + 1)).sort()).toEqual([
      'baseline/metric/a_metric.csv',
      'log/README.md',
      'metric/dependency.csv',
      'metric/empty_metric.csv',
      'metric/source_50.csv.gz',
      'traceid',
    ]);
    expect(plan.skipped.find((s) => s.path.endsWith('empty_metric.csv'))!.why).toBe('empty file');
    expect(plan.skipped.find((s) => s.path.endsWith('dependency.csv'))!.why).toBe(
      'not a per-minute metric table (no TimeStamp column; found Source, Target, Weight)',
    );
    expect(plan.skipped.find((s) => s.path.endsWith('source_50.csv.gz'))!.why).toMatch(
      /found TraceID, SpanID, PodName\)$/,
    );
    await expect(planNezhaImport(layout({ 'x.txt': '' }))).rejects.toThrow(
      /no log\/, trace\/ or metric\/ folder/,
    );
    await expect(planNezhaImport(join(dir, 'missing'))).rejects.toThrow(
      /missing: not a folder \(give the folder that holds log\/, trace\/ and metric\//,
    );
    await expect(planNezhaImport(join(dir, 'log/08_43_log.csv'))).rejects.toThrow(/not a folder/);
  });

  it('reads logs: level and message from the logback line, service from the pod, ids lowercased; damaged rows kept or explained', async () => {
    const dir = layout({
      'log/a.csv.gz': gzipSync(
        [
          LOG_HEADER,
          logLine('1674981742383150913', 'ERROR', 'boom'),
          logLine('-6795364578871345152', 'INFO', 'time from the Timestamp column'),
          logLine('not-a-time', 'INFO', 'x').replace('2023-01-29T08:42:22.383Z', 'yesterday'),
          '2023-01-29T08:42:22.383Z,1674981742383150913,n,p-5dc8d4f9fd-46997,c,t,s,"{""log"":""two records run tog',
        ].join('\n'),
      ),
    });
    const { rows, batches, problems } = await read({
      kind: 'log',
      path: join(dir, 'log/a.csv.gz'),
    });
    expect(rows).toBe(3);
    const logs = batches.flatMap((b) => (b.kind === 'log' ? b.logs : []));
    expect(logs[0]).toMatchObject({
      severity: 17,
      severityText: 'ERROR',
      body: 't.s.TravelServiceImpl#532 boom',
      traceId: 'ffc8ca7e4c8f06c75142c880d5595d96',
      resource: {
        service: 'ts-travel-service',
        pod: 'ts-travel-service-64469b5b48-25zj6',
        node: '33.33.33.116',
        container: 'server',
      },
    });
    expect(logs[0]!.timeMs).toBeCloseTo(1674981742383.1509, 3);
    expect(logs[1]!.timeMs).toBe(Date.parse('2023-01-29T08:42:22.383Z'));
    expect(logs[2]).toMatchObject({
      severity: 0,
      body: '{"log":"two records run tog',
      resource: { service: 'p' },
    });
    expect(problems).toEqual([
      {
        file: join(dir, 'log/a.csv.gz'),
        line: 4,
        message: expect.stringMatching(
          /neither TimeUnixNano "not-a-time" nor Timestamp "yesterday"/,
        ) as unknown,
      },
    ]);
  });

  it('reads structured application lines (a JSON line inside the runtime JSON, as Go, Python and Node services write): the message, the level and the logger', async () => {
    const row = (pod: string, inner: string) =>
      `2022-08-22T05:18:42.908Z,1661145522908318000,n,${pod},server,04C8,e400,"${JSON.stringify({ log: `${inner}\n`, stream: 'stdout' }).replace(/"/g, '""')}"`;
    const dir = layout({
      'log/a.csv': [
        LOG_HEADER,
        row(
          'recommendationservice-6cfdd55578-gfj6q',
          JSON.stringify({
            timestamp: '2022-08-22T05:18:42.908318Z',
            severity: 'INFO',
            name: 'recommendationservice-server',
            message: 'List Recommendations product_ids=[1, 2]',
          }),
        ),
        row(
          'productcatalogservice-668d5f85fb-wckp8',
          JSON.stringify({
            message: 'failed to get product',
            severity: 'error',
            timestamp: '2022-08-22T05:18:42.96Z',
          }),
        ),
        row('frontend-579b9bff58-t2dbm', JSON.stringify({ level: 'warning', msg: 'slow request' })),
        row('cartservice-579f59597d-wc2lz', '{"not": "a log record"}'),
        row('cartservice-579f59597d-wc2lz', '{"message": "cut short'),
      ].join('\n'),
    });
    const { rows, batches, problems } = await read({ kind: 'log', path: join(dir, 'log/a.csv') });
    expect(problems).toEqual([]);
    expect(rows).toBe(5);
    const logs = batches.flatMap((b) => (b.kind === 'log' ? b.logs : []));
    expect(logs[0]).toMatchObject({
      severity: 9,
      severityText: 'INFO',
      body: 'List Recommendations product_ids=[1, 2]',
      resource: { service: 'recommendationservice' },
    });
    expect(JSON.parse(logs[0]!.attributes)).toEqual({
      'log.iostream': 'stdout',
      'logger.name': 'recommendationservice-server',
    });
    expect(logs[1]).toMatchObject({
      severity: 17,
      severityText: 'ERROR',
      body: 'failed to get product',
    });
    expect(logs[2]).toMatchObject({ severity: 13, severityText: 'WARN', body: 'slow request' });
    // JSON without a message, and a damaged one, are kept whole as text
    expect(logs[3]).toMatchObject({ severity: 0, body: '{"not": "a log record"}' });
    expect(logs[4]).toMatchObject({ severity: 0, body: '{"message": "cut short' });
  });

  it('reads spans (root parents are empty) and metric rows (one gauge per pod column, NaN cells and node columns left out)', async () => {
    const dir = layout({
      'trace/t.csv':
        'TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration\nT1,S1,root,ts-gateway-service-6f6cfc45b-h5m2n,/*,1674981768697000000,1674981769015316530,318316\nT1,S2,S1,ts-auth-service-7f8d7d756d-k7b9j,login,1674981768701000000,x,1\n',
      'metric/m.csv':
        'Time,TimeStamp,PodName,CpuUsage(m),PodServerLatencyP90(s),NodeCpuUsageRate(%)\n2023-01-29 08:41:09 +0000 UTC,1674981669,ts-contacts-service-866bd68c97-xcqfx,14.5,NaN,8.6\nbad,later,x,1,2,3\n',
    });
    const t = await read({ kind: 'trace', path: join(dir, 'trace/t.csv') });
    expect(t.batches.flatMap((b) => (b.kind === 'trace' ? b.spans : []))).toEqual([
      expect.objectContaining({
        traceId: 't1',
        spanId: 's1',
        parentSpanId: '',
        name: '/*',
        startMs: 1674981768697,
        resource: { service: 'ts-gateway-service', pod: 'ts-gateway-service-6f6cfc45b-h5m2n' },
      }),
    ]);
    expect(t.problems[0]).toMatchObject({
      line: 3,
      message: expect.stringMatching(/not nanoseconds/) as unknown,
    });
    const m = await read({ kind: 'metric', path: join(dir, 'metric/m.csv') });
    expect(m.batches.flatMap((b) => (b.kind === 'metric' ? b.metrics : []))).toEqual([
      {
        timeMs: 1674981669000,
        name: 'CpuUsage(m)',
        kind: 'gauge',
        value: 14.5,
        labels: '{}',
        resource: { service: 'ts-contacts-service', pod: 'ts-contacts-service-866bd68c97-xcqfx' },
      },
    ]);
    expect(m.problems[0]).toMatchObject({
      line: 3,
      message: expect.stringMatching(/TimeStamp "later"/) as unknown,
    });
  });

  it('refuses a file of the wrong kind, an empty file and a truncated gzip without throwing', async () => {
    const dir = layout({
      'log/wrong.csv': 'a,b,c\n1,2,3\n',
      'log/empty.csv': '',
      'log/cut.csv.gz': gzipSync(
        `${LOG_HEADER}\n${logLine('1674981742383150913', 'INFO', 'x')}\n`.repeat(50),
      ).subarray(0, 200),
    });
    expect(
      (await read({ kind: 'log', path: join(dir, 'log/wrong.csv') })).problems[0]!.message,
    ).toMatch(/not a Nezha log file: no TimeUnixNano, PodName, Log column \(found a, b, c\)/);
    expect(
      (await read({ kind: 'log', path: join(dir, 'log/empty.csv') })).problems[0]!.message,
    ).toMatch(/empty file/);
    const cut = await read({ kind: 'log', path: join(dir, 'log/cut.csv.gz') });
    expect(cut.problems.at(-1)!.message).toMatch(/gzip|truncated|unexpected end/i);
    // the problem names the file once: the message does not repeat it
    expect(cut.problems.at(-1)!.message).not.toContain('cut.csv.gz');
  });
});
