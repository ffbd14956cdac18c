import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from './helpers/run-cli.js';

const METRICS = join(ROOT, 'examples', 'metrics');

interface DetectJson {
  threshold: number;
  files: {
    file: string;
    error?: string;
    written?: string;
    points: number;
    skipped: number;
    problems: { line: number; message: string }[];
    anomalies: { start: string; peak: { kind: string; score: number }; reason: string }[];
  }[];
}

describe('bifrost detect (spawned CLI)', () => {
  it('finds the three planted problems of the bundled example, with reasons', async () => {
    const r = await runCli(['detect', METRICS]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/checkout-latency-p95-ms\.csv +2,184 points · every 5m/);
    expect(r.stdout).toMatch(
      /level-shift 2026-01-12T10:40:00Z\n +value 41\d(\.\d)? is 2\d\d above its recent baseline .*\n +then, 2026-01-12T1\d:\d\d:00Z: level shift: 1\d\d before, 4\d\d on average since 2026-01-12 10:40 UTC \(\d+ points\)/,
    );
    expect(r.stdout).toMatch(
      /seasonal +2026-01-11T1[78]:\d\d:00Z\n +value \d+ is [\d.]+ deviations below its daily pattern/,
    );
    expect(r.stdout).toMatch(
      /stuck +2026-01-10T1\d:\d\d:00Z.*\n +value stuck at \d+ for \d+h( \d+m)?, longer than any repeat seen before/,
    );
    expect(r.stdout).toMatch(/3 series · 6,552 points · \d anomalies · [\d.]+ s/);
    expect(r.stderr).toBe('');
  });

  it('--out writes each input scored at the same relative path (CSV stays CSV, JSON lines stay JSON lines)', async () => {
    const out = tempDir('bifrost-detect-out-');
    const r = await runCli(['detect', METRICS, '--out', out, '--output', 'json']);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'checkout-latency-p95-ms.csv',
      'orders-per-minute.jsonl',
      'payments-queue-depth.csv',
    ]);
    const csv = readFileSync(join(out, 'checkout-latency-p95-ms.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('timestamp,value,anomaly_score,reason');
    expect(csv).toHaveLength(2185);
    const shift = csv.find((l) => l.startsWith('2026-01-12T10:40:00Z'))!;
    expect(shift).toMatch(
      /^2026-01-12T10:40:00Z,41\d(\.\d)?,0\.\d+,"value 41\d(\.\d)? is .* above its recent baseline .*"$/,
    );
    const jl = readFileSync(join(out, 'orders-per-minute.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            timestamp: string;
            value: number;
            anomaly_score: number;
            reason: string;
          },
      );
    expect(jl).toHaveLength(2184);
    expect(Object.keys(jl[0]!)).toEqual(['timestamp', 'value', 'anomaly_score', 'reason']);
    const report = JSON.parse(r.stdout) as DetectJson;
    expect(report.threshold).toBe(0.53);
    expect(report.files.map((f) => f.written?.startsWith(out))).toEqual([true, true, true]);
  });

  it('--output csv lists the anomalies', async () => {
    const r = await runCli(['detect', join(METRICS, 'payments-queue-depth.csv'), '-o', 'csv']);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('file,start,peak,end,points,kind,value,score,reason,follow_up,learning');
    expect(lines.some((l) => l.includes(',stuck,'))).toBe(true);
  });

  it('reads stdin, gzip, and a file without a header (with a warning)', async () => {
    const body =
      Array.from(
        { length: 300 },
        (_, i) => `${1767225600 + i * 60},${(10 + Math.sin(i)).toFixed(3)}`,
      ).join('\n') + '\n';
    const piped = await runCli(['detect', '-'], { input: body });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/stdin +300 points · every 1m/);
    expect(piped.stderr).toContain(
      'warning: stdin:1: no header row; reading the two columns as timestamp,value',
    );
    const dir = tempDir('bifrost-detect-gz-');
    writeFileSync(join(dir, 'cpu.csv.gz'), gzipSync('timestamp,value\n' + body));
    const out = tempDir('bifrost-detect-gzout-');
    const gz = await runCli(['detect', join(dir, 'cpu.csv.gz'), '--out', out]);
    expect(gz.code).toBe(0);
    expect(readdirSync(out)).toEqual(['cpu.csv']);
  });

  it('bad rows are reported by file and line, kept in the output, and the other files still run', async () => {
    const dir = tempDir('bifrost-detect-bad-');
    const good = [
      'timestamp,value',
      ...Array.from(
        { length: 100 },
        (_, i) => `2026-01-01 00:${String(i % 60).padStart(2, '0')}:00,1`,
      ),
    ];
    writeFileSync(
      join(dir, 'a-messy.csv'),
      [
        'timestamp,value',
        '2026-01-01 00:00:00,1',
        '2026-01-01 00:01:00,abc',
        '2026-01-01 00:03:00,NaN',
        '2026-01-01 00:02:00,2',
        '2026-01-01 00:02:00,3',
        '2026-01-01 00:01:30,9',
        '2026-01-01 00:04:00,Infinity',
        'garbage',
        '2026-01-01 00:05:00,4',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'b-empty.csv'), '');
    writeFileSync(join(dir, 'c-noheader.csv'), 'this; is, not, a series\n');
    writeFileSync(join(dir, 'd-binary.csv'), Buffer.from([0, 1, 2, 3, 0, 0, 255, 254, 0, 7]));
    writeFileSync(join(dir, 'e-one-row.csv'), 'timestamp,value\n2026-01-01 00:00:00,5\n');
    writeFileSync(join(dir, 'f-good.csv'), good.slice(0, 61).join('\n'));
    const out = join(dir, 'out');
    mkdirSync(out);
    const r = await runCli([
      'detect',
      join(dir, 'a-messy.csv'),
      join(dir, 'b-empty.csv'),
      join(dir, 'c-noheader.csv'),
      join(dir, 'd-binary.csv'),
      join(dir, 'e-one-row.csv'),
      join(dir, 'f-good.csv'),
      join(dir, 'missing.csv'),
      '--out',
      out,
      '--output',
      'json',
    ]);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as DetectJson;
    const byName = new Map(report.files.map((f) => [f.file.replace(/^.*\//, ''), f]));
    const messy = byName.get('a-messy.csv')!;
    expect(messy.points).toBe(3);
    expect(messy.skipped).toBe(6);
    expect(messy.problems.map((p) => p.line)).toEqual([3, 4, 6, 7, 8, 9]);
    expect(r.stderr).toMatch(/warning: .*a-messy\.csv:3: value "abc" is not a number; row skipped/);
    expect(r.stderr).toMatch(
      /a-messy\.csv:6: timestamp 2026-01-01 00:02:00 repeats line 5's; duplicate skipped/,
    );
    expect(r.stderr).toMatch(
      /a-messy\.csv:7: timestamp 2026-01-01 00:01:30 is earlier than line 5's; out-of-order row skipped/,
    );
    expect(r.stderr).toMatch(/a-messy\.csv: 1 more problem/);
    expect(messy.problems[5]!.message).toBe(
      'expected 2 columns as in the header, found 1; row skipped',
    );
    expect(readFileSync(join(out, 'a-messy.csv'), 'utf8').trim().split('\n')).toHaveLength(10);
    expect(byName.get('b-empty.csv')!.error).toMatch(/b-empty\.csv: the file is empty/);
    expect(byName.get('c-noheader.csv')!.error).toMatch(
      /c-noheader\.csv: line 1: expected a header row naming the columns timestamp,value/,
    );
    expect(byName.get('d-binary.csv')!.error).toMatch(/binary/);
    expect(byName.get('e-one-row.csv')!.points).toBe(1);
    expect(byName.get('f-good.csv')!.points).toBe(60);
    expect(r.stderr).toMatch(/missing\.csv: no such file or directory/);
  });

  it('hostile input: huge lines, huge numbers, quotes and control characters do not crash it', async () => {
    const dir = tempDir('bifrost-detect-hostile-');
    const rows = ['timestamp,value'];
    for (let i = 0; i < 500; i++)
      rows.push(
        `2026-01-01T00:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z,${i % 50 === 0 ? '1e308' : i % 77 === 0 ? '-1.7976931348623157e308' : String(i % 7)}`,
      );
    rows.push(
      `"2026-01-01T00:09:00Z","1,5"`,
      `2026-01-01T00:09:01Z,${'9'.repeat(200_000)}`,
      '\u0000\u0001,\u0002',
      'x'.repeat(100_000),
    );
    writeFileSync(join(dir, 'hostile.csv'), rows.join('\n'));
    const r = await runCli(['detect', join(dir, 'hostile.csv'), '--output', 'json']);
    expect(r.code).toBe(0);
    const f = (JSON.parse(r.stdout) as DetectJson).files[0]!;
    expect(f.points).toBe(500);
    expect(f.skipped).toBe(4);
    expect(f.anomalies.every((a) => a.peak.score >= 0 && a.peak.score <= 1)).toBe(true);
  });

  it('a directory is searched for series files only; files named on the command line are always read', async () => {
    const dir = tempDir('bifrost-detect-dir-');
    writeFileSync(
      join(dir, 'cpu.csv'),
      [
        'timestamp,value',
        ...Array.from({ length: 50 }, (_, i) => `${1767225600 + i * 60},${i % 5}`),
      ].join('\n'),
    );
    writeFileSync(join(dir, 'README.md'), '# notes, not a series\n');
    writeFileSync(join(dir, 'labels.json'), '{"windows": []}\n');
    const r = await runCli(['detect', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 series · 50 points/);
    expect(r.stderr).toContain(
      '2 files in the directories given are not .csv, .jsonl or .ndjson (or their .gz) and were left out; name a file to read it anyway',
    );
    const named = await runCli(['detect', join(dir, 'README.md')]);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/README\.md: no row could be scored/);
    const onlyOthers = tempDir('bifrost-detect-none-');
    writeFileSync(join(onlyOthers, 'app.log'), 'hello\n');
    expect((await runCli(['detect', onlyOthers])).code).toBe(2);
  });

  it('--time and --value pick columns of a wide metrics file', async () => {
    const dir = tempDir('bifrost-detect-wide-');
    const rows = [
      'Time,TimeStamp,Service,Cpu,Mem',
      ...Array.from(
        { length: 300 },
        (_, i) =>
          `x,${1767225600 + i * 60},api,${(50 + Math.sin(i)).toFixed(2)},${i === 250 ? 900 : 100 + (i % 3)}`,
      ),
    ];
    writeFileSync(join(dir, 'pod.csv'), rows.join('\n'));
    const wide = await runCli(['detect', join(dir, 'pod.csv')]);
    expect(wide.code).toBe(2);
    expect(wide.stderr).toContain(
      'name the columns to use with --time <column> --value <column> (columns: Time, TimeStamp, Service, Cpu, Mem)',
    );
    const r = await runCli([
      'detect',
      join(dir, 'pod.csv'),
      '--time',
      'TimeStamp',
      '--value',
      'Mem',
      '-o',
      'json',
    ]);
    expect(r.code).toBe(0);
    const f = (JSON.parse(r.stdout) as DetectJson).files[0]!;
    expect(f.points).toBe(300);
    expect(f.anomalies.map((a) => a.start)).toContain(String(1767225600 + 250 * 60));
  });

  it('refuses options that make no sense, with advice', async () => {
    const r = await runCli(['detect', METRICS, '--threshold', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--threshold takes a score between 0 and 1 for a series (got 2); decades of surprise are for --entity',
    );
    const nonsense = await runCli(['detect', METRICS, '--threshold', 'abc']);
    expect(nonsense.code).not.toBe(0);
    expect(nonsense.stderr).toContain('--threshold takes a positive number, got "abc"');
    const same = await runCli([
      'detect',
      join(METRICS, 'payments-queue-depth.csv'),
      '--out',
      METRICS,
    ]);
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('--out would overwrite the input itself');
  });

  it('--entity scores a machine of five metrics as a whole and names the leaking one; routine bursts are not it', async () => {
    const file = join(ROOT, 'examples', 'entity', 'checkout-node-7.csv');
    const out = tempDir('bifrost-entity-out-');
    const r = await runCli(['detect', '--entity', file, '--out', out, '--output', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      threshold: number;
      entities: {
        metrics: string[];
        rows: number;
        anomalies: { start: string; peak: { metrics: { metric: string }[] }; reason: string }[];
      }[];
    };
    expect(j.threshold).toBe(2.5);
    const e = j.entities[0]!;
    expect(e.metrics).toEqual(['cpu_pct', 'mem_used_mb', 'disk_io_mbps', 'net_rx_mbps', 'load1']);
    expect(e.rows).toBe(2184);
    const leak = e.anomalies.find((a) => a.start.startsWith('2026-01-12T08'));
    expect(leak?.peak.metrics[0]?.metric).toBe('mem_used_mb');
    expect(leak?.reason).toMatch(/^mem_used_mb: .*; 4 other metrics normal$/);
    // a disk burst comes every 2 hours: at most the week's largest one stands out
    expect(
      e.anomalies.filter((a) => a.peak.metrics[0]?.metric === 'disk_io_mbps').length,
    ).toBeLessThanOrEqual(1);
    const csv = readFileSync(join(out, 'checkout-node-7.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('timestamp,anomaly_score,metrics,reason');
    expect(csv).toHaveLength(2185);

    const text = await runCli(['detect', '--entity', file, '--baseline', '100']);
    expect(text.stdout).toMatch(/2,184 rows × 5 metrics · first 100 rows as its normal/);
    expect(text.stdout).toMatch(/note: a baseline of 100 rows can only show/);
  });

  it('--entity refuses options that make no sense, with advice', async () => {
    const file = join(ROOT, 'examples', 'entity', 'checkout-node-7.csv');
    const bad = await runCli(['detect', '--entity', file, '--baseline', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--baseline takes a number of rows (1000) or a duration');
    const series = await runCli([
      'detect',
      join(METRICS, 'payments-queue-depth.csv'),
      '--baseline',
      '1d',
    ]);
    expect(series.code).toBe(2);
    expect(series.stderr).toContain('--baseline is for --entity');
    const missing = await runCli(['detect', '--entity', file, '--time', 'when']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no column "when" in the header');
  });

  it('--entity on a folder of one series per metric joins them by time into one entity, the same answer as the wide file', async () => {
    const wide = readFileSync(join(ROOT, 'examples', 'entity', 'checkout-node-7.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    const dir = join(tempDir('bifrost-entity-folder-'), 'node-7');
    mkdirSync(join(dir, 'net'), { recursive: true });
    const header = wide[0]!;
    header.slice(1).forEach((metric, j) => {
      const lines = wide.slice(1).map((r) => `${r[0]},${r[j + 1]}`);
      // one metric as JSON lines in a subfolder, gzipped; one with a value column named by its metric
      if (metric === 'net_rx_mbps')
        writeFileSync(
          join(dir, 'net', `${metric}.jsonl.gz`),
          gzipSync(
            wide
              .slice(1)
              .map((r) => JSON.stringify({ timestamp: r[0], value: Number(r[j + 1]) }))
              .join('\n'),
          ),
        );
      else if (metric === 'load1')
        // a bad point and one out of order: said by file and line, the rest is read
        writeFileSync(
          join(dir, `${metric}.csv`),
          [
            `time,${metric}`,
            ...lines.slice(0, 10),
            `${wide[5]![0]},1.0`,
            'oops,x',
            ...lines.slice(10),
          ].join('\n'),
        );
      else writeFileSync(join(dir, `${metric}.csv`), [`timestamp,value`, ...lines].join('\n'));
    });
    const out = tempDir('bifrost-entity-folder-out-');
    const r = await runCli(['detect', '--entity', dir, '--out', out, '--output', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      entities: {
        file: string;
        metrics: string[];
        rows: number;
        problems: { file: string; line: number; message: string }[];
        anomalies: { start: string; peak: { metrics: { metric: string }[] } }[];
      }[];
    };
    expect(j.entities).toHaveLength(1);
    const e = j.entities[0]!;
    expect(e.metrics).toEqual([
      'cpu_pct',
      'disk_io_mbps',
      'load1',
      'mem_used_mb',
      join('net', 'net_rx_mbps'),
    ]);
    expect(e.rows).toBe(2184);
    expect(e.problems.map((p) => [p.file.endsWith('load1.csv'), p.line])).toEqual([
      [true, 12],
      [true, 13],
    ]);
    expect(e.problems[0]!.message).toMatch(/is not after line 11's; point skipped/);
    const leak = e.anomalies.find((a) => a.start.startsWith('2026-01-12T08'));
    expect(leak?.peak.metrics[0]?.metric).toBe('mem_used_mb');
    expect(readFileSync(join(out, 'node-7.csv'), 'utf8').trim().split('\n')).toHaveLength(2185);
    // an empty file and a binary one beside the series: said on their own, the series still join
    writeFileSync(join(dir, 'empty.csv'), '');
    writeFileSync(join(dir, 'binary.csv'), Buffer.from([0, 1, 2, 0x41, 10]));
    const beside = JSON.parse(
      (await runCli(['detect', '--entity', dir, '--output', 'json'])).stdout,
    ) as { entities: { file: string; metrics: string[]; error?: string }[] };
    expect(beside.entities.find((x) => x.error === undefined)?.metrics).toHaveLength(5);
    expect(beside.entities.filter((x) => x.error !== undefined).map((x) => x.error)).toEqual([
      expect.stringMatching(/binary\.csv: skipped, binary data/) as unknown,
      expect.stringMatching(/empty\.csv: no rows/) as unknown,
    ]);
    const text = await runCli(['detect', '--entity', dir]);
    expect(text.stderr).toMatch(/warning: .*load1\.csv:12: timestamp .* is not after line 11's/);

    // series at times that never meet: said in a note; a wide CSV beside series: one entity per file
    const apart = tempDir('bifrost-entity-apart-');
    writeFileSync(join(apart, 'a.csv'), 'timestamp,value\n1000,1\n3000,2\n5000,1\n');
    writeFileSync(join(apart, 'b.csv'), 'timestamp,value\n2000,1\n4000,2\n6000,1\n');
    const sparse = await runCli(['detect', '--entity', apart]);
    expect(sparse.stdout).toMatch(/note: the metrics rarely share a time: 100% of rows/);
    writeFileSync(join(apart, 'wide.csv'), 'timestamp,cpu,mem\n1000,1,2\n2000,1,2\n');
    const mixed = await runCli(['detect', '--entity', apart, '--output', 'json']);
    expect((JSON.parse(mixed.stdout) as { entities: unknown[] }).entities).toHaveLength(3);
  });
});
