import { enrolTokenView, keyView } from './keys.js';
import { describe, expect, it } from 'vitest';
import type { Incident } from '../core/domain/incident.js';
import type { RcaResult } from '../core/use-cases/root-cause-analysis.js';
import { incidentView } from './incident.js';
import { rcaView } from './rca.js';

const T = Date.UTC(2026, 10, 23, 10, 0);
const M = 60_000;

describe('incidentView', () => {
  const open: Incident = {
    id: 'inc-1',
    status: 'open',
    title: 'db slow',
    firstSymptomMs: T,
    detectedMs: T + M,
    lastSymptomMs: T + 3 * M,
    peakScore: 0.9,
    services: ['db'],
    causes: [],
    timeline: [],
  };

  it('adds ISO times and the time to detect; no resolved fields while open', () => {
    const v = incidentView(open);
    expect(v).toMatchObject({
      id: 'inc-1',
      firstSymptom: '2026-11-23T10:00:00.000Z',
      detected: '2026-11-23T10:01:00.000Z',
      lastSymptom: '2026-11-23T10:03:00.000Z',
      mttdMs: M,
    });
    expect(v).not.toHaveProperty('resolved');
    expect(v).not.toHaveProperty('mttrMs');
    expect(v).not.toHaveProperty('acknowledged');
  });

  it('a resolved, acknowledged incident carries both times and its time to resolve', () => {
    const v = incidentView({
      ...open,
      status: 'resolved',
      resolvedMs: T + 10 * M,
      acknowledgedMs: T + 2 * M,
    });
    expect(v).toMatchObject({
      resolved: '2026-11-23T10:10:00.000Z',
      acknowledged: '2026-11-23T10:02:00.000Z',
      mttrMs: 10 * M,
    });
  });
});

describe('rcaView', () => {
  const candidate = (service: string, score: number) => ({
    service,
    score,
    reasons: [`${service} abnormal`],
    explains: [],
    explainedBy: [],
    evidence: [],
  });
  const result: RcaResult = {
    atMs: T,
    window: { fromMs: T - M, toMs: T + 10 * M },
    reference: { fromMs: T - 61 * M, toMs: T + 70 * M },
    candidates: [candidate('db', 0.9), candidate('web', 0.5), candidate('cart', 0.2)],
    graph: [],
    notes: ['a note'],
  };

  it('keeps the first `top` candidates, with ISO times, and drops the graph', () => {
    const v = rcaView(result, 2);
    expect(v.at).toBe('2026-11-23T10:00:00.000Z');
    expect(v.window).toEqual({ from: '2026-11-23T09:59:00.000Z', to: '2026-11-23T10:10:00.000Z' });
    expect(v.candidates.map((c) => c.service)).toEqual(['db', 'web']);
    expect(v.notes).toEqual(['a note']);
    expect(v).not.toHaveProperty('graph');
  });
});

describe('key and enrolment token views', () => {
  it('never show the hash or the verifier; say how a key was issued and what became of a token', () => {
    const key = keyView({
      id: 'KKKKKKKK',
      hash: 'secret-hash',
      tenant: 'shop',
      scope: 'ingest',
      name: 'node-7',
      createdMs: 0,
      origin: { via: 'enrolment', token: 'TTTTTTTT', address: '10.0.0.7' },
    });
    expect(JSON.stringify(key)).not.toContain('secret-hash');
    expect(key.origin).toEqual({ via: 'enrolment', token: 'TTTTTTTT', address: '10.0.0.7' });
    expect(
      keyView({ id: 'K', hash: 'h', tenant: 't', scope: 'read', name: '', createdMs: 0 }).origin,
    ).toBeNull();
    const token = {
      id: 'TTTTTTTT',
      verifier: 'secret-verifier',
      tenant: 'shop',
      scope: 'ingest' as const,
      name: '',
      createdMs: 0,
      expiresMs: 1000,
    };
    expect(JSON.stringify(enrolTokenView(token, 0))).not.toContain('secret-verifier');
    expect(enrolTokenView(token, 999).state).toBe('open');
    expect(enrolTokenView(token, 1000).state).toBe('expired');
    expect(enrolTokenView({ ...token, usedMs: 10, keyId: 'KKKKKKKK' }, 5000)).toMatchObject({
      state: 'used',
      key: 'KKKKKKKK',
      used: '1970-01-01T00:00:00.010Z',
    });
  });
});
