/** What the Nezha benchmarks share: the data, the real CLI, an imported store, the fault-free baseline. */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { projectRoot, sharedData } from './paths.js';

/**
 * The Nezha folder: ../shared/data/nezha-trainticket, or another in the same layout given by
 * `--nezha <dir>` (another day of the benchmark, its Online Boutique half, a part kept aside).
 */
export const nezhaData = nezhaFolder();

/** ../shared/data/nezha-trainticket: the folder when --nezha is not given, and the one a store without a note was imported from. */
function defaultNezhaFolder(): string {
  return join(sharedData(), 'nezha-trainticket');
}

function nezhaFolder(): string {
  const i = process.argv.indexOf('--nezha');
  if (i < 0) return defaultNezhaFolder();
  const dir = process.argv[i + 1];
  if (
    dir === undefined ||
    !existsSync(join(dir, 'fault_list.json')) ||
    !statSync(dir).isDirectory()
  ) {
    process.stderr.write(
      `--nezha ${dir ?? ''}: expected a folder in the Nezha layout, with fault_list.json, log/, trace/, metric/ and baseline/\n`,
    );
    process.exit(2);
  }
  return dir;
}

/** Runs the real CLI (bin/bifrost.js) and returns its standard output. */
export function bifrost(args: string[]): string {
  return execFileSync(process.execPath, [join(projectRoot(), 'bin', 'bifrost.js'), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * The store with the Nezha data imported by `bifrost import --format nezha`: `keep` when given
 * (imported there once), else a fresh temporary one (the caller removes it).
 */
export function nezhaStore(keep: string | undefined): {
  store: string;
  temporary: boolean;
  importSeconds?: number;
} {
  const store = keep ?? mkdtempSync(join(tmpdir(), 'bifrost-rca-'));
  const { importSeconds } = importedStore(nezhaData, store, {
    flag: '--store',
    out: process.stdout,
  });
  return {
    store,
    temporary: keep === undefined,
    ...(importSeconds === undefined ? {} : { importSeconds }),
  };
}

/** The time span of the baseline/ logs and traces (the fault-free period); empty (from Infinity) when the folder has none. */
export function baselineRange(folder: string = nezhaData): { fromMs: number; toMs: number } {
  let fromMs = Infinity;
  let toMs = -Infinity;
  for (const kind of ['log', 'trace']) {
    const dir = join(folder, 'baseline', kind);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (!/\.csv(\.gz)?$/.test(name)) continue;
      const raw = readFileSync(join(dir, name));
      const lines = (name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8').split('\n');
      const header = lines[0]!.split(',');
      const col = header.indexOf(kind === 'log' ? 'TimeUnixNano' : 'StartTimeUnixNano');
      for (const line of lines.slice(1)) {
        const ns = /^\d{19}$/.exec(line.split(',')[col]?.trim() ?? '')?.[0];
        if (ns === undefined) continue;
        const ms = Number(ns.slice(0, 13));
        fromMs = Math.min(fromMs, ms);
        toMs = Math.max(toMs, ms);
      }
    }
  }
  return { fromMs, toMs };
}

/**
 * `store` with `folder` imported by `bifrost import --format nezha` (imported once: a kept store
 * remembers the folder it was imported from, and one that holds another folder is refused,
 * naming `flag`, the option that gave it). The import's summary goes to `out`.
 */
export function importedStore(
  folder: string,
  store: string,
  { flag = '--stores', out = process.stderr }: { flag?: string; out?: NodeJS.WritableStream } = {},
): { store: string; importSeconds?: number } {
  const source = join(store, 'nezha-source.txt');
  if (existsSync(join(store, 'bifrost.duckdb'))) {
    const was = existsSync(source) ? readFileSync(source, 'utf8').trim() : defaultNezhaFolder();
    if (resolve(was) !== resolve(folder)) {
      process.stderr.write(
        `${flag} ${store} holds ${was}, not ${resolve(folder)}: give another ${flag} (or remove that one)\n`,
      );
      process.exit(2);
    }
    return { store };
  }
  const t0 = performance.now();
  mkdirSync(store, { recursive: true });
  process.stderr.write(`importing ${folder} into ${store} …\n`);
  out.write(bifrost(['import', '--format', 'nezha', folder, '--data', store]));
  writeFileSync(source, `${resolve(folder)}\n`);
  return { store, importSeconds: (performance.now() - t0) / 1000 };
}
