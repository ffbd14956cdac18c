import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { LogReport } from '../src/core/domain/log-report.js';
import { EXAMPLE, runCli, tempDir } from './helpers/run-cli.js';

describe('bifrost analyze (spawned CLI)', () => {
  it('reports the bundled incident: causes first, with evidence, no colours when not a TTY', async () => {
    const r = await runCli(['analyze', EXAMPLE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Bifrost log analysis — 9,927 lines');
    expect(r.stdout).toMatch(
      /1\. ERROR exception +164× org\.springframework\.jdbc\.CannotGetJdbcConnectionException/,
    );
    expect(r.stdout).toContain('new since 10:42:06');
    expect(r.stdout).toContain('panic: assignment to entry in nil map');
    expect(r.stdout).toContain('payments.docker.log:568');
    expect(r.stdout).not.toContain('\u001b[');
    // the incidents across the files: payments, which checkout-api's warnings name, is the probable cause
    expect(r.stdout).toMatch(
      /\n {2}1\. 2026-11-20 10:41:50 → 10:48:00 \(6m 9s\) {2}payments, checkout-api\n {6}payments +0\.\d\d {2}from 10:41:50 {2}explains the symptoms of checkout-api, whose records name it\n/,
    );
    // syslog records carry their program: the kubelet names the crashing inventory pod
    expect(r.stdout).toMatch(
      /\n {6}inventory +0\.\d\d {2}from 10:44:13 {2}explains the symptoms of kubelet, whose records name it\n/,
    );
  });

  it("a service that went silent while the others' errors name it is the probable cause", async () => {
    const d = tempDir('bifrost-e2e-');
    const at = (min: number, sec: number) =>
      `2026-11-20 10:${String(min).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
    const payments: string[] = [];
    const checkout: string[] = [];
    for (let m = 30; m < 48; m++)
      for (let s = 0; s < 60; s += 5) {
        if (m < 39) payments.push(`${at(m, s)} INFO charge ${m * 60 + s} captured`);
        checkout.push(
          m >= 40
            ? `${at(m, s)} ERROR order ${m * 60 + s} failed: No instances available for payments`
            : `${at(m, s)} INFO order ${m * 60 + s} placed`,
        );
      }
    writeFileSync(join(d, 'payments.log'), payments.join('\n') + '\n');
    writeFileSync(join(d, 'checkout.log'), checkout.join('\n') + '\n');
    const r = await runCli(['analyze', d, '--no-cache']);
    expect(r.stdout).toMatch(
      /\n {2}1\. 2026-11-20 10:40:00 → 10:47:55 \(7m 55s\) {2}checkout, payments\n {6}payments 0\.\d\d {2}from 10:40:00 {2}explains the symptoms of checkout, whose records name it\n/,
    );
    const json = JSON.parse(
      (await runCli(['analyze', d, '--no-cache', '--output', 'json'])).stdout,
    ) as LogReport;
    expect(json.incidents![0]!.causes[0]!.reasons).toContain(
      'named in 96 of 96 records of checkout "order <*> failed: No instances available for payments", and its own log silent since 10:38:55 (the others logged 9m more)',
    );
  });

  it('--output json is a full machine-readable report', async () => {
    const r = await runCli(['analyze', EXAMPLE, '--output', 'json']);
    const report = JSON.parse(r.stdout) as LogReport;
    expect(report.summary.sources.map((s) => s.format).sort()).toEqual([
      'access',
      'cri+json',
      'docker-json+header',
      'logfmt',
      'syslog',
    ]);
    expect(report.findings.length).toBeGreaterThan(10);
    expect(report.findings[0]!.evidence[0]!.line).toBeGreaterThan(0);
    expect(
      report.incidents!.map((i) => [i.services.map((x) => x.service), i.causes[0]!.service]),
    ).toEqual([
      [['payments', 'checkout-api'], 'payments'],
      [['ingress-nginx'], 'ingress-nginx'],
      [['kernel'], 'kernel'],
      [['inventory', 'kubelet'], 'inventory'],
    ]);
    expect(report.incidents![0]!.services[0]).toMatchObject({
      sources: ['examples/k8s-incident/payments.docker.log'],
      onsetMs: Date.UTC(2026, 10, 20, 10, 41, 50, 594),
    });
  });

  it('--output markdown and csv', async () => {
    const md = await runCli(['analyze', join(EXAMPLE, 'payments.docker.log'), '-o', 'markdown']);
    expect(md.stdout).toMatch(/^# Bifrost log analysis/);
    expect(md.stdout).toContain('| # | severity | kind | reason | evidence |');
    const all = await runCli(['analyze', EXAMPLE, '-o', 'markdown']);
    expect(all.stdout).toMatch(
      /\n\| 1 \| 2026-11-20 10:41:50 → 10:48:00 \(6m 9s\) \| payments, checkout-api \| \*\*payments\*\* 0\.\d\d: explains the symptoms of checkout-api, whose records name it<br>/,
    );
    const csv = await runCli(['analyze', join(EXAMPLE, 'payments.docker.log'), '-o', 'csv']);
    expect(csv.stdout.split('\n')[0]).toBe(
      'rank,severity,kind,score,count,reason,template_id,template,first_seen,last_seen,sources,evidence',
    );
  });

  it('reads stdin when piped', async () => {
    const r = await runCli(['analyze'], {
      input: '2026-01-01 10:00:00 ERROR db: connection refused\n2026-01-01 10:00:01 INFO web: ok\n',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 ERROR line: "connection refused"');
    expect(r.stdout).toMatch(/stdin +header/);
    // kubectl logs of a service whose JSON records name it: one incident of that service, pointing at what its records name
    const { readFileSync } = await import('node:fs');
    const piped = await runCli(['analyze'], {
      input: readFileSync(join(EXAMPLE, 'checkout-api.containerd.log'), 'utf8'),
    });
    expect(piped.stdout).toMatch(
      /\nIncidents {2}from the logs alone.*\n {2}1\. 2026-11-20 10:42:00 → 10:48:00 \(6m 0s\) {2}checkout-api\n {6}checkout-api 0\.\d\d {2}from 10:42:00 {2}its records name payments: its symptoms may come from there\n\n/,
    );
  });

  it('--fail-on exits 1 when a finding reaches the level, 0 otherwise', async () => {
    const log = '2026-01-01 10:00:00 ERROR db: connection refused\n';
    expect((await runCli(['analyze', '--fail-on', 'error'], { input: log })).code).toBe(1);
    expect((await runCli(['analyze', '--fail-on', 'fatal'], { input: log })).code).toBe(0);
  });

  it('empty input: a clear message and exit 0', async () => {
    const r = await runCli(['analyze'], { input: '' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('no log lines');
  });

  it('a missing file is reported, the others are analysed, exit 2', async () => {
    const d = tempDir('bifrost-e2e-');
    writeFileSync(join(d, 'ok.log'), '2026-01-01 10:00:00 ERROR db: down\n');
    const r = await runCli(['analyze', join(d, 'missing.log'), join(d, 'ok.log')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing.log: no such file or directory');
    expect(r.stdout).toContain('1 ERROR line: "down"');
  });

  it('--exclude leaves out matching files of a directory, says which pattern, and the others are analysed', async () => {
    const d = tempDir('bifrost-e2e-');
    writeFileSync(join(d, 'api.log'), '2026-01-01 10:00:00 ERROR db: down\n');
    writeFileSync(join(d, 'debug.log'), '2026-01-01 10:00:00 ERROR noise: ignore me\n');
    const r = await runCli(['analyze', d, '--exclude', 'debug.*', '--no-progress', '--no-cache']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/skipped: .*debug\.log: excluded by --exclude 'debug\.\*'/);
    expect(r.stdout).toContain('1 ERROR line: "down"');
    expect(r.stdout).not.toContain('ignore me');
    // everything excluded: nothing to analyse, said so, exit 2
    const none = await runCli(['analyze', d, '--exclude', '*.log', '--no-progress', '--no-cache']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no log lines');
  });

  it('--since / --until analyse only the records of that time, say how many were left out, and refuse a bad time', async () => {
    const d = tempDir('bifrost-e2e-');
    writeFileSync(
      join(d, 'api.log'),
      [
        '2026-01-01 09:00:00 ERROR db: old trouble',
        '2026-01-01 10:00:00 ERROR db: down',
        '2026-01-01 10:00:01 INFO api: served',
        '2026-01-01 11:00:00 ERROR db: later trouble',
      ].join('\n') + '\n',
    );
    const r = await runCli([
      'analyze',
      join(d, 'api.log'),
      '--since',
      '2026-01-01T09:30Z',
      '--until',
      '2026-01-01T10:30',
      '--no-cache',
      '--output',
      'json',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'note: 2 records outside --since 2026-01-01T09:30:00.000Z and --until 2026-01-01T10:30:00.000Z left out',
    );
    const report = JSON.parse(r.stdout) as { summary: { records: number } };
    expect(report.summary.records).toBe(2);
    expect(r.stdout).not.toContain('old trouble');
    expect(r.stdout).not.toContain('later trouble');
    const bad = await runCli(['analyze', join(d, 'api.log'), '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--since 'yesterday': expected an ISO time");
    const backwards = await runCli([
      'analyze',
      join(d, 'api.log'),
      '--since',
      '2026-01-02',
      '--until',
      '2026-01-01',
    ]);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain('is not before --until');
  });

  it('binary files are skipped with a reason; a 50 MB line is truncated and counted', async () => {
    const d = tempDir('bifrost-e2e-');
    writeFileSync(join(d, 'core.bin'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3, 0, 0]));
    writeFileSync(
      join(d, 'huge.log'),
      `2026-01-01 10:00:00 INFO a: ${'x'.repeat(50 * 1024 * 1024)}\n2026-01-01 10:00:01 WARN a: after the long line\n`,
    );
    const r = await runCli(['analyze', d, '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/skipped: .*core\.bin: skipped, binary data/);
    // files that are plainly not logs by their names are left out of a directory, and said so
    writeFileSync(join(d, 'LICENSE'), 'Permission is hereby granted, free of charge\n');
    writeFileSync(join(d, 'README.md'), '# how to read these logs\n');
    const docs = await runCli(['analyze', d, '--no-progress', '--output', 'json']);
    expect(docs.stderr).toMatch(
      /skipped: .*LICENSE: not a log \(a licence, citation or documentation file, by its name; name it on its own to read it\)/,
    );
    expect(docs.stderr).toMatch(/skipped: .*README\.md: not a log/);
    expect(
      (JSON.parse(docs.stdout) as LogReport).summary.sources.map((x) => x.name.split('/').pop()),
    ).not.toContain('LICENSE');
    expect(r.stdout).toContain('1 line longer than the limit was truncated');
    expect(r.stdout).toContain('after the long line');
  });

  it('a truncated .gz names the file and offset; the lines before it are analysed; --retry-failed re-runs it', async () => {
    const d = tempDir('bifrost-e2e-');
    const text = Array.from(
      { length: 20000 },
      (_, i) =>
        `2026-01-01 10:00:${String(i % 60).padStart(2, '0')} ERROR svc: request ${i} failed with code ${i % 7}`,
    ).join('\n');
    const gz = gzipSync(text);
    writeFileSync(join(d, 'cut.log.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
    writeFileSync(join(d, 'fine.log'), '2026-01-01 10:00:00 INFO a: fine\n');
    const cacheHome = tempDir('bifrost-e2e-cache-');
    const r = await runCli(['analyze', d, '--no-progress'], { cacheHome });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /cut\.log\.gz: gzip data is truncated or corrupt at compressed byte \d+/,
    );
    expect(r.stdout).toMatch(/ERROR lines: "request <\*> failed with code <\*>"/);
    writeFileSync(join(d, 'cut.log.gz'), gz);
    const retry = await runCli(['analyze', '--retry-failed'], { cacheHome });
    expect(retry.stderr).toContain('Retrying 1 input');
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain('20,000 ERROR lines');
  });

  it('caches results by content: a second run is a cache hit, --no-cache recomputes', async () => {
    const cacheHome = tempDir('bifrost-e2e-cache-');
    const file = join(EXAMPLE, 'inventory.log');
    const a = await runCli(['analyze', file], { cacheHome });
    const b = await runCli(['analyze', file], { cacheHome });
    expect(b.stderr).toContain('1 result from the cache');
    expect(b.stdout).toBe(a.stdout);
    const c = await runCli(['analyze', file, '--no-cache'], { cacheHome });
    expect(c.stderr).not.toContain('from the cache');
  });

  it('usage errors exit 2 with advice; --help teaches; NO_COLOR honoured with FORCE_COLOR', async () => {
    const bad = await runCli(['analyze', '--output', 'yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Allowed choices are text, markdown, json, csv');
    const layout = await runCli(['analyze', '--header', 'no fields here'], { input: 'x\n' });
    expect(layout.code).toBe(2);
    expect(layout.stderr).toContain(
      "has no <Field>: write it like '<Date> <Time> <Level> <Component>: <Content>'",
    );
    const help = await runCli(['analyze', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('kubectl logs deploy/api | bifrost analyze');
    const forced = await runCli(['analyze'], {
      input: '2026-01-01 10:00:00 ERROR a: b\n',
      env: { FORCE_COLOR: '1' },
    });
    expect(forced.stdout).toContain('\u001b[');
    const none = await runCli(['analyze'], {
      input: '2026-01-01 10:00:00 ERROR a: b\n',
      env: { FORCE_COLOR: '1', NO_COLOR: '1' },
    });
    expect(none.stdout).not.toContain('\u001b[');
  });

  it("a service's rotated copies are one log: one finding per message, judged across them, in workers and cached alike", async () => {
    const d = tempDir('bifrost-e2e-');
    const lines = readFileSync(join(EXAMPLE, 'payments.docker.log'), 'utf8').split('\n');
    const cut = Math.floor(lines.length / 2);
    writeFileSync(
      join(d, 'payments.docker.log.1.gz'),
      gzipSync(lines.slice(0, cut).join('\n') + '\n'),
    );
    writeFileSync(join(d, 'payments.docker.log'), lines.slice(cut).join('\n'));
    copyFileSync(join(EXAMPLE, 'inventory.log'), join(d, 'inventory.log'));
    const cacheDir = tempDir('bifrost-cache-');
    for (const run of ['fresh', 'cached']) {
      const r = await runCli(['analyze', d, '--jobs', '2', '-o', 'json'], { cacheHome: cacheDir });
      expect(r.code, run).toBe(0);
      if (run === 'cached') expect(r.stderr).toContain('2 results from the cache');
      const report = JSON.parse(r.stdout) as LogReport;
      const charge = report.findings.filter((f) => f.template === 'charge <*> failed');
      expect(
        charge.map((f) => [
          f.count,
          f.newSinceMs !== undefined,
          f.sources.map((x) => x.slice(d.length + 1)),
        ]),
      ).toEqual([[164, true, ['payments.docker.log.1.gz', 'payments.docker.log']]]);
      expect(
        report.findings
          .filter(
            (f) =>
              f.kind === 'exception' &&
              f.exception?.type.endsWith('CannotGetJdbcConnectionException') === true,
          )
          .map((f) => f.count),
      ).toEqual([164]);
      expect(
        report.findings.find(
          (f) => f.kind === 'burst' && f.template === undefined && f.reason.includes('payments'),
        )?.reason,
      ).toMatch(
        /^error burst in \S+payments\.docker\.log\.1\.gz, \S+payments\.docker\.log: 164 ERROR\+ lines/,
      );
      expect(report.incidents!.map((i) => i.causes[0]!.service)).toEqual(['payments', 'inventory']);
    }
  });

  it('batches many files in worker threads with per-file isolation', async () => {
    const d = tempDir('bifrost-e2e-');
    for (let i = 0; i < 6; i++)
      writeFileSync(
        join(d, `f${i}.log`),
        `2026-01-01 10:00:0${i} ERROR svc${i % 2}: disk ${i} is full\n`,
      );
    writeFileSync(join(d, 'z.bin'), Buffer.from([0, 1, 2, 0]));
    const r = await runCli(['analyze', d, '--jobs', '2', '-o', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as LogReport;
    expect(report.summary.records).toBe(6);
    expect(report.templates[0]).toMatchObject({ template: 'disk <*> is full', count: 6 });
    expect(report.summary.sources.find((s) => s.name.endsWith('z.bin'))?.problem?.code).toBe(
      'INPUT.BINARY',
    );
  });
});

describe('bifrost analyze with nothing usable', () => {
  it('an empty directory or only binary files: a reason and exit 2, no empty report', async () => {
    const d = tempDir('bifrost-e2e-');
    const empty = await runCli(['analyze', d]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('the directory holds no files');
    expect(empty.stdout).toBe('');
    writeFileSync(join(d, 'x.bin'), Buffer.from([0, 1, 2, 3, 0]));
    const bin = await runCli(['analyze', join(d, 'x.bin')]);
    expect(bin.code).toBe(2);
    expect(bin.stderr).toContain('no input could be analysed');
  });
});
