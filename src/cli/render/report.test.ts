import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import type { LogIncident, LogReport } from '../../core/domain/log-report.js';
import { emptySeverityCounts } from '../../core/domain/severity.js';
import { renderReport } from './report.js';

const T = Date.UTC(2026, 10, 20, 10, 0);
const M = 60_000;
const options = {
  colors: pc.createColors(false),
  columns: undefined,
  limit: 15,
  templateLimit: 10,
};

function incident(n: number, score: number): LogIncident {
  return {
    startMs: T + n * 10 * M,
    endMs: T + (n * 10 + 2) * M,
    services: [
      {
        service: `svc${n}`,
        sources: [`svc${n}.log`],
        onsetMs: T + n * 10 * M,
        untilMs: T + (n * 10 + 2) * M,
        findings: 1,
        first: 'boom',
      },
    ],
    causes: [{ service: `svc${n}`, score, reasons: [`svc${n} failed`] }],
    findings: [],
  };
}

function report(incidents: LogIncident[]): LogReport {
  return {
    engineVersion: 'test',
    summary: {
      lines: 1,
      records: 1,
      templates: 1,
      firstMs: T,
      lastMs: T + 90 * M,
      severityCounts: emptySeverityCounts(),
      truncatedLines: 0,
      evictedTemplates: 0,
      sources: [],
    },
    findings: [],
    templates: [],
    incidents,
  };
}

describe('the report in text and markdown', () => {
  it('shows the incidents with the strongest causes when there are many, in time order, and says how many there are', () => {
    const many = [0.3, 0.9, 0.2, 0.8, 0.7, 0.1, 0.6].map((s, n) => incident(n, s));
    const text = renderReport(report(many), 'text', options);
    expect(text).toContain(
      'Incidents (the 5 with the strongest causes of 7; --output json for all)',
    );
    expect([...text.matchAll(/\n {6}(svc\d) /g)].map((m) => m[1])).toEqual([
      'svc0',
      'svc1',
      'svc3',
      'svc4',
      'svc6',
    ]);
    expect(text).toContain(
      '  1. 2026-11-20 10:00:00 → 10:02:00 (2m 0s)  svc0\n      svc0 0.30  from 10:00:00  svc0 failed\n',
    );
    const md = renderReport(report(many), 'markdown', options);
    expect([...md.matchAll(/\*\*(svc\d)\*\*/g)].map((m) => m[1])).toEqual([
      'svc0',
      'svc1',
      'svc3',
      'svc4',
      'svc6',
    ]);
    // few: all, and no count
    expect(renderReport(report(many.slice(0, 2)), 'text', options)).toMatch(
      /\nIncidents {2}from the logs alone/,
    );
    // an incident over days says the end's date; a long list of services fits the terminal
    const long: LogIncident = {
      ...incident(0, 0.5),
      endMs: T + 3 * 1440 * M,
      services: Array.from({ length: 12 }, (_, k) => ({
        service: `service-number-${k}`,
        sources: [],
        onsetMs: T,
        untilMs: T,
        findings: 1,
        first: 'x',
      })),
    };
    const narrow = renderReport(report([long]), 'text', { ...options, columns: 100 });
    expect(narrow).toContain(
      '  1. 2026-11-20 10:00:00 → 2026-11-23 10:00:00 (3d 0h)  service-number-0, ',
    );
    for (const line of narrow.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    // none: no section
    expect(renderReport(report([]), 'text', options)).not.toContain('Incidents');
    expect(renderReport(report([]), 'markdown', options)).not.toContain('## Incidents');
  });
});
