import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, SHARED, runCli, tempDir } from './helpers/run-cli.js';

const HDFS_LAYOUT = '<Date> <Time> <Pid> <Level> <Component>: <Content>';

describe('bifrost parse (spawned CLI)', () => {
  it('emits exactly one JSON record per input line, in order, with the final template', async () => {
    const input = [
      '081109 203518 143 INFO dfs.DataNode$DataXceiver: Receiving block blk_-1608999687919862906 src: /10.250.19.102:54106 dest: /10.250.19.102:50010',
      '081109 203518 35 INFO dfs.FSNamesystem: BLOCK* NameSystem.allocateBlock: /mnt/hadoop/mapred/system/job_200811092030_0001/job.jar. blk_-1608999687919862906',
      '081109 203519 143 INFO dfs.DataNode$DataXceiver: Receiving block blk_-1608999687919862906 src: /10.250.10.6:40524 dest: /10.250.10.6:50010',
      '',
      'a line without the layout',
    ].join('\n');
    const r = await runCli(['parse', '--header', HDFS_LAYOUT], { input });
    expect(r.code).toBe(0);
    const recs = r.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { line: number; template: string; templateId: string; params: string[] },
      );
    expect(recs.map((x) => x.line)).toEqual([1, 2, 3, 4, 5]);
    expect(Object.keys(recs[0]!)).toEqual(['line', 'template', 'templateId', 'params']);
    expect(recs[0]).toMatchObject({
      template: 'Receiving block <*> src: <*>:<*> dest: <*>:<*>',
      params: ['blk_-1608999687919862906', '/10.250.19.102', '54106', '/10.250.19.102', '50010'],
    });
    expect(recs[2]!.templateId).toBe(recs[0]!.templateId);
    expect(recs[4]!.template).toBe('a line without the layout');
  });

  it('matches the golden output for the HDFS sample (first 200 lines)', async () => {
    const lines =
      readFileSync(join(SHARED, 'loghub-2k', 'HDFS', 'HDFS_2k.log'), 'utf8')
        .split('\n')
        .slice(0, 200)
        .join('\n') + '\n';
    const r = await runCli(['parse', '--header', HDFS_LAYOUT], { input: lines });
    const golden = readFileSync(join(ROOT, 'test', 'golden', 'hdfs-200.jsonl'), 'utf8');
    expect(r.stdout).toBe(golden);
  });

  it('csv output, files and .gz, and a clear error for a missing file', async () => {
    const d = tempDir('bifrost-parse-');
    writeFileSync(
      join(d, 'a.log'),
      'user alice logged in\nuser bob logged in\nuser carol logged in\n',
    );
    const r = await runCli(['parse', join(d, 'a.log'), '--format', 'csv']);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      'line,template_id,template,params',
      expect.stringMatching(/^1,[0-9a-f]{16},user <\*> logged in,"\[""alice""\]"$/) as string,
      expect.stringMatching(/^2,/) as string,
    ]);
    const gz = await runCli([
      'parse',
      join(ROOT, 'examples', 'k8s-incident', 'ingress-nginx.access.log.gz'),
    ]);
    expect(gz.stdout.trim().split('\n')).toHaveLength(2757);
    const missing = await runCli(['parse', join(d, 'nope.log')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.log: no such file');
  });

  it('empty input: a message, exit 0', async () => {
    const r = await runCli(['parse'], { input: '' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no log lines');
  });
});

describe('bifrost templates (spawned CLI)', () => {
  it('lists templates with counts, first/last seen and an example', async () => {
    const r = await runCli([
      'templates',
      join(ROOT, 'examples', 'k8s-incident', 'inventory.log'),
      '-o',
      'json',
    ]);
    const rows = JSON.parse(r.stdout) as {
      template: string;
      count: number;
      first: { line: number };
      example: string;
    }[];
    expect(rows[0]).toMatchObject({ template: 'reserving stock sku=SKU-<*> qty=<*>', count: 388 });
    expect(rows[0]!.first.line).toBe(1);
    const text = await runCli([
      'templates',
      join(ROOT, 'examples', 'k8s-incident', 'inventory.log'),
    ]);
    expect(text.stdout).toContain('reserving stock sku=SKU-<*> qty=<*>');
    expect(text.stdout).toContain('e.g. ');
  });
});

describe('bifrost parse --stream (spawned CLI)', () => {
  it('prints lines while the input is still open (tail -f), one record per line in order', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('./helpers/run-cli.js');
    const child = spawn(process.execPath, [BIN, 'parse', '--stream'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    const firstOutput = new Promise<string>((resolve) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('\n')) resolve(out);
      });
    });
    child.stdin.write(
      '2026-01-01 10:00:00 INFO api: user alice logged in\n2026-01-01 10:00:01 INFO api: user bob logged in\n',
    );
    const early = await firstOutput; // stdin is still open here
    expect(early.split('\n')[0]).toMatch(/^\{"line":1,"template":"user alice logged in"/);
    child.stdin.end('2026-01-01 10:00:02 INFO api: user carol logged in\n');
    await new Promise((r) => child.on('close', r));
    const recs = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; template: string; params: string[] });
    expect(recs.map((r) => r.line)).toEqual([1, 2, 3]);
    expect(recs[2]).toMatchObject({ template: 'user <*> logged in', params: ['carol'] });
  });
});
