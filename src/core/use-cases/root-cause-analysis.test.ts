import { describe, expect, it } from 'vitest';
import { createMemoryTelemetryStore } from '../../adapters/store/memory/memory-telemetry-store.js';
import type { Span } from '../domain/span.js';
import type { StoredLog } from '../domain/stored-log.js';
import { analyzeRootCause } from './root-cause-analysis.js';

const M = 60_000;
const AT = Date.UTC(2026, 10, 23, 10, 0);

function span(
  i: number,
  service: string,
  parent: string,
  startMs: number,
  ms: number,
  statusCode = 0,
): Span {
  return {
    traceId: String(i).padStart(32, '0'),
    spanId: `${service.slice(0, 2)}${String(i).padStart(14, '0')}`,
    parentSpanId: parent,
    name: `GET /${service}`,
    kind: 2,
    startMs,
    endMs: startMs + ms,
    statusCode,
    statusMessage: '',
    resource: { service },
    attributes: '{}',
  };
}

describe('analyzeRootCause', () => {
  it('ranks the slow callee first, with trace exemplars (its slowest spans) and log lines as evidence', async () => {
    const store = createMemoryTelemetryStore();
    const spans: Span[] = [];
    const logs: StoredLog[] = [];
    let n = 0;
    // an hour of web → db calls at 10 ms, then 10 minutes in which db takes 400–500 ms and web logs timeouts
    for (let m = -60; m < 10; m++) {
      for (let k = 0; k < 20; k++) {
        const t = AT + m * M + k * 2000;
        const slow = m >= 0;
        const web = span(n, 'web', '', t, slow ? 520 : 20);
        spans.push(web, span(n, 'db', web.spanId, t + 1, slow ? 400 + k * 5 : 10));
        n++;
        if (slow && k % 4 === 0)
          logs.push({
            id: `l${n}`,
            timeMs: t + 500,
            severity: 17,
            severityText: 'ERROR',
            body: `upstream db timed out after ${500 + k} ms`,
            resource: { service: 'web' },
            attributes: '{}',
            traceId: web.traceId,
            spanId: web.spanId,
            templateId: 't-timeout',
            template: 'upstream db timed out after <*> ms',
            params: [String(500 + k)],
          });
      }
    }
    await store.append('t', { spans, logs });
    const r = await analyzeRootCause(store, 't', {
      atMs: AT,
      windowMs: 10 * M,
      referenceMs: 60 * M,
    });
    expect(r.candidates.map((c) => c.service)).toEqual(['db', 'web']);
    const db = r.candidates[0]!;
    expect(db.reasons[0]).toMatch(
      /^p90 latency up to 4\d\d ms per 1 min, \d+(\.\d+)?× its usual 10 ms at most \(220 spans\); its requests took 4\d\d ms longer on average; web, which calls it, was slower at the same time, up to 4\d\d ms more per request spent in calls to it$/,
    );
    expect(db.explains).toEqual(['web']);
    expect(db.evidence[0]!.spans!.map((s) => s.durationMs)).toEqual([495, 495, 495]);
    expect(db.evidence[0]!.spans![0]!.traceId).toMatch(/^\d{32}$/);
    const web = r.candidates[1]!;
    expect(web.explainedBy).toEqual(['db']);
    // means add up: web's requests took as much longer as they spent in calls to db
    expect(web.reasons.find((x) => x.startsWith('p90 latency'))).toMatch(
      /; its requests took 500 ms longer on average, 4\d\d ms of it in calls to db$/,
    );
    const logEvidence = web.evidence.find((e) => e.signal === 'log')!;
    expect(logEvidence.examples![0]!.body).toMatch(/^upstream db timed out after \d+ ms$/);
    expect(logEvidence.ref).toMatchObject({ type: 'template', templateId: 't-timeout', count: 50 });
    // ids are unique within the answer (what explanations cite)
    const ids = r.candidates.flatMap((c) => c.evidence.map((e) => e.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(r.atMs).toBe(AT);
    expect(r.candidates[0]?.service).toBe('db');
    expect(r.notes).toEqual([]);
  });

  it('the first minute of traffic after a pause is said in notes: its slowness is not counted', async () => {
    const store = createMemoryTelemetryStore();
    const spans: Span[] = [];
    let n = 0;
    // an hour of web → db calls at 10 ms, nothing at 9:58 and 9:59, then db at 400 ms in the first minute back only
    for (let m = -60; m < 10; m++) {
      if (m === -2 || m === -1) continue;
      for (let k = 0; k < 20; k++) {
        const t = AT + m * M + k * 2000;
        const web = span(n, 'web', '', t, m === 0 ? 420 : 20);
        spans.push(web, span(n++, 'db', web.spanId, t + 1, m === 0 ? 400 : 10));
      }
    }
    await store.append('t', { spans });
    const r = await analyzeRootCause(store, 't', {
      atMs: AT,
      windowMs: 10 * M,
      referenceMs: 60 * M,
    });
    expect(r.candidates).toEqual([]);
    expect(r.notes).toEqual([
      '2026-11-23T10:00Z is the first minute of traffic after a pause (no span or log in the minute before): services answer their first requests slowly then, so its latency is not counted as a symptom',
    ]);
  });

  it('an empty store, or no data around the window, is said in notes', async () => {
    const store = createMemoryTelemetryStore();
    expect(
      (await analyzeRootCause(store, 't', { atMs: AT, windowMs: 10 * M, referenceMs: 60 * M }))
        .notes,
    ).toEqual([
      'the store holds no data: load some with bifrost import or bifrost serve first (or check --data or --store)',
    ]);
    await store.append('t', { spans: [span(1, 'db', '', AT + M, 5)] });
    expect(
      (await analyzeRootCause(store, 't', { atMs: AT, windowMs: 10 * M, referenceMs: 60 * M }))
        .notes,
    ).toEqual([
      'no data around the window to learn usual behaviour from: every message counts as new',
    ]);
    // data elsewhere: the note says where, so a wrong time shows at once
    expect(
      (
        await analyzeRootCause(store, 't', {
          atMs: AT + 600 * M,
          windowMs: 10 * M,
          referenceMs: 60 * M,
        })
      ).notes,
    ).toEqual([
      `no logs, spans or metrics in the window: nothing to rank (the store holds data from ${new Date(AT + M).toISOString()} to ${new Date(AT + M).toISOString()})`,
    ]);
  });
});
