import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmStandIn } from './helpers/llm-stand-in.js';
import type { StandIn } from './helpers/llm-stand-in.js';
import { nezhaSlice } from './helpers/nezha.js';
import { runCli, tempDir } from './helpers/run-cli.js';

interface RcaJson {
  at: string;
  window: { from: string; to: string };
  candidates: {
    service: string;
    score: number;
    reasons: string[];
    explains: string[];
    evidence: {
      id: string;
      signal: string;
      score: number;
      ref: { type: string; templateId?: string };
      examples?: { logId: string; body: string }[];
    }[];
  }[];
  notes: string[];
}

describe('bifrost import --format nezha, rca, incidents (spawned CLI)', () => {
  const data = tempDir('bifrost-nezha-store-');
  beforeAll(async () => {
    const r = await runCli(['import', '--format', 'nezha', nezhaSlice(), '--data', data]);
    expect(r.stderr).toMatch(/loaded into .*bifrost\.duckdb \(tenant default\)/);
    expect(r.stdout).toMatch(
      /^3 metric files: [\d,]+ metric points \([\d,]+ anomal(y|ies)\)\n7 trace files: [\d,]+ spans\n7 log files: [\d,]+ log records\n$/,
    );
    expect(r.code).toBe(0);
  }, 60_000);

  it('rca ranks the faulty service first with reasons and evidence that names its records', async () => {
    const r = await runCli([
      'rca',
      '--at',
      '2023-01-29 09:03:53',
      '--output',
      'json',
      '--data',
      data,
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as RcaJson;
    expect(out.at).toBe('2023-01-29T09:03:53.000Z');
    expect(out.window).toEqual({
      from: '2023-01-29T09:02:00.000Z',
      to: '2023-01-29T09:14:00.000Z',
    });
    const top = out.candidates[0]!;
    expect(top.service).toBe('ts-basic-service');
    expect(top.score).toBeGreaterThan(0.5);
    expect(top.reasons[0]).toMatch(
      /^\d+ ERROR records "f\.m\.s\.BasicServiceImpl#\d+ .*getRoutesByRouteIds.*" in \d+ min/,
    );
    expect(top.evidence[0]).toMatchObject({ id: 'e1', signal: 'log', ref: { type: 'template' } });
    // each item says how much it weighs, strongest first
    const weights = top.evidence.map((e) => e.score);
    expect(weights.every((w) => w > 0 && w <= 1)).toBe(true);
    expect(weights).toEqual([...weights].sort((a, b) => b - a));
    expect(top.evidence[0]!.examples![0]!.body).toMatch(/Get Route By Ids Failed/);
    // the slice holds 13 minutes: a 3-minute window leaves the other fault and the baseline as the reference
    const text = await runCli([
      'rca',
      '--at',
      '2023-01-29T08:58:16Z',
      '--window',
      '3m',
      '--data',
      data,
      '--top',
      '2',
    ]);
    expect(text.stdout).toMatch(
      /^Root causes for 2023-01-29T08:58:16.000Z {2}\(symptoms 08:57:00 → 09:02:00, usual behaviour from 06:57 to 11:02 UTC\)/,
    );
    // a window or reference that leaves the alert's day says which day
    const wide = await runCli([
      'rca',
      '--at',
      '2023-01-29T08:58:16Z',
      '--window',
      '1d',
      '--data',
      data,
      '--top',
      '1',
    ]);
    expect(wide.stdout).toMatch(
      /^Root causes for 2023-01-29T08:58:16.000Z {2}\(symptoms 06:34:00 → 01-30 08:59:00, usual behaviour from 04:34 to 01-30 10:59 UTC\)/,
    );
    // each of its signals with its kind and its weight in the candidate's own evidence
    expect(text.stdout).toMatch(
      /\n 1\. ts-contacts-service {2}0\.\d\d\n {6}log {5}[01]\.\d\d {2}\d+ ERROR records "c\.s\.ContactsServiceImpl#\d+ .*\[findContactsById\]/,
    );
    // and the symptoms it explains (basic's failures are travel's: it calls basic)
    const basic = await runCli([
      'rca',
      '--at',
      '2023-01-29 09:03:53',
      '--data',
      data,
      '--top',
      '1',
    ]);
    expect(basic.stdout).toMatch(
      /\n 1\. ts-basic-service {2}0\.\d\d\n[^]*\n {6}explains the symptoms of ts-travel-service, which call it\n/,
    );
    expect(text.stdout).toMatch(
      /\n {6}↳ 08:\d\d:\d\d\.\d{3} .*No contacts according to contactsId/,
    );
    expect(text.stdout).toMatch(/more with some evidence \(--top, or --output json\)/);
    // a signal of spans (latency, failures) shows a trace to open
    const eight = JSON.parse(
      (
        await runCli([
          'rca',
          '--at',
          '2023-01-29T08:58:16Z',
          '--window',
          '3m',
          '--data',
          data,
          '--top',
          '8',
          '--output',
          'json',
        ])
      ).stdout,
    ) as {
      candidates: {
        evidence: { examples?: unknown[]; spans?: { traceId: string; operation: string }[] }[];
      }[];
    };
    const traced = eight.candidates
      .flatMap((c) => c.evidence.slice(0, 2))
      .find((e) => e.examples === undefined && (e.spans?.length ?? 0) > 0);
    expect(traced).toBeDefined();
    const eightText = await runCli([
      'rca',
      '--at',
      '2023-01-29T08:58:16Z',
      '--window',
      '3m',
      '--data',
      data,
      '--top',
      '8',
    ]);
    expect(eightText.stdout).toContain(`span "${traced!.spans![0]!.operation}"`);
    expect(eightText.stdout).toContain(`(trace ${traced!.spans![0]!.traceId})`);
  });

  it('incidents finds one incident per fault, none in the fault-free minute, with the faulty service as top cause', async () => {
    const r = await runCli(['incidents', '--output', 'json', '--data', data]);
    expect(r.code).toBe(0);
    const { incidents } = JSON.parse(r.stdout) as {
      incidents: {
        id: string;
        status: string;
        firstSymptom: string;
        causes: { service: string }[];
        mttdMs: number;
        mttrMs: number;
        timeline: { kind: string }[];
      }[];
    };
    expect(incidents.map((i) => [i.firstSymptom.slice(11, 16), i.causes[0]?.service])).toEqual([
      ['08:59', 'ts-contacts-service'],
      ['09:03', 'ts-basic-service'],
    ]);
    expect(incidents[0]).toMatchObject({ status: 'resolved', mttdMs: 60_000 });
    expect(incidents[0]!.timeline[0]!.kind).toBe('first-symptom');
    const text = await runCli([
      'incidents',
      '--data',
      data,
      '--since',
      '2023-01-29 09:00',
      '--until',
      '2023-01-29 09:30',
    ]);
    expect(text.stdout).toMatch(
      /^1 incident between 2023-01-29T09:00 and 2023-01-29T09:30 UTC\n\ninc_\w+ {2}resolved {2}2023-01-29T09:03:00 → /,
    );
  });

  describe('explain <incident> with a model (the stand-in speaks Ollama and OpenAI)', () => {
    let llm: StandIn;
    beforeAll(async () => {
      llm = await startLlmStandIn({ apiKey: 'sk-e2e' });
    });
    afterAll(async () => {
      await llm.close();
    });

    it('explains an incident from its evidence (Graph RAG), cites it, records it; prompt versions side by side; cache on the second call', async () => {
      const list = JSON.parse(
        (await runCli(['incidents', '--output', 'json', '--data', data])).stdout,
      ) as { incidents: { id: string; causes: { service: string }[] }[] };
      const inc = list.incidents.find((i) => i.causes[0]?.service === 'ts-basic-service')!;
      const env = { OLLAMA_HOST: llm.url };
      const r = await runCli(
        ['explain', inc.id.slice(0, 9), '--llm', '--data', data, '--output', 'json'],
        { env },
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as {
        incident: string;
        explanation: {
          status: string;
          prompt: string;
          provider: string;
          model: string;
          answer: { issues: { citations: string[] }[] };
          context: { included: Record<string, number> };
        };
      };
      expect(out.incident).toBe(inc.id);
      expect(out.explanation).toMatchObject({
        status: 'explained',
        prompt: 'incident@v2',
        provider: 'ollama',
        model: 'llama3.1',
      });
      expect(out.explanation.answer.issues[0]!.citations).toEqual(['e1']);
      expect(Object.keys(out.explanation.context.included)).toEqual(
        expect.arrayContaining(['candidates', 'evidence', 'lines', 'edges']),
      );
      // the model saw the ranked candidates, the evidence lines with ids and the dependencies
      const sent = llm.requests.at(-1)!.body;
      expect(sent).toMatch(/Root-cause candidates ranked/);
      expect(sent).toMatch(/\[e1\] ts-basic-service · log · /);
      expect(sent).toMatch(/Get Route By Ids Failed/);
      expect(sent).toMatch(/ts-travel-service -> ts-basic-service: \d+ calls/);
      const chats = () => llm.requests.filter((q) => !q.path.includes('embed')).length;
      const calls = chats();
      // with an embedding model, similar past incidents are also sought by meaning (one request)
      const ab = await runCli(
        [
          'explain',
          inc.id,
          '--llm',
          'openai',
          '--model',
          'local-model',
          '--prompt',
          'v1',
          '--compare',
          'v2',
          '--data',
          data,
        ],
        {
          env: {
            OPENAI_BASE_URL: `${llm.url}/v1`,
            OPENAI_API_KEY: 'sk-e2e',
            BIFROST_LLM_EMBED_MODEL: 'nomic-embed-text',
          },
        },
      );
      expect(llm.requests.filter((q) => q.path === '/v1/embeddings')).toHaveLength(1);
      expect(ab.code).toBe(0);
      expect(ab.stdout).toMatch(/Explanation \(openai local-model, prompt incident@v1, /);
      expect(ab.stdout).toMatch(/Explanation \(openai local-model, prompt incident@v2, /);
      expect(ab.stdout).toMatch(/Comparison[\s\S]*incident@v1 +explained +1 +1 /);
      expect(chats()).toBe(calls + 2);
      const again = await runCli(['explain', inc.id, '--llm', '--data', data, '--output', 'json'], {
        env,
      });
      expect(
        (JSON.parse(again.stdout) as { explanation: { cached: boolean } }).explanation.cached,
      ).toBe(true);
      expect(chats()).toBe(calls + 2);
    });

    it('a model that is down, no model, a wrong key: the note says why; unknown ids and versions get advice', async () => {
      const down = await runCli(['explain', 'inc_', '--llm', '--data', data], {
        env: { OLLAMA_HOST: '127.0.0.1:9', BIFROST_LLM_RETRIES: '0' },
      });
      expect(down.stderr).toMatch(/starts \d+ incident ids/);
      const list = JSON.parse(
        (await runCli(['incidents', '--output', 'json', '--data', data])).stdout,
      ) as { incidents: { id: string }[] };
      const id = list.incidents[0]!.id;
      const off = await runCli(['explain', id, '--llm', '--data', data, '--no-llm-cache'], {
        env: { OLLAMA_HOST: '127.0.0.1:9', BIFROST_LLM_RETRIES: '0' },
      });
      expect(off.code).toBe(0);
      expect(off.stdout).toMatch(
        /unavailable: ollama \(llama3\.1\): cannot reach Ollama at http:\/\/127\.0\.0\.1:9/,
      );
      const none = await runCli(['explain', id, '--data', data]);
      expect(none.stdout).toMatch(/no model configured: add --llm ollama/);
      const key = await runCli(
        ['explain', id, '--llm', 'openai', '--data', data, '--no-llm-cache'],
        { env: { OPENAI_BASE_URL: `${llm.url}/v1`, OPENAI_API_KEY: 'wrong' } },
      );
      expect(key.stdout).toMatch(/refused the credentials \(401\).*set OPENAI_API_KEY/);
      const v = await runCli(['explain', id, '--llm', '--prompt', 'v9', '--data', data]);
      expect(v.code).toBe(2);
      expect(v.stderr).toMatch(
        /prompt version "v9" of "incident" does not exist; there are: v1, v2/,
      );
      const p = await runCli(['explain', id, '--llm', 'claude', '--data', data]);
      expect(p.stderr).toMatch(/--llm must be one of ollama, openai, bedrock, got "claude"/);
    });
  });

  it('bad options and empty stores get advice, not stack traces', async () => {
    expect((await runCli(['rca', '--data', data])).stderr).toMatch(
      /required option '--at <time>' not specified/,
    );
    const bad = await runCli(['rca', '--at', 'yesterday', '--data', data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--at "yesterday": give a time such as 2023-01-29T08:43:04Z/);
    expect(
      (await runCli(['rca', '--at', '2023-01-29 09:03:53', '--window', '10', '--data', data]))
        .stderr,
    ).toMatch(/--window "10": give a duration such as 30s, 10m, 2h or 1d/);
    const empty = tempDir('bifrost-empty-');
    const none = await runCli(['rca', '--at', '2023-01-29 09:03:53', '--data', empty]);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(
      /note: the store holds no data: load some with bifrost import or bifrost serve first \(or check --data or --store\)\n\nNo service shows evidence of trouble in the window\./,
    );
    expect((await runCli(['incidents', '--data', empty])).stdout).toBe(
      'The store is empty: load data with bifrost import or bifrost serve first.\n',
    );
    const notNezha = tempDir('bifrost-notnezha-');
    writeFileSync(join(notNezha, 'x.csv'), 'a,b\n');
    const imp = await runCli(['import', '--format', 'nezha', notNezha, '--data', empty]);
    expect(imp.code).toBe(2);
    expect(imp.stderr).toMatch(/no log\/, trace\/ or metric\/ folder \(expected the Nezha layout/);
    // --help names every kind of evidence a candidate can carry
    const help = (await runCli(['rca', '--help'])).stdout;
    for (const kind of [
      'log',
      'flow',
      'named',
      'latency',
      'errors',
      'network',
      'unanswered',
      'silent',
      'metric',
      'change',
    ])
      expect(help).toMatch(new RegExp(`(^|  )${kind}  `, 'm'));
  });
});
