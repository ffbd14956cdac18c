/**
 * Does the dashboard's incident timeline stay smooth with 10,000 events? A DuckDB store is
 * filled with incidents (two shapes: 200 incidents of 50 events, and one incident of 10,000
 * events beside 49 small ones), `bifrost serve` serves it, and Debian's Chromium (driven by
 * playwright-core) opens #/timeline. Measured in the page: the time until the timeline is on
 * screen, then, for 200 zoom and pan key presses sent to the canvas, the time from the key to
 * the second animation frame after it (the frame that shows the new drawing; two idle frames
 * are the floor, measured first), and long tasks (> 50 ms).
 * Run: npm run bench:web   (writes bench/results/web-timeline.json; needs /usr/bin/chromium)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createStores } from '../../src/adapters/wiring.js';
import type { Incident, IncidentEvent } from '../../src/core/domain/incident.js';
import { projectRoot, resultsDir } from '../paths.js';

const CHROMIUM = process.env.BIFROST_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  process.stderr.write(
    `bench:web needs Chromium at ${CHROMIUM} (apt-get install -y chromium, or set BIFROST_CHROMIUM)\n`,
  );
  process.exit(2);
}
const KINDS: IncidentEvent['kind'][] = ['symptom', 'symptom', 'symptom', 'change', 'symptom'];
const T0 = Date.UTC(2026, 10, 16);

function incident(k: number, events: number, startMs: number): Incident {
  const spanMs = 20 * 60_000 + (k % 7) * 10 * 60_000;
  const timeline: IncidentEvent[] = [
    {
      timeMs: startMs,
      kind: 'first-symptom',
      text: `svc-${k % 40}: first symptom`,
      service: `svc-${k % 40}`,
    },
    { timeMs: startMs + 60_000, kind: 'detected', text: 'incident opened' },
  ];
  for (let i = 2; i < events - 1; i++)
    timeline.push({
      timeMs: startMs + Math.round((i / events) * spanMs),
      kind: KINDS[i % KINDS.length]!,
      text: `svc-${(k + i) % 40}: finding ${i}`,
      service: `svc-${(k + i) % 40}`,
    });
  timeline.push({ timeMs: startMs + spanMs, kind: 'resolved', text: 'quiet for 5 min' });
  return {
    id: `inc_bench_${k}`,
    status: 'resolved',
    title: `svc-${k % 40}: bench incident ${k}`,
    firstSymptomMs: startMs,
    detectedMs: startMs + 60_000,
    lastSymptomMs: startMs + spanMs - 60_000,
    resolvedMs: startMs + spanMs,
    resolvedBy: 'detector',
    peakScore: 0.8,
    services: [`svc-${k % 40}`],
    causes: [{ service: `svc-${k % 40}`, score: 0.8, reasons: ['bench'] }],
    timeline,
  };
}

async function fill(dataFile: string, shape: 'spread' | 'dense'): Promise<number> {
  const { telemetry, history } = await createStores({ dataFile });
  let events = 0;
  const all =
    shape === 'spread'
      ? Array.from({ length: 200 }, (_, k) => incident(k, 50, T0 + k * 50 * 60_000))
      : [
          incident(0, 10_000, T0),
          ...Array.from({ length: 49 }, (_, k) =>
            incident(k + 1, 10, T0 + (k + 1) * 3 * 3_600_000),
          ),
        ];
  for (const i of all) {
    await history.putIncident('default', i);
    events += i.timeline.length;
  }
  await telemetry.close();
  return events;
}

function serve(dataFile: string): Promise<{ url: string; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(projectRoot(), 'bin', 'bifrost.js'),
        'serve',
        '--port',
        '0',
        '--log-level',
        'warn',
        '--data',
        dataFile,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m !== null && /\nstore: /.test(err))
        resolve({ url: m[1]!, stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => {
      reject(new Error(`serve exited ${String(code)}: ${err}`));
    });
  });
}

const pct = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

const results: Record<string, unknown>[] = [];
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
for (const shape of ['spread', 'dense'] as const) {
  const dir = mkdtempSync(join(tmpdir(), 'bifrost-bench-web-'));
  mkdirSync(dir, { recursive: true });
  const dataFile = join(dir, 'bifrost.duckdb');
  const events = await fill(dataFile, shape);
  const server = await serve(dir);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const t0 = Date.now();
    await page.goto(`${server.url}/#/timeline`);
    await page.locator('canvas.timeline-canvas').waitFor();
    await page.waitForFunction(
      `document.querySelector('#tl-h')?.textContent?.includes('${events.toLocaleString('en')} events') ?? false`,
    );
    const onScreenMs = Date.now() - t0;
    // in the page (a string: this program is type-checked without the DOM's types)
    const m = await page.evaluate<{
      times: number[];
      longTasks: number[];
      idle: number[];
    }>(`(async () => {
      const canvas = document.querySelector('canvas.timeline-canvas');
      const longTasks = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) longTasks.push(e.duration); }).observe({ type: 'longtask' });
      const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const keys = ['+', '+', '+', 'ArrowLeft', 'ArrowRight', 'ArrowRight', '-', 'ArrowLeft', '-', '-'];
      const times = [];
      const idle = [];
      for (let i = 0; i < 30; i++) { const t = performance.now(); await frame(); idle.push(performance.now() - t); }
      for (let i = 0; i < 200; i++) {
        const t = performance.now();
        canvas.dispatchEvent(new KeyboardEvent('keydown', { key: keys[i % keys.length], bubbles: true }));
        await frame();
        times.push(performance.now() - t);
      }
      return { times, longTasks, idle };
    })()`);
    const r = {
      shape,
      incidents: shape === 'spread' ? 200 : 50,
      events,
      onScreenMs,
      interactions: m.times.length,
      idleTwoFramesMs: +pct(m.idle, 0.5).toFixed(1),
      p50Ms: +pct(m.times, 0.5).toFixed(1),
      p95Ms: +pct(m.times, 0.95).toFixed(1),
      maxMs: +Math.max(...m.times).toFixed(1),
      longTasks: m.longTasks.length,
      longestTaskMs: m.longTasks.length === 0 ? 0 : Math.max(...m.longTasks),
    };
    results.push(r);
    process.stdout.write(
      `${shape.padEnd(6)} ${String(r.incidents).padStart(3)} incidents, ${events.toLocaleString('en')} events: on screen in ${onScreenMs} ms; key → new frame p50 ${r.p50Ms} ms (two idle frames: ${r.idleTwoFramesMs} ms), p95 ${r.p95Ms} ms, max ${r.maxMs} ms; long tasks (>50 ms) ${r.longTasks}\n`,
    );
    await page.close();
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
await browser.close();
mkdirSync(resultsDir(), { recursive: true });
writeFileSync(
  join(resultsDir(), 'web-timeline.json'),
  `${JSON.stringify({ when: new Date().toISOString(), browser: 'Debian Chromium, headless, software rendering (--disable-gpu)', viewport: '1280x900', results }, null, 2)}\n`,
);
