/**
 * Log engine throughput on one core: lines built from the Loghub-2k samples (all seven
 * systems, raw lines with their headers, repeated to N lines), measured
 * - in-process: format detection + parsing + streaming template mining (learn), and the full
 *   two-pass `parse` (learn, then match every line to its final template);
 * - through the real CLI: `bifrost parse big.log --format jsonl > /dev/null`, and
 *   `bifrost parse --stream` (one pass) and `bifrost analyze big.log`, wall time and peak RSS
 *   (VmHWM sampled from /proc).
 * Run: npm run bench:parse-throughput [-- --lines 10000000]   (writes bench/results/parse-throughput.json)
 */
import { spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineTemplater } from '../src/core/engine/logs/line-templater.js';
import { DETECT_SAMPLE_LINES } from '../src/core/engine/logs/formats/detect-format.js';
import { LOGHUB_DIR } from './loghub.js';
import { projectRoot, resultsDir } from './paths.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function sampleLines(): string[] {
  const settings = JSON.parse(readFileSync(join(LOGHUB_DIR, 'settings.json'), 'utf8')) as Record<
    string,
    { log_file: string }
  >;
  const lines: string[] = [];
  for (const s of Object.values(settings)) {
    for (const l of readFileSync(join(LOGHUB_DIR, s.log_file), 'utf8').split('\n'))
      if (l !== '') lines.push(l.replace(/\r$/, ''));
  }
  return lines;
}

/** Interleaves the systems in blocks so the file looks like many services writing to one place. */
async function buildFile(path: string, n: number, base: string[]): Promise<void> {
  // the line count is in the file name; a complete earlier build is reused
  if (existsSync(path) && existsSync(path + '.done')) return;
  const out = createWriteStream(path);
  let written = 0;
  let chunk = '';
  while (written < n) {
    for (let i = 0; i < base.length && written < n; i++, written++) {
      chunk += base[i]! + '\n';
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  writeFileSync(path + '.done', '');
}

function inProcess(lines: string[]): {
  learnLinesPerSec: number;
  twoPassLinesPerSec: number;
  templates: number;
} {
  const t = new LineTemplater({ dateReference: 2026 });
  t.detect(lines.slice(0, DETECT_SAMPLE_LINES));
  const t0 = performance.now();
  for (const l of lines) t.learn(l);
  const t1 = performance.now();
  t.finish();
  for (const l of lines) t.match(l);
  const t2 = performance.now();
  return {
    learnLinesPerSec: lines.length / ((t1 - t0) / 1000),
    twoPassLinesPerSec: lines.length / ((t2 - t0) / 1000),
    templates: t.templateCount,
  };
}

/** Runs the CLI, sampling the child's peak RSS (VmHWM) from /proc while it runs. */
async function cli(
  args: string[],
): Promise<{ seconds: number; peakRssMb: number; code: number | null }> {
  const bin = join(projectRoot(), 'bin', 'bifrost.js');
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, XDG_CACHE_HOME: join(tmpdir(), 'bifrost-bench-cache') },
  });
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m !== null) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      // the process has ended
    }
  }, 25);
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  clearInterval(timer);
  if (code !== 0) console.error(stderr);
  return { seconds: (performance.now() - t0) / 1000, peakRssMb: Math.round(peak), code };
}

async function main(): Promise<void> {
  const n = arg('--lines', 1_000_000);
  const base = sampleLines();
  const dir = join(tmpdir(), 'bifrost-bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `loghub-mixed-${n}.log`);
  await buildFile(file, n, base);
  const rows: Record<string, unknown> = { lines: n, file, bytes: statSync(file).size };
  if (n <= 2_000_000) {
    const lines: string[] = [];
    while (lines.length < n)
      for (let i = 0; i < base.length && lines.length < n; i++) lines.push(base[i]!);
    // warm-up on a slice, then measure
    inProcess(lines.slice(0, 100_000));
    Object.assign(rows, inProcess(lines));
  }
  const parse = await cli(['parse', file, '--format', 'jsonl']);
  const stream = await cli(['parse', file, '--format', 'jsonl', '--stream']);
  const analyze = await cli(['analyze', file, '--no-cache', '--output', 'json']);
  Object.assign(rows, {
    cliParse: { ...parse, linesPerSec: n / parse.seconds },
    cliParseStream: { ...stream, linesPerSec: n / stream.seconds },
    cliAnalyze: { ...analyze, linesPerSec: n / analyze.seconds },
  });
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(
    `lines: ${fmt(n)} (${(statSync(file).size / 1e6).toFixed(0)} MB, 7 Loghub systems interleaved)`,
  );
  if (rows.learnLinesPerSec !== undefined) {
    console.log(
      `in-process, detect+parse+mine (one pass): ${fmt(rows.learnLinesPerSec as number)} lines/s`,
    );
    console.log(
      `in-process, two-pass parse (learn + match): ${fmt(rows.twoPassLinesPerSec as number)} lines/s`,
    );
  }
  console.log(
    `CLI  bifrost parse --format jsonl > /dev/null: ${fmt(n / parse.seconds)} lines/s, ${parse.seconds.toFixed(1)} s, peak RSS ${parse.peakRssMb} MB`,
  );
  console.log(
    `CLI  bifrost parse --stream > /dev/null:       ${fmt(n / stream.seconds)} lines/s, ${stream.seconds.toFixed(1)} s, peak RSS ${stream.peakRssMb} MB`,
  );
  console.log(
    `CLI  bifrost analyze --output json:            ${fmt(n / analyze.seconds)} lines/s, ${analyze.seconds.toFixed(1)} s, peak RSS ${analyze.peakRssMb} MB`,
  );
  mkdirSync(resultsDir(), { recursive: true });
  writeFileSync(join(resultsDir(), `parse-throughput-${n}.json`), JSON.stringify(rows, null, 2));
}

await main();
