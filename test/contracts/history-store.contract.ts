import { describe, expect, it } from 'vitest';
import type { Explanation } from '../../src/core/domain/explanation.js';
import type { Incident } from '../../src/core/domain/incident.js';
import type { LogReport } from '../../src/core/domain/log-report.js';
import type { HistoryStorePort } from '../../src/core/ports/history-store.port.js';

const report = (lines: number): LogReport => ({
  engineVersion: 'x',
  summary: {
    lines,
    records: lines,
    templates: 0,
    severityCounts: {
      UNSPECIFIED: 0,
      TRACE: 0,
      DEBUG: 0,
      INFO: lines,
      WARN: 0,
      ERROR: 0,
      FATAL: 0,
    },
    truncatedLines: 0,
    evictedTemplates: 0,
    sources: [{ name: 'a.log', format: 'plain', lines, records: lines, truncatedLines: 0 }],
  },
  findings: [],
  templates: [],
});

export function runHistoryStoreContract(
  name: string,
  create: () => Promise<HistoryStorePort>,
): void {
  describe(`HistoryStorePort contract: ${name}`, () => {
    it('keeps analyses per tenant: add, get, list newest first in pages, delete', async () => {
      const s = await create();
      for (let i = 0; i < 5; i++)
        await s.addAnalysis({
          id: `a${i}`,
          tenant: 't1',
          createdMs: 1000 + i,
          name: `run ${i}`,
          report: report(i * 10),
        });
      await s.addAnalysis({
        id: 'b0',
        tenant: 't2',
        createdMs: 5000,
        name: 'other',
        report: report(1),
      });
      expect(await s.getAnalysis('t1', 'a3')).toEqual({
        id: 'a3',
        tenant: 't1',
        createdMs: 1003,
        name: 'run 3',
        report: report(30),
      });
      expect(await s.getAnalysis('t2', 'a3')).toBeUndefined();
      const p1 = await s.listAnalyses('t1', { limit: 3 });
      expect(p1.items).toEqual(
        [4, 3, 2].map((i) => ({
          id: `a${i}`,
          createdMs: 1000 + i,
          name: `run ${i}`,
          lines: i * 10,
          findings: 0,
        })),
      );
      const p2 = await s.listAnalyses('t1', { limit: 3, cursor: p1.next! });
      expect(p2.items.map((a) => a.id)).toEqual(['a1', 'a0']);
      expect(p2.next).toBeUndefined();
      expect(await s.deleteAnalysis('t2', 'a1')).toBe(false);
      expect(await s.deleteAnalysis('t1', 'a1')).toBe(true);
      expect((await s.listAnalyses('t1', { limit: 10 })).items).toHaveLength(4);
      await expect(s.listAnalyses('t1', { limit: 1, cursor: 'zz' })).rejects.toMatchObject({
        code: 'INPUT.BAD_OPTION',
      });
    });

    it('keeps incidents per tenant: put replaces, get, list newest first by status and time in pages', async () => {
      const s = await create();
      const inc = (i: number, over: Partial<Incident> = {}): Incident => ({
        id: `inc_${i}`,
        status: 'open',
        title: `t${i}`,
        firstSymptomMs: 1000 * i,
        detectedMs: 1000 * i + 60,
        lastSymptomMs: 1000 * i + 120,
        peakScore: 0.5,
        services: ['api'],
        causes: [{ service: 'api', score: 0.5, reasons: ['r'] }],
        timeline: [{ timeMs: 1000 * i, kind: 'first-symptom', text: 'x', service: 'api' }],
        ...over,
      });
      for (let i = 1; i <= 4; i++) await s.putIncident('t1', inc(i));
      await s.putIncident('t2', inc(9));
      await s.putIncident('t1', inc(2, { status: 'resolved', resolvedMs: 2500 }));
      expect(await s.getIncident('t1', 'inc_2')).toEqual(
        inc(2, { status: 'resolved', resolvedMs: 2500 }),
      );
      expect(await s.getIncident('t2', 'inc_2')).toBeUndefined();
      const p1 = await s.listIncidents('t1', { limit: 2 });
      expect(p1.items.map((i) => i.id)).toEqual(['inc_4', 'inc_3']);
      expect(
        (await s.listIncidents('t1', { limit: 2, cursor: p1.next! })).items.map((i) => i.id),
      ).toEqual(['inc_2', 'inc_1']);
      expect(
        (await s.listIncidents('t1', { limit: 10, status: 'open' })).items.map((i) => i.id),
      ).toEqual(['inc_4', 'inc_3', 'inc_1']);
      expect(
        (await s.listIncidents('t1', { limit: 10, fromMs: 2000, toMs: 4000 })).items.map(
          (i) => i.id,
        ),
      ).toEqual(['inc_3', 'inc_2']);
      expect((await s.listIncidents('t2', { limit: 10 })).items.map((i) => i.id)).toEqual([
        'inc_9',
      ]);
    });

    it('adds, finds, lists and revokes keys (revoking twice keeps the first time)', async () => {
      const s = await create();
      await s.addKey({
        id: 'AAAAAAAA',
        hash: 'ab'.repeat(32),
        tenant: 'acme',
        scope: 'read',
        name: 'grafana',
        createdMs: 2,
      });
      await s.addKey({
        id: 'BBBBBBBB',
        hash: 'cd'.repeat(32),
        tenant: 'other',
        scope: 'admin',
        name: '',
        createdMs: 1,
      });
      expect(await s.findKey('AAAAAAAA')).toEqual({
        id: 'AAAAAAAA',
        hash: 'ab'.repeat(32),
        tenant: 'acme',
        scope: 'read',
        name: 'grafana',
        createdMs: 2,
      });
      expect(await s.findKey('nope')).toBeUndefined();
      expect((await s.listKeys()).map((k) => k.id)).toEqual(['BBBBBBBB', 'AAAAAAAA']);
      expect(await s.revokeKey('AAAAAAAA', 10)).toBe(true);
      expect(await s.revokeKey('AAAAAAAA', 20)).toBe(true);
      expect((await s.findKey('AAAAAAAA'))!.revokedMs).toBe(10);
      expect(await s.revokeKey('nope', 10)).toBe(false);
    });

    it('keeps enrolment tokens; redeeming spends the token and stores its key together, once, before expiry', async () => {
      const s = await create();
      const token = {
        id: 'TTTTTTTT',
        verifier: 'ab'.repeat(32),
        tenant: 'shop',
        scope: 'ingest' as const,
        name: 'collector',
        createdMs: 1000,
        expiresMs: 5000,
      };
      await s.addEnrolToken(token);
      await s.addEnrolToken({ ...token, id: 'SSSSSSSS', createdMs: 2000, expiresMs: 3000 });
      expect(await s.findEnrolToken('TTTTTTTT')).toEqual(token);
      expect(await s.findEnrolToken('nope')).toBeUndefined();
      expect((await s.listEnrolTokens()).map((t) => t.id)).toEqual(['TTTTTTTT', 'SSSSSSSS']);
      const key = {
        id: 'KKKKKKKK',
        hash: 'cd'.repeat(32),
        tenant: 'shop',
        scope: 'ingest' as const,
        name: 'collector',
        createdMs: 1500,
        origin: { via: 'enrolment' as const, token: 'TTTTTTTT', address: '10.0.0.7' },
      };
      // expired: nothing changes
      expect(await s.redeemEnrolToken('SSSSSSSS', 3000, { ...key, id: 'LLLLLLLL' })).toBe(false);
      expect(await s.findKey('LLLLLLLL')).toBeUndefined();
      expect(await s.redeemEnrolToken('nope', 1500, key)).toBe(false);
      expect(await s.findKey('KKKKKKKK')).toBeUndefined();
      expect(await s.redeemEnrolToken('TTTTTTTT', 1500, key)).toBe(true);
      expect(await s.findKey('KKKKKKKK')).toEqual(key);
      expect(await s.findEnrolToken('TTTTTTTT')).toEqual({
        ...token,
        usedMs: 1500,
        keyId: 'KKKKKKKK',
      });
      // used: a second redemption changes nothing
      expect(await s.redeemEnrolToken('TTTTTTTT', 1600, { ...key, id: 'MMMMMMMM' })).toBe(false);
      expect(await s.findKey('MMMMMMMM')).toBeUndefined();
      expect((await s.findEnrolToken('TTTTTTTT'))!.usedMs).toBe(1500);
    });

    it('caches explanations until they expire, counts tokens per day, records explanations per tenant and subject', async () => {
      const s = await create();
      const e: Explanation = {
        status: 'explained',
        prompt: 'incident@v1',
        cached: false,
        attempts: 1,
        durationMs: 5,
        usage: { inputTokens: 10, outputTokens: 3 },
        context: {
          chars: 40,
          tokensEstimate: 10,
          included: { evidence: 2 },
          omitted: {},
          redacted: { EMAIL: 1 },
        },
        createdMs: 1000,
        provider: 'ollama',
        model: 'm',
        answer: {
          verdict: 'explained',
          summary: 'x <EMAIL_1>',
          probableCause: { service: 'a', text: 't', citations: ['e1'] },
          issues: [{ text: 'i', citations: ['e1'] }],
          suggestions: [],
          confidence: 'low',
        },
      };
      await s.putCachedExplanation('k1', e, 2000);
      expect(await s.getCachedExplanation('k1', 1999)).toEqual(e);
      expect(await s.getCachedExplanation('k1', 2000)).toBeUndefined();
      expect(await s.getCachedExplanation('k2', 0)).toBeUndefined();
      await s.putCachedExplanation('k1', { ...e, attempts: 2 }, 5000);
      expect((await s.getCachedExplanation('k1', 3000))!.attempts).toBe(2);
      expect(await s.llmTokensUsed('2026-11-23')).toBe(0);
      await s.addLlmTokens('2026-11-23', 100);
      await s.addLlmTokens('2026-11-23', 23);
      await s.addLlmTokens('2026-11-24', 1);
      expect(await s.llmTokensUsed('2026-11-23')).toBe(123);
      await s.addExplanation({
        id: 'x1',
        tenant: 't1',
        subject: 'incident:i1',
        createdMs: 1,
        explanation: e,
      });
      await s.addExplanation({
        id: 'x2',
        tenant: 't1',
        subject: 'incident:i1',
        createdMs: 2,
        explanation: { ...e, prompt: 'incident@v2' },
      });
      await s.addExplanation({
        id: 'x3',
        tenant: 't2',
        subject: 'incident:i1',
        createdMs: 3,
        explanation: e,
      });
      const list = await s.listExplanations('t1', 'incident:i1', 10);
      expect(list.map((r) => [r.id, r.explanation.prompt])).toEqual([
        ['x2', 'incident@v2'],
        ['x1', 'incident@v1'],
      ]);
      expect(await s.listExplanations('t1', 'incident:i1', 1)).toHaveLength(1);
      expect(await s.listExplanations('t1', 'incident:other', 10)).toEqual([]);
    });
  });
}
