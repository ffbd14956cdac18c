import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Explanation } from '../api/types.js';
import { Batches, Report } from '../views/analyses.js';
import { CausalChainView } from './causal-chain.js';
import { ExplanationView } from './explanation.js';
import { TimeChart } from './time-chart.js';

// Rendered to markup (React's server renderer): what a component shows for given data, no browser needed.

describe('causal chain', () => {
  const M = 60_000;
  const rca = {
    candidates: [
      {
        service: 'db',
        score: 0.9,
        explains: ['api'],
        evidence: [{ id: 'e1', signal: 'log', reason: '45 ERROR records', onsetMs: 2 * M }],
      },
      {
        service: 'api',
        score: 0.5,
        explains: [],
        evidence: [
          { id: 'e2', signal: 'latency', reason: 'p90 up 5×', onsetMs: 3 * M },
          { id: 'e3', signal: 'log', reason: 'untimed' },
        ],
      },
    ],
  };
  it('a mark per timed finding, an arrow per causal link, and the links in words', () => {
    const html = renderToStaticMarkup(<CausalChainView rca={rca} />);
    expect(html.match(/data-evidence="(e\d)"/g)).toEqual([
      'data-evidence="e1"',
      'data-evidence="e2"',
    ]);
    expect(html).toContain('data-link="e1-&gt;e2"');
    expect(html).toContain('db explains the symptoms of api');
    expect(html).toMatch(/<title>e2 · api · latency from [^<]+: p90 up 5×<\/title>/);
  });
  it('nothing timed: says so instead of an empty drawing', () => {
    expect(
      renderToStaticMarkup(
        <CausalChainView
          rca={{ candidates: [{ service: 'x', score: 1, explains: [], evidence: [] }] }}
        />,
      ),
    ).toContain('No timed findings to draw.');
  });
});

describe('explanation', () => {
  const base: Explanation = {
    status: 'explained',
    prompt: 'incident@v1',
    cached: true,
    attempts: 1,
    durationMs: 5,
    usage: { inputTokens: 10, outputTokens: 5 },
    context: { chars: 40, tokensEstimate: 10, included: {}, omitted: {}, redacted: {} },
    createdMs: 0,
    provider: 'ollama',
    model: 'llama3.1',
  };
  it('citations become links to their evidence; who answered and from the cache are said', () => {
    const html = renderToStaticMarkup(
      <ExplanationView
        result={{
          ...base,
          answer: {
            verdict: 'explained',
            summary: 'The database refused connections [e1, e2].',
            probableCause: { service: 'db', text: 'pool exhausted', citations: ['e1'] },
            issues: [],
            suggestions: [],
            confidence: 'high',
          },
        }}
      />,
    );
    expect(html).toContain('href="#evidence-e1"');
    expect(html).toContain('href="#evidence-e2"');
    expect(html).toContain('ollama llama3.1 · incident@v1 · from the cache');
    expect(html).toContain('Probable cause (db):');
  });
  it('no model: the note, and no answer', () => {
    const html = renderToStaticMarkup(
      <ExplanationView result={{ ...base, status: 'unavailable', note: 'no model configured' }} />,
    );
    expect(html).toContain('no model configured');
    expect(html).not.toContain('Probable cause');
  });
});

describe('batch jobs', () => {
  const job = (over: object) => ({
    id: 'j1',
    status: 'running' as const,
    total: 3,
    done: 1,
    created: '',
    events: '/api/v1/jobs/j1/events',
    ...over,
  });
  it('upload, analysis and end states in words, with a progress bar and the report link once done', () => {
    const html = renderToStaticMarkup(
      <Batches
        batches={[
          { key: 1, names: ['a.log', 'b.log'], bytes: 2_000_000, uploaded: 0.5 },
          { key: 2, names: ['c.log', 'd.log', 'e.log'], bytes: 10, uploaded: 1, job: job({}) },
          {
            key: 3,
            names: ['f.log', 'g.log'],
            bytes: 10,
            uploaded: 1,
            job: job({ status: 'done', done: 2, total: 2, analysis: '/api/v1/analyses/an_7' }),
          },
          {
            key: 4,
            names: ['h.log', 'i.log'],
            bytes: 10,
            uploaded: 0.2,
            error: 'the upload failed: the server could not be reached',
          },
        ]}
      />,
    );
    expect(html).toContain('uploading 50% of 2.0 MB');
    expect(html).toContain('running: 1 of 3 files analysed');
    expect(html).toContain('href="#/analyses/an_7"');
    expect(html).toContain('failed: the upload failed');
    expect(html.match(/<progress/g)).toHaveLength(4);
  });
  it('no batch, no section', () => {
    expect(renderToStaticMarkup(<Batches batches={[]} />)).toBe('');
  });
});

