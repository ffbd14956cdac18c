import { describe, expect, it } from 'vitest';
import { LogAnalyzer } from './log-analyzer.js';
import { mergeReports } from './merge-reports.js';

const T0 = Date.UTC(2026, 10, 20, 10, 30, 0);
const ts = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

/** Ten minutes of normal traffic; from 10:37 a database error floods in; a stack trace; a rare line. */
function incidentLog(): string[] {
  const lines: string[] = [];
  for (let s = 0; s < 600; s++) {
    const t = T0 + s * 1000;
    lines.push(`${ts(t)} INFO  api.Handler: request ${1000 + s} served in ${5 + (s % 20)}ms`);
    if (s >= 420)
      for (let k = 0; k < 3; k++)
        lines.push(`${ts(t + k)} ERROR api.Db: connection to 10.0.0.${k + 1}:5432 refused`);
    if (s === 450 || s === 500) {
      lines.push(`${ts(t + 5)} ERROR api.Handler: request failed`);
      lines.push('java.lang.IllegalStateException: pool exhausted');
      lines.push('\tat com.acme.Pool.take(Pool.java:42)');
      lines.push('\tat com.acme.Handler.serve(Handler.java:7)');
    }
    if (s === 300) lines.push(`${ts(t + 9)} INFO  api.Admin: config reloaded by operator`);
  }
  return lines;
}

function analyse(sources: Record<string, string[]>) {
  const a = new LogAnalyzer({ dateReference: 2026 });
  for (const [name, lines] of Object.entries(sources)) {
    const feed = a.beginSource(name);
    for (const l of lines) feed.push(l);
    feed.end();
  }
  return a.finish();
}

