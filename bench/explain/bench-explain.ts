/**
 * The explanation cache: how long an answer takes when it is in the cache (the path every
 * repeated `bifrost explain`, dashboard refresh and API call takes). The context is real: the
 * report of examples/k8s-incident (all five logs), redacted on every call as in production;
 * the cache is the DuckDB history store in a file, and the in-memory one for comparison. The
 * model is a local function that answers once (the first call, a miss) and must not be called
 * again: the measured path never reaches a model, so no model server is needed.
 * Run: npm run bench:explain   (writes bench/results/explain.json)
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileSource } from '../../src/adapters/sources/file-source.js';
import { defaultPromptDir, loadPrompt } from '../../src/adapters/llm/prompt-files.js';
import { duckDbHistoryStore } from '../../src/adapters/store/duckdb/duckdb-history-store.js';
import { openDuckDb } from '../../src/adapters/store/duckdb/duckdb-telemetry-store.js';
import { createMemoryHistoryStore } from '../../src/adapters/store/memory/memory-history-store.js';
import { Redactor } from '../../src/core/engine/redaction/redactor.js';
import type { HistoryStorePort } from '../../src/core/ports/history-store.port.js';
import type { LlmPort } from '../../src/core/ports/llm.port.js';
import { analyzeSources } from '../../src/core/use-cases/analyze-logs.js';
import { explainContext } from '../../src/core/use-cases/explain.js';
import { logsContext } from '../../src/core/use-cases/explain-inputs.js';
import { projectRoot, resultsDir } from '../paths.js';

const nAt = process.argv.indexOf('--n');
const N = nAt > 0 ? Number(process.argv[nAt + 1]) : 2000;
const dir = join(projectRoot(), 'examples', 'k8s-incident');
const report = await analyzeSources(
  readdirSync(dir).map((f) => createFileSource(join(dir, f))),
  { dateReference: 2026 },
);
const context = logsContext('k8s-incident', report, [], 60_000);
const prompt = loadPrompt(defaultPromptDir(), 'logs');

let modelCalls = 0;
const model: LlmPort = {
  provider: 'ollama',
  model: 'bench',
  models: () => Promise.resolve({ status: 'ok', value: ['bench'] }),
  complete: () => {
    modelCalls++;
    const answer = {
      verdict: 'explained',
      summary: 'payments fails first [f1].',
      probableCause: { service: 'payments', text: 'charges fail', citations: ['f1'] },
      issues: [{ text: 'charge errors', citations: ['f1'] }],
      suggestions: [],
      confidence: 'medium',
    };
    return Promise.resolve({
      status: 'ok',
      value: {
        text: JSON.stringify(answer),
        model: 'bench',
        usage: { inputTokens: 1000, outputTokens: 100 },
      },
    });
  },
};

async function measure(name: string, store: HistoryStorePort) {
  const run = () =>
    explainContext(
      { tenant: 'bench', subject: 'logs:k8s-incident', context, prompt },
      {
        llm: model,
        store,
        redactor: new Redactor(),
        sha256: (s) => createHash('sha256').update(s).digest('hex'),
        now: Date.now,
        newId: randomUUID,
        cacheTtlMs: 24 * 3600_000,
        maxOutputTokens: 1024,
        temperature: 0.2,
      },
    );
  const calls = modelCalls;
  const first = await run();
  if (first.cached || modelCalls !== calls + 1)
    throw new Error('the first call should be a miss that asks the model once');
  for (let i = 0; i < 50; i++) await run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    const e = await run();
    times.push(performance.now() - t0);
    if (!e.cached) throw new Error('a repeated call was not served from the cache');
  }
  if (modelCalls !== calls + 1) throw new Error('the model was called on a cache hit');
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  const row = {
    store: name,
    hits: N,
    p50Ms: +q(0.5).toFixed(3),
    p95Ms: +q(0.95).toFixed(3),
    p99Ms: +q(0.99).toFixed(3),
    maxMs: +times.at(-1)!.toFixed(3),
  };
  process.stdout.write(
    `${name.padEnd(22)} ${String(N).padStart(6)}  p50 ${row.p50Ms.toFixed(3)} ms  p95 ${row.p95Ms.toFixed(3)} ms  p99 ${row.p99Ms.toFixed(3)} ms  max ${row.maxMs.toFixed(3)} ms\n`,
  );
  return row;
}

process.stdout.write(
  `context: ${context.text.length.toLocaleString('en')} chars (~${Math.ceil(context.text.length / 4).toLocaleString('en')} tokens), ${report.findings.length} findings; redacted, hashed and looked up on every call\n`,
);
process.stdout.write(
  'store                    hits  latency of a cache hit (redaction + SHA-256 + lookup + restore)\n',
);
const tmp = mkdtempSync(join(tmpdir(), 'bifrost-bench-explain-'));
const db = await openDuckDb(join(tmp, 'bifrost.duckdb'));
const rows = [
  await measure('DuckDB history (file)', duckDbHistoryStore(db)),
  await measure('memory', createMemoryHistoryStore()),
];
await db.close();
rmSync(tmp, { recursive: true, force: true });
const ok = rows[0]!.p95Ms < 5;
process.stdout.write(`target p95 < 5 ms on the DuckDB store: ${ok ? 'met' : 'MISSED'}\n`);
mkdirSync(resultsDir(), { recursive: true });
writeFileSync(
  join(resultsDir(), 'explain.json'),
  JSON.stringify(
    { contextChars: context.text.length, findings: report.findings.length, rows, targetMet: ok },
    null,
    2,
  ),
);