describe('analysis report', () => {
  it('says which inputs were not read and why, beside the findings', () => {
    const report = {
      engineVersion: '0.1.0',
      summary: {
        lines: 0,
        records: 0,
        templates: 0,
        severityCounts: {
          UNSPECIFIED: 0,
          TRACE: 0,
          DEBUG: 0,
          INFO: 0,
          WARN: 0,
          ERROR: 0,
          FATAL: 0,
        },
        truncatedLines: 0,
        evictedTemplates: 0,
        sources: [
          {
            name: 'bin.log',
            format: 'plain',
            lines: 0,
            records: 0,
            truncatedLines: 0,
            problem: { code: 'INPUT.BINARY', message: 'bin.log: skipped, binary data' },
          },
          { name: 'ok.log', format: 'plain', lines: 0, records: 0, truncatedLines: 0 },
        ],
      },
      findings: [],
    } as unknown as Parameters<typeof Report>[0]['report'];
    const html = renderToStaticMarkup(<Report name="2 files" report={report} />);
    expect(html).toContain('bin.log: skipped, binary data');
    expect(html).not.toContain('ok.log:');
    expect(html).toContain('Nothing abnormal found.');
    expect(html).not.toContain('Incidents');
  });

  it('lists the incidents across the files with their probable causes before the findings', () => {
    const T = Date.UTC(2026, 10, 20, 10, 41, 50);
    const report = {
      engineVersion: '0.1.0',
      summary: {
        lines: 10,
        records: 10,
        templates: 1,
        severityCounts: {
          UNSPECIFIED: 0,
          TRACE: 0,
          DEBUG: 0,
          INFO: 0,
          WARN: 0,
          ERROR: 10,
          FATAL: 0,
        },
        truncatedLines: 0,
        evictedTemplates: 0,
        sources: [],
      },
      findings: [
        {
          kind: 'error-template',
          severity: 'ERROR',
          score: 0.6,
          reason: 'charge failed',
          count: 10,
          sources: ['payments.log'],
          evidence: [],
        },
      ],
      incidents: [
        {
          startMs: T,
          endMs: T + 369_000,
          services: [{ service: 'payments' }, { service: 'checkout-api' }],
          causes: [
            {
              service: 'payments',
              score: 0.63,
              reasons: [
                'explains the symptoms of checkout-api, whose records name it',
                'charge failed',
              ],
            },
          ],
          findings: [0, 40],
        },
      ],
    } as unknown as Parameters<typeof Report>[0]['report'];
    const html = renderToStaticMarkup(<Report name="5 files" report={report} />);
    expect(html).toContain('<h3>Incidents</h3>');
    expect(html).toContain('2026-11-20 10:41 → 10:47:59 (6m 9s)');
    expect(html).toContain('<strong>payments, checkout-api</strong>');
    expect(html).toContain(
      'payments <span class="score">0.63</span> <span class="muted">explains the symptoms of checkout-api, whose records name it</span>',
    );
    expect(html.indexOf('Incidents')).toBeLessThan(html.indexOf('charge failed'));
    // its findings link to them (those listed: the 41st is not)
    expect(html).toContain('<a class="cite" href="#evidence-f1">f1</a>');
    expect(html).not.toContain('f41');
  });

  it('of many incidents, lists the ten with the strongest causes in time order and says so', () => {
    const T = Date.UTC(2026, 10, 20, 10, 0);
    const incidents = Array.from({ length: 12 }, (_, i) => ({
      startMs: T + i * 600_000,
      endMs: T + i * 600_000 + 60_000,
      services: [{ service: `s${i}` }],
      causes: [
        { service: `s${i}`, score: i === 0 || i === 5 ? 0.1 : 0.5 + i / 100, reasons: ['r'] },
      ],
      findings: [],
    }));
    const report = {
      engineVersion: '0.1.0',
      summary: {
        lines: 10,
        records: 10,
        templates: 1,
        severityCounts: {
          UNSPECIFIED: 0,
          TRACE: 0,
          DEBUG: 0,
          INFO: 0,
          WARN: 0,
          ERROR: 10,
          FATAL: 0,
        },
        truncatedLines: 0,
        evictedTemplates: 0,
        sources: [],
      },
      findings: [],
      incidents,
    } as unknown as Parameters<typeof Report>[0]['report'];
    const html = renderToStaticMarkup(<Report name="many" report={report} />);
    expect([...html.matchAll(/<strong>(s\d+)<\/strong>/g)].map((m) => m[1])).toEqual([
      's1',
      's2',
      's3',
      's4',
      's6',
      's7',
      's8',
      's9',
      's10',
      's11',
    ]);
    expect(html).toContain('The 10 with the strongest causes of 12, in time order');
  });
});

describe('time chart', () => {
  it('says in words what it marks, for those who cannot see the canvas', () => {
    const html = renderToStaticMarkup(
      <TimeChart
        title="db: records per 30 s"
        series={[{ label: 'records', points: [{ tMs: 0, v: 1 }] }]}
        marks={[
          { fromMs: 0, toMs: 60_000, label: 'abnormal 00:00–00:01 UTC' },
          { fromMs: 30_000, label: 'spike at 00:00:30 UTC' },
        ]}
      />,
    );
    expect(html).toContain(
      'aria-label="db: records per 30 s — marked: abnormal 00:00–00:01 UTC; spike at 00:00:30 UTC"',
    );
  });
});
