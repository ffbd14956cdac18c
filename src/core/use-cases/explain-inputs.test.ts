import { describe, expect, it } from 'vitest';
import { createMemoryHistoryStore } from '../../adapters/store/memory/memory-history-store.js';
import type { Incident } from '../domain/incident.js';
import { Redactor } from '../engine/redaction/redactor.js';
import type { LlmPort } from '../ports/llm.port.js';
import { strongestIncidents } from '../domain/log-report.js';
import type { LogFinding, LogIncident, LogReport } from '../domain/log-report.js';
import { emptySeverityCounts } from '../domain/severity.js';
import { withIncidents } from './analyze-logs.js';
import { logsContext, redactedEmbedder, similarIncidents } from './explain-inputs.js';

const inc = (
  id: string,
  t: number,
  services: string[],
  cause: string,
  reason: string,
): Incident => ({
  id,
  status: 'resolved',
  title: `${cause}: ${reason}`,
  firstSymptomMs: t,
  detectedMs: t + 60_000,
  lastSymptomMs: t + 120_000,
  resolvedMs: t + 300_000,
  resolvedBy: 'detector',
  peakScore: 0.8,
  services,
  causes: [{ service: cause, score: 0.8, reasons: [reason] }],
  timeline: [],
});

describe('similar past incidents', () => {
  it('by services, top cause and its words; only earlier incidents; best first with ids h1…', async () => {
    const h = createMemoryHistoryStore();
    await h.putIncident('t', inc('a', 1000, ['db', 'api'], 'db', 'connection pool exhausted'));
    await h.putIncident('t', inc('b', 2000, ['cache'], 'cache', 'eviction storm'));
    await h.putIncident('t', inc('later', 9000, ['db', 'api'], 'db', 'connection pool exhausted'));
    const now = inc('now', 5000, ['db', 'api'], 'db', 'connection pool exhausted again');
    const sim = await similarIncidents(h, 't', now);
    expect(sim.map((x) => [x.id, x.title])).toEqual([['h1', 'db: connection pool exhausted']]);
    expect(sim[0]!.outcome).toMatch(
      /top cause db \(score 0\.80: connection pool exhausted\); resolved by the detector after 5 min/,
    );
  });

  it('with embeddings: word overlap and meaning combined; the texts are redacted before they are embedded', async () => {
    const h = createMemoryHistoryStore();
    await h.putIncident(
      't',
      inc('a', 1000, ['payments'], 'payments', 'charge declined for ops@ab.io'),
    );
    await h.putIncident('t', inc('b', 2000, ['search'], 'search', 'index rebuild slow'));
    // a stand-in for meaning: money trouble points one way, the rest another
    const meaning = (text: string) =>
      /charge|card|refused|declined/.test(text) ? [1, 0.1] : [0.1, 1];
    const sent: string[] = [];
    const llm: LlmPort = {
      provider: 'ollama',
      model: 'm',
      complete: () => Promise.reject(new Error('not used')),
      models: () => Promise.resolve({ status: 'ok', value: [] }),
      embed: (texts) => {
        sent.push(...texts);
        return Promise.resolve({ status: 'ok', value: texts.map(meaning) });
      },
    };
    const now = inc('now', 5000, ['checkout'], 'checkout', 'card refused for ops@ab.io');
    const words = await similarIncidents(h, 't', now);
    expect(words).toEqual([]);
    const both = await similarIncidents(h, 't', now, {
      embed: redactedEmbedder(llm, new Redactor()),
    });
    expect(both.map((x) => x.title)).toEqual(['payments: charge declined for ops@ab.io']);
    expect(both[0]!.similarity).toBeGreaterThan(0.3);
    expect(sent.join('\n')).not.toContain('ops@ab.io');
    expect(sent.join('\n')).toContain('<EMAIL_1>');
  });
});

describe('a log report as a model reads it', () => {
  it('gives the incidents across the sources with their probable causes and the ids of their findings', () => {
    const T = Date.UTC(2026, 10, 20, 10, 30);
    const M = 60_000;
    const f = (
      source: string,
      from: number,
      template: string,
      text: string,
      score: number,
    ): LogFinding => ({
      kind: 'error-template',
      severity: 'ERROR',
      score,
      reason: `${template} in ${source}`,
      template,
      count: 50,
      firstSeenMs: T + from * M,
      newSinceMs: T + from * M,
      lastSeenMs: T + 18 * M,
      sources: [source],
      evidence: [{ source, line: 1, text }],
    });
    const report: LogReport = withIncidents({
      engineVersion: 'test',
      summary: {
        lines: 100,
        records: 100,
        templates: 3,
        firstMs: T,
        lastMs: T + 18 * M,
        severityCounts: emptySeverityCounts(),
        truncatedLines: 0,
        evictedTemplates: 0,
        sources: [],
      },
      findings: [
        f(
          'checkout.log',
          12.2,
          'payment call failed',
          'payment call to http://payments.shop.svc:8080 failed',
          0.7,
        ),
        f('payments.log', 12, 'pool exhausted', 'pool exhausted', 0.6),
        f('batch.log', 2, 'job failed', 'job failed', 0.5),
      ],
      templates: [],
    });
    const ctx = logsContext('logs', report, [], 20_000);
    expect(ctx.text).toContain('## Incidents the deterministic engine found across the sources');
    expect(ctx.text).toMatch(
      /incident 2: 2026-11-20T10:42:00Z to 2026-11-20T10:48:00Z; services payments, checkout; probable causes: payments 0\.\d\d \(explains the symptoms of checkout, whose records name it\); checkout 0\.\d\d \(.*\); findings \[f1\] \[f2\]\n/,
    );
    expect(ctx.text).toMatch(/incident 1: .*; services batch; .*; findings \[f3\]\n/);
    expect(ctx.text.indexOf('## Incidents')).toBeLessThan(ctx.text.indexOf('## Findings'));
    // none, no section
    expect(logsContext('logs', { ...report, incidents: [] }, [], 20_000).text).not.toContain(
      '## Incidents',
    );
  });

  it('of many incidents, gives the five with the strongest causes in time order, as the CLI and the dashboard show them, and says how many are left out', () => {
    const T = Date.UTC(2026, 10, 20, 10, 0);
    const scores = [0.3, 0.9, 0.2, 0.8, 0.7, 0.6, 0.5];
    const incidents: LogIncident[] = scores.map((score, i) => ({
      startMs: T + i * 600_000,
      endMs: T + i * 600_000 + 60_000,
      services: [],
      causes: [{ service: `s${i}`, score, reasons: [`reason ${i}`] }],
      findings: [],
    }));
    const report: LogReport = {
      engineVersion: 'test',
      summary: {
        lines: 1,
        records: 1,
        templates: 0,
        severityCounts: emptySeverityCounts(),
        truncatedLines: 0,
        evictedTemplates: 0,
        sources: [],
      },
      findings: [],
      templates: [],
      incidents,
    };
    const text = logsContext('logs', report, [], 20_000).text;
    expect([...text.matchAll(/probable causes: (s\d)/g)].map((m) => m[1])).toEqual([
      's1',
      's3',
      's4',
      's5',
      's6',
    ]);
    expect(text).toContain('(the 5 with the strongest causes, in time order; 2 more left out)');
    expect(strongestIncidents(incidents, 10)).toEqual(incidents);
  });
});
