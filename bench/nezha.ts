/** What the Nezha TrainTicket benchmarks share: the data, the real CLI, an imported store, the fault-free baseline. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { projectRoot, sharedData } from './paths.js';

export const nezhaData = join(sharedData(), 'nezha-trainticket');

/** Runs the real CLI (bin/bifrost.js) and returns its standard output. */
export function bifrost(args: string[]): string {
  return execFileSync(process.execPath, [join(projectRoot(), 'bin', 'bifrost.js'), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * The store with the Nezha data imported by `bifrost import --format nezha`: `keep` when given
 * (imported there once), else a fresh temporary one (the caller removes it).
 */
export function nezhaStore(keep: string | undefined): { store: string; temporary: boolean; importSeconds?: number } {
  const store = keep ?? mkdtempSync(join(tmpdir(), 'bifrost-rca-'));
  if (keep !== undefined && existsSync(join(store, 'bifrost.duckdb'))) return { store, temporary: false };
  const t0 = performance.now();
  process.stderr.write(`importing ${nezhaData} into ${store} …\n`);
  process.stdout.write(bifrost(['import', '--format', 'nezha', nezhaData, '--data', store]));
  return { store, temporary: keep === undefined, importSeconds: (performance.now() - t0) / 1000 };
}

/** The time span of the baseline/ logs and traces (the fault-free period). */
export function baselineRange(): { fromMs: number; toMs: number } {
  let fromMs = Infinity;
  let toMs = -Infinity;
  for (const kind of ['log', 'trace']) {
    const dir = join(nezhaData, 'baseline', kind);
    for (const name of readdirSync(dir)) {
      const lines = gunzipSync(readFileSync(join(dir, name))).toString('utf8').split('\n');
      const header = lines[0]!.split(',');
      const col = header.indexOf(kind === 'log' ? 'TimeUnixNano' : 'StartTimeUnixNano');
      for (const line of lines.slice(1)) {
        const ns = /^\d{19}$/.exec(line.split(',')[col] ?? '')?.[0];
        if (ns === undefined) continue;
        const ms = Number(ns.slice(0, 13));
        fromMs = Math.min(fromMs, ms);
        toMs = Math.max(toMs, ms);
      }
    }
  }
  return { fromMs, toMs };
}
