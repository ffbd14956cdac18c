import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmStandIn } from './helpers/llm-stand-in.js';
import type { StandIn } from './helpers/llm-stand-in.js';
import { runCli, tempDir } from './helpers/run-cli.js';

const PLANTED = [
  'ops.lead@acme-corp.com',
  'AKIAQWERTYUIOPASDFGH',
  'Sup3rS3cret!',
  '198.51.100.23',
  'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
  '4111 1111 1111 1111',
];

/** A log whose error lines carry secrets and personal data. */
function leakyLog(): string {
  const lines: string[] = [];
  for (let i = 0; i < 200; i++)
    lines.push(
      `2026-11-23T10:${String(Math.floor(i / 10)).padStart(2, '0')}:${String((i % 10) * 6).padStart(2, '0')}Z INFO request ${i} served in ${20 + (i % 7)} ms`,
    );
  for (let i = 0; i < 20; i++) {
    lines.push(
      `2026-11-23T10:20:${String(i * 2).padStart(2, '0')}Z ERROR db login failed postgres://orders:${PLANTED[2]}@db.internal:5432/orders from ${PLANTED[3]} user ${PLANTED[0]}`,
    );
    lines.push(
      `2026-11-23T10:20:${String(i * 2 + 1).padStart(2, '0')}Z ERROR upload rejected key=${PLANTED[1]} token ${PLANTED[4]} card ${PLANTED[5]}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('bifrost analyze --llm (spawned CLI, stand-in model server)', () => {
  let llm: StandIn;
  let log: string;
  beforeAll(async () => {
    llm = await startLlmStandIn();
    log = join(tempDir('bifrost-llm-'), 'app.log');
    writeFileSync(log, leakyLog());
  });
  afterAll(async () => {
    await llm.close();
  });

  it('adds the explanation to the report; no planted secret reaches the model; the local answer is readable', async () => {
    const r = await runCli(
      ['analyze', log, '--llm', '--redact-pattern', 'ORDER_DB=db\\.internal'],
      { env: { OLLAMA_HOST: llm.url } },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Findings/);
    expect(r.stdout).toMatch(
      /Explanation \(ollama llama3\.1, prompt logs@v1, [\d,]+ \+ [\d,]+ tokens\)/,
    );
    expect(r.stdout).toMatch(/- Errors rise in the window\. \[f1\]/);
    expect(r.stdout).toMatch(/redacted .*EMAIL.*/);
    const sent = llm.allBodies();
    expect(sent.length).toBeGreaterThan(500);
    for (const secret of [...PLANTED, 'db.internal']) expect(sent).not.toContain(secret);
    expect(sent).toMatch(/<PASSWORD_1>@<ORDER_DB_1>/);
  });

  it('--output json carries the explanation; a second run is answered from the cache', async () => {
    const cacheHome = tempDir('bifrost-llm-cache-');
    const env = { OLLAMA_HOST: llm.url };
    const first = JSON.parse(
      (await runCli(['analyze', log, '--llm', '--output', 'json'], { env, cacheHome })).stdout,
    ) as { findings: unknown[]; explanation: { status: string; cached: boolean; prompt: string } };
    expect(first.findings.length).toBeGreaterThan(0);
    expect(first.explanation).toMatchObject({
      status: 'explained',
      cached: false,
      prompt: 'logs@v1',
    });
    const n = llm.requests.length;
    const second = JSON.parse(
      (await runCli(['analyze', log, '--llm', '--output', 'json'], { env, cacheHome })).stdout,
    ) as { explanation: { cached: boolean } };
    expect(second.explanation.cached).toBe(true);
    expect(llm.requests.length).toBe(n);
  });

  it('a provider that is down or slow never fails the command: the report stands, a note says why', async () => {
    const down = await runCli(['analyze', log, '--llm'], {
      env: { OLLAMA_HOST: '127.0.0.1:9', BIFROST_LLM_RETRIES: '1' },
    });
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/Findings/);
    expect(down.stderr).toMatch(
      /note: no explanation: ollama \(llama3\.1\): cannot reach Ollama at http:\/\/127\.0\.0\.1:9/,
    );
    llm.script.push('slow', 'slow');
    const slow = await runCli(['analyze', log, '--llm', '--no-llm-cache'], {
      env: { OLLAMA_HOST: llm.url, BIFROST_LLM_TIMEOUT: '1s', BIFROST_LLM_RETRIES: '1' },
    });
    expect(slow.code).toBe(0);
    expect(slow.stderr).toMatch(/did not answer in time/);
  });

  it('an answer that fails validation twice is reported as inconclusive, with the reason', async () => {
    llm.script.push('uncited', 'not-json');
    const r = await runCli(['analyze', log, '--llm', '--no-llm-cache'], {
      env: { OLLAMA_HOST: llm.url },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /inconclusive: the model's answers did not pass validation twice: the answer is not valid JSON/,
    );
  });

  it('bad model settings fail before any work, naming the setting', async () => {
    const p = await runCli(['analyze', log, '--llm', 'gpt']);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/--llm must be one of ollama, openai, bedrock, got "gpt"/);
    const pat = await runCli(['analyze', log, '--llm', '--redact-pattern', 'x=(']);
    expect(pat.stderr).toMatch(
      /--redact-pattern: redaction pattern "x" is not a valid regular expression/,
    );
    const env = await runCli(['analyze', log, '--llm'], {
      env: { BIFROST_LLM_TEMPERATURE: 'hot' },
    });
    expect(env.stderr).toMatch(/BIFROST_LLM_TEMPERATURE must be a number from 0 to 2, got "hot"/);
    const host = await runCli(['analyze', log, '--llm', 'openai'], {
      env: { OPENAI_BASE_URL: 'ftp://x' },
    });
    expect(host.stderr).toMatch(/OPENAI_BASE_URL must be an http\(s\) URL/);
  });
});