describe('LogAnalyzer', () => {
  const report = analyse({ 'api.log': incidentLog() });

  it('summarises lines, records, span, levels and the format', () => {
    const s = report.summary;
    expect(s.lines).toBe(600 + 180 * 3 + 2 * 4 + 1);
    expect(s.records).toBe(600 + 180 * 3 + 2 + 1);
    expect(s.severityCounts.ERROR).toBe(180 * 3 + 2);
    expect(s.firstMs).toBe(T0);
    expect(s.sources[0]).toMatchObject({
      name: 'api.log',
      format: 'header',
      firstMs: T0,
      lastMs: s.lastMs,
    });
    // each source says when it first and last logged (a service that went silent)
    const two = analyse({
      'a.log': ['2026-11-20 10:30:00 INFO a up', '2026-11-20 10:31:00 INFO a still up'],
      'b.log': ['2026-11-20 10:30:30 INFO b up', 'no time here'],
    });
    expect(two.summary.sources.map((x) => [x.firstMs, x.lastMs])).toEqual([
      [T0, T0 + 60_000],
      [T0 + 30_000, T0 + 30_000],
    ]);
  });

  it('ranks the new, bursting error template first-class, with evidence and "new since"', () => {
    const f = report.findings.find((x) => x.template === 'connection to <*>:<*> refused');
    expect(f).toBeDefined();
    expect(f!.kind).toBe('error-template');
    expect(f!.severity).toBe('ERROR');
    expect(f!.tags).toContain('new');
    expect(f!.reason).toMatch(/^540 ERROR lines, new since 10:37:00/);
    expect(f!.evidence[0]!.line).toBe(423); // 420 INFO lines and the rare line come first
    expect(f!.evidence[0]!.text).toBe('connection to 10.0.0.1:5432 refused');
  });

  it('groups exceptions by type and top frame', () => {
    const e = report.findings.find((x) => x.kind === 'exception');
    expect(e).toMatchObject({
      count: 2,
      exception: {
        type: 'java.lang.IllegalStateException',
        frame: 'com.acme.Pool.take (Pool.java:42)',
      },
    });
    expect(e!.reason).toBe(
      '2× java.lang.IllegalStateException at com.acme.Pool.take (Pool.java:42): pool exhausted',
    );
  });

  it('reports rare templates and an error-rate burst', () => {
    expect(
      report.findings.some(
        (x) => x.kind === 'rare-template' && x.template === 'config reloaded by operator',
      ),
    ).toBe(true);
    const burst = report.findings.find(
      (x) => x.kind === 'burst' && x.reason.startsWith('error burst'),
    );
    expect(burst?.window?.startMs).toBeGreaterThanOrEqual(T0 + 400_000);
  });

  it('keeps normal traffic out of the findings', () => {
    expect(report.findings.some((x) => x.template?.startsWith('request <*> served') === true)).toBe(
      false,
    );
    expect(report.templates[0]).toMatchObject({
      template: 'request <*> served in <*>',
      count: 600,
      severity: 'INFO',
    });
  });

  it('is deterministic', () => {
    expect(JSON.stringify(analyse({ 'api.log': incidentLog() }))).toBe(JSON.stringify(report));
  });

  it('handles empty sources and a source that is only blank lines', () => {
    const r = analyse({ empty: [], blank: ['', '', ''] });
    expect(r.summary.records).toBe(0);
    expect(r.findings).toEqual([]);
  });

  it('infers the level of level-less lines from their words', () => {
    const r = analyse({
      plain: ['service started', 'connection refused by peer', 'connection refused by peer'],
    });
    expect(r.findings[0]).toMatchObject({ kind: 'error-template', severity: 'ERROR', count: 2 });
    expect(r.findings[0]!.reason).toContain('level inferred from its words');
  });

  it('records that name their service (JSON, CSV exports) give findings their services and evidence lines theirs', () => {
    const lines: string[] = [];
    for (let s = 0; s < 300; s++) {
      const t = new Date(T0 + s * 1000).toISOString();
      lines.push(
        JSON.stringify({ time: t, level: 'info', service: 'checkout', msg: `order ${s} placed` }),
      );
      if (s >= 200)
        lines.push(
          JSON.stringify({
            time: t,
            level: 'error',
            service: 'payments',
            msg: `charge ${s} failed: pool exhausted`,
          }),
        );
    }
    lines.push(
      JSON.stringify({
        time: new Date(T0 + 299_500).toISOString(),
        level: 'error',
        msg: 'no service here: pool exhausted',
      }),
    );
    const r = analyse({ 'all.jsonl': lines });
    const charge = r.findings.find((f) => f.template?.startsWith('charge'))!;
    expect(charge.services).toEqual(['payments']);
    expect(charge.sources).toEqual(['all.jsonl']);
    expect(charge.evidence[0]).toMatchObject({ source: 'all.jsonl', service: 'payments' });
    // records without a service leave the finding without services; a file of one service says it
    expect(r.findings.find((f) => f.template?.startsWith('no service'))!.services).toBeUndefined();
    expect(report.findings.every((f) => f.services === undefined)).toBe(true);
  });

  it('merges reports of separate sources by template id', () => {
    const a = analyse({ a: ['2026-01-01 10:00:00 ERROR x: disk full on /dev/sda1'] });
    const b = analyse({ b: ['2026-01-01 11:00:00 ERROR x: disk full on /dev/sdb1'] });
    const m = mergeReports([a, b]);
    expect(m.summary.records).toBe(2);
    expect(m.templates).toHaveLength(1);
    expect(m.templates[0]!.count).toBe(2);
    expect(m.templates[0]!.sources.sort()).toEqual(['a', 'b']);
  });
});

describe('LogAnalyzer time range (--since / --until)', () => {
  it('leaves out records outside [since, until) and counts them; a continuation line goes with its record', () => {
    const since = T0 + 420_000; // 10:37, when the errors begin
    const until = T0 + 480_000; // 10:38
    const a = new LogAnalyzer({ dateReference: 2026, sinceMs: since, untilMs: until });
    const feed = a.beginSource('api.log');
    for (const l of incidentLog()) feed.push(l);
    feed.end();
    const r = a.finish();
    const s = r.summary.sources[0]!;
    expect(s.firstMs).toBeGreaterThanOrEqual(since);
    expect(s.lastMs).toBeLessThan(until);
    // 60 seconds: one INFO and three errors a second, and at 10:37:30 a failed request with
    // its stack trace (one record of four lines)
    expect(r.summary.records).toBe(241);
    expect(r.summary.severityCounts.ERROR).toBe(181);
    const all = analyse({ 'api.log': incidentLog() }).summary.records;
    expect(s.outsideRange).toBe(all - 241);
  });

  it('keeps records whose time is not known (nothing to judge them by)', () => {
    const a = new LogAnalyzer({ dateReference: 2026, sinceMs: T0 });
    const feed = a.beginSource('plain.log');
    for (const l of ['starting up', 'ready', 'ERROR disk full']) feed.push(l);
    feed.end();
    const r = a.finish();
    expect(r.summary.records).toBe(3);
    expect(r.summary.sources[0]!.outsideRange ?? 0).toBe(0);
  });
});
