/**
 * Redaction on the labelled corpus (test/fixtures/redaction/corpus.jsonl): recall (labelled
 * secrets wholly redacted) and precision (redacted spans that are labelled secrets), overall and
 * per placeholder kind, with every miss and false positive listed, and the speed on Loghub
 * lines (the text a model sees is made of such lines).
 * Run: npm run bench:redact   (writes bench/results/redaction.json)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redactor } from '../../src/core/engine/redaction/redactor.js';
import { resultsDir, sharedData } from '../paths.js';
import { CORPUS_PATTERNS, loadCorpus, scoreRedaction } from './score.js';

const corpus = loadCorpus();
const make = () => new Redactor({ ips: true, emails: true, patterns: CORPUS_PATTERNS });
const s = scoreRedaction(corpus, make);
const negatives = corpus.filter((e) => e.secrets.length === 0).length;
const byKind = new Map<string, { spans: number; correct: number }>();
for (const e of corpus) {
  const spans = make().find(e.text);
  for (const g of spans) {
    const k = byKind.get(g.label) ?? { spans: 0, correct: 0 };
    k.spans++;
    if (e.secrets.some((x) => e.text.indexOf(x) < g.end && e.text.indexOf(x) + x.length > g.start))
      k.correct++;
    byKind.set(g.label, k);
  }
}
const pct = (x: number) => (x * 100).toFixed(1);
process.stdout.write(
  `corpus: ${corpus.length} texts (${corpus.length - negatives} with secrets, ${negatives} without), ${s.secrets} labelled secrets\n`,
);
process.stdout.write(
  `recall ${pct(s.recall)} %  (${s.found}/${s.secrets})   precision ${pct(s.precision)} %  (${s.correct}/${s.spans})\n\n`,
);
process.stdout.write('kind             spans  correct\n');
for (const [k, v] of [...byKind].sort())
  process.stdout.write(
    `${k.padEnd(16)} ${String(v.spans).padStart(5)}  ${String(v.correct).padStart(7)}\n`,
  );
for (const m of s.misses) process.stdout.write(`MISS ${m.secret}  in: ${m.text.slice(0, 100)}\n`);
for (const f of s.falsePositives)
  process.stdout.write(`FALSE POSITIVE ${f.redacted}  in: ${f.text.slice(0, 100)}\n`);

// speed: lines of a real log (what a prompt is made of)
let throughput: { lines: number; linesPerSecond: number; redacted: number } | undefined;
try {
  const lines = readFileSync(
    join(sharedData(), 'loghub-2k', 'OpenSSH', 'OpenSSH_2k.log'),
    'utf8',
  ).split('\n');
  const r = make();
  const t0 = performance.now();
  let n = 0;
  let redacted = 0;
  for (let rep = 0; rep < 20; rep++)
    for (const l of lines) {
      if (r.redact(l) !== l) redacted++;
      n++;
    }
  const secs = (performance.now() - t0) / 1000;
  throughput = { lines: n, linesPerSecond: Math.round(n / secs), redacted: redacted / 20 };
  process.stdout.write(
    `\nspeed: ${throughput.linesPerSecond.toLocaleString('en')} lines/s on OpenSSH_2k (${throughput.redacted} of ${lines.length} lines hold an IP or secret)\n`,
  );
} catch (e) {
  process.stdout.write(`\nspeed: skipped (${(e as Error).message})\n`);
}
mkdirSync(resultsDir(), { recursive: true });
writeFileSync(
  join(resultsDir(), 'redaction.json'),
  JSON.stringify(
    { texts: corpus.length, negatives, ...s, byKind: Object.fromEntries(byKind), throughput },
    null,
    2,
  ),
);
