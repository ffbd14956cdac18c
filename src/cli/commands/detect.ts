import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { expandInputs, createFileSource } from '../../adapters/sources/file-source.js';
import { DEFAULT_METRIC_DETECTOR_CONFIG } from '../../core/engine/metrics/detector-config.js';
import { SeriesDetection } from '../../core/use-cases/detect-series.js';
import type { ScoredRow, SeriesSummary } from '../../core/use-cases/detect-series.js';
import type { CliContext } from '../context.js';
import { csvRow, plural } from '../render/format.js';
import type { FileResult } from '../render/detect.js';
import { renderCsv, renderJson, renderText, scoreCell } from '../render/detect.js';
import { fileProgress } from '../render/progress.js';
import { DEFAULT_ENTITY_DETECTOR_CONFIG } from '../../core/engine/metrics/entity-detector.js';
import type { Baseline, EntitySummary } from '../../core/use-cases/detect-entity.js';
import type { EntityResult } from '../render/entity.js';
import { renderEntityCsv, renderEntityJson, renderEntityText } from '../render/entity.js';
import { detectEntityFile, parseBaseline } from './detect-entity-file.js';
import type { EntityFlags } from './detect-entity-file.js';
import { detectEntityFolder, folderTarget, seriesFiles } from './detect-entity-folder.js';
import { RowWriter, finishScoredFile } from './row-writer.js';

type DetectFormat = 'text' | 'json' | 'csv';

/** What a directory is searched for. */
const SERIES_FILE = /\.(csv|jsonl|ndjson)(\.gz)?$/i;

interface DetectFlags {
  out?: string;
  output: DetectFormat;
  top: number;
  threshold?: number;
  entity: boolean;
  baseline?: Baseline;
  progress: boolean;
  time?: string;
  value?: string;
}

/** `<out>/<path relative to the directory given>`, or `<out>/<file name>` for files given one by one. */
function outputPath(
  file: string,
  inputs: readonly string[],
  dirs: ReadonlySet<string>,
  out: string,
): string {
  const abs = resolve(file);
  let best = '';
  for (const i of inputs) {
    const d = resolve(i);
    if (dirs.has(i) && abs.startsWith(d + sep) && d.length > best.length) best = d;
  }
  const rel = file === '-' ? 'stdin.csv' : best === '' ? basename(file) : relative(best, abs);
  return join(out, rel.replace(/\.gz$/i, ''));
}

/** One scored series row as written with --out: CSV cells or a JSON line. */
function seriesRow(r: ScoredRow, jsonl: boolean): string {
  if (!jsonl) return csvRow([r.timestamp, r.value, scoreCell(r.score), r.reason]);
  const v = Number(r.value);
  return (
    JSON.stringify({
      timestamp: r.timestamp,
      value: r.value.trim() !== '' && Number.isFinite(v) ? v : r.value,
      anomaly_score: r.score === undefined ? null : Number(scoreCell(r.score)),
      reason: r.reason,
    }) + '\n'
  );
}

async function detectFile(
  file: string,
  flags: DetectFlags,
  ctx: CliContext,
  target: string | undefined,
  single: boolean,
): Promise<FileResult> {
  // one big file: a byte progress bar on a terminal (many files get a bar counting files)
  const progress = await fileProgress(ctx.terminal, [file], 'detecting', flags.progress && single);
  const source = createFileSource(file, {
    stdin: ctx.stdin,
    ...(progress.onProgress === undefined ? {} : { onProgress: progress.onProgress }),
  });
  const config = {
    ...DEFAULT_METRIC_DETECTOR_CONFIG,
    threshold: flags.threshold ?? DEFAULT_METRIC_DETECTOR_CONFIG.threshold,
  };
  let writer: RowWriter | undefined;
  let writeError: Error | undefined;
  const pending: ScoredRow[] = [];
  const detection = new SeriesDetection(
    (r) => {
      if (target !== undefined) pending.push(r);
    },
    config,
    {
      ...(flags.time === undefined ? {} : { time: flags.time }),
      ...(flags.value === undefined ? {} : { value: flags.value }),
    },
  );
  let lineNo = 0;
  const ensureWriter = async () => {
    if (writer !== undefined || target === undefined || detection.layoutKind === undefined) return;
    await mkdir(dirname(target), { recursive: true });
    const stream = createWriteStream(target);
    stream.on('error', (e) => {
      writeError = e;
    });
    const jsonl = detection.layoutKind === 'jsonl';
    writer = new RowWriter(stream, jsonl ? undefined : 'timestamp,value,anomaly_score,reason\n');
  };
  const outcome = await source.read({
    push(line, truncated) {
      detection.line(line, ++lineNo, truncated);
    },
    async flush() {
      if (target === undefined || pending.length === 0) return;
      await ensureWriter();
      if (writer === undefined) return;
      const jsonl = detection.layoutKind === 'jsonl';
      for (const r of pending) writer.line(seriesRow(r, jsonl));
      pending.length = 0;
      await writer.flush();
    },
  });
  progress.stop();
  const summary = detection.finish();
  if (target !== undefined && pending.length > 0) {
    await ensureWriter();
    for (const r of pending) writer?.line(seriesRow(r, detection.layoutKind === 'jsonl'));
  }
  return {
    file: source.name,
    ...summary,
    ...(await finishScoredFile(source.name, outcome, summary.fatal, writer, target, writeError)),
  };
}

export function detectCommand(ctx: CliContext): Command {
  const cmd = new Command('detect')
    .description(
      'Find anomalies in metric time series (CSV timestamp,value or JSON lines), each with a reason in words',
    )
    .argument(
      '<inputs...>',
      "CSV or JSON-lines files, directories (searched recursively for .csv, .jsonl, .ndjson, also .gz), globs, or '-' for stdin",
    )
    .option(
      '--out <dir>',
      'write each input scored, to <dir>/<same relative path>, with columns timestamp,value,anomaly_score,reason',
    )
    .addOption(
      new Option('-o, --output <format>', 'summary format')
        .choices(['text', 'json', 'csv'])
        .default('text'),
    )
    .option('--top <n>', 'anomalies shown per series in text', ctx.parseIntOption('--top', 1), 5)
    .option(
      '--threshold <score>',
      `score from which a point is an anomaly (default ${DEFAULT_METRIC_DETECTOR_CONFIG.threshold}, between 0 and 1; with --entity decades of surprise, default ${DEFAULT_ENTITY_DETECTOR_CONFIG.threshold})`,
      (v: string) => {
        const n = Number(v);
        if (!(n > 0 && Number.isFinite(n)))
          throw new InvalidArgumentError(`--threshold takes a positive number, got "${v}"`);
        return n;
      },
    )
    .option(
      '--entity',
      'each input is one entity (a machine, pod or VM): a wide CSV, one row per time and one column per metric, or a folder of one series file per metric; scored as a whole, each anomaly names the metrics behind it',
      false,
    )
    .option(
      '--baseline <rows|duration>',
      "with --entity: the first rows (1000) or time span (1d, 6h, 90m) are the entity's normal; its metrics are judged against that stretch (default: learned as the data goes)",
      (v: string) => {
        const b = parseBaseline(v);
        if (b === undefined)
          throw new InvalidArgumentError(
            `--baseline takes a number of rows (1000) or a duration (30s, 90m, 6h, 1d), got "${v}"`,
          );
        return b;
      },
    )
    .option(
      '--time <column>',
      'the time column (CSV) or field (JSON lines), when it is not named timestamp/time/ts/date',
    )
    .option(
      '--value <column>',
      'the value column or field, when it is not named value/val/y/metric (e.g. one of several metrics)',
    )
    .option('--no-progress', 'no progress bar (shown on a terminal for many inputs)');
  cmd.addHelpText(
    'after',
    `
Input: a header row naming the columns timestamp and value (also time/ts/date, val/y),
then one row per point; or JSON lines {"timestamp": "...", "value": 1.5}. Timestamps are
ISO date-times (no zone = UTC) or epoch seconds/ms. Rows must be in time order: rows out of
order, repeated times and values that are not finite numbers are skipped, reported by line,
and kept in the output with the reason.

Each point gets a score in [0, 1] from the points before it only (streaming: a score never
changes when more data arrives). Points scoring ≥ ${DEFAULT_METRIC_DETECTOR_CONFIG.threshold} are anomalies; close ones are grouped.

Examples:
  bifrost detect cpu.csv
  bifrost detect metrics/ --out scored/ --output json
  bifrost detect pod_metric.csv --time TimeStamp --value CpuUsageRate
  curl -s .../series.csv | bifrost detect -

Entities (--entity): one file per machine, pod or VM, with a header naming the metrics (and a
time column named as above; without one rows are numbered) or no header at all (metrics are
numbered). Every metric runs the detector above; each score is then read as its surprise among
the scores that metric gave before, so a metric that is often jumpy counts less than a calm one
that moves. A row's score is in decades: ${DEFAULT_ENTITY_DETECTOR_CONFIG.threshold} ≈ a row this unusual once in ${Math.round(10 ** DEFAULT_ENTITY_DETECTOR_CONFIG.threshold)} normal rows.
A folder whose files each hold one series (a time and one value column, or JSON lines: one
file per metric, named by the file) is one entity: its series are joined by time.
  bifrost detect --entity node-7.csv --baseline 1d
  bifrost detect --entity machines/ --out scored/ --output json
  bifrost detect --entity pod-7-metrics/        (cpu.csv, memory.csv, … one metric each)`,
  );
  cmd.action(async (inputs: string[], flags: DetectFlags) => {
    const t = ctx.terminal;
    if (!flags.entity && flags.threshold !== undefined && flags.threshold >= 1) {
      t.err(
        `${t.colors.red('error:')} --threshold takes a score between 0 and 1 for a series (got ${flags.threshold}); decades of surprise are for --entity`,
      );
      ctx.setExitCode(2);
      return;
    }
    if (!flags.entity && flags.baseline !== undefined) {
      t.err(`${t.colors.red('error:')} --baseline is for --entity (an entity's normal stretch)`);
      ctx.setExitCode(2);
      return;
    }
    const started = performance.now();
    const expanded = await expandInputs(inputs);
    for (const p of expanded.problems) t.err(`${t.colors.red('error:')} ${p.error.message}`);
    if (expanded.problems.length > 0) ctx.setExitCode(2);
    const dirs = new Set<string>();
    for (const i of inputs) {
      if (i === '-') continue;
      try {
        if ((await stat(i)).isDirectory()) dirs.add(i);
      } catch {
        // globs and missing inputs: already expanded or reported
      }
    }
    // from a directory only series files are read (READMEs, licences, label files beside them are not);
    // a file named on the command line is always read
    const underDir = (f: string) => [...dirs].some((d) => resolve(f).startsWith(resolve(d) + sep));
    const files = expanded.files.filter((f) => !underDir(f) || SERIES_FILE.test(f));
    // with those left out by name when the directories were walked (licences, documentation…)
    const ignored = expanded.files.length - files.length + expanded.skipped.length;
    if (files.length === 0 && ignored > 0) ctx.setExitCode(2);
    if (ignored > 0)
      t.err(
        `${plural(ignored, 'file')} in the directories given ${ignored === 1 ? 'is' : 'are'} not .csv, .jsonl or .ndjson (or their .gz) and ${ignored === 1 ? 'was' : 'were'} left out; name a file to read it anyway`,
      );
    const targets = new Map<string, string>();
    const results: FileResult[] = [];
    const entities: EntityResult[] = [];
    // an input left unread is reported in the mode's own answer
    const refuse = (file: string, error: string) => {
      if (flags.entity) entities.push({ file, error, ...EntityDetectionEmpty });
      else results.push({ file, error, ...SeriesDetectionEmpty });
    };
    const bar =
      flags.progress && t.stderrIsTTY && files.length > 1
        ? new cliProgress.SingleBar(
            {
              stream: t.stderr,
              format: 'detecting {bar} {value}/{total} series',
              hideCursor: true,
              clearOnComplete: true,
            },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
    bar?.start(files.length, 0);
    // --entity: a folder whose files are each one series (a metric) is one entity, joined by time
    const perFile = new Set(files);
    if (flags.entity)
      for (const d of dirs) {
        const inside = files.filter((f) => resolve(f).startsWith(resolve(d) + sep));
        const series = await seriesFiles(inside, flags);
        if (series === undefined) continue;
        for (const f of series) perFile.delete(f);
        const target = flags.out === undefined ? undefined : folderTarget(d, flags.out);
        entities.push(await detectEntityFolder(d, series, entityFlags(flags), target));
        bar?.increment(series.length);
      }
    for (const f of files) {
      if (!perFile.has(f)) continue;
      let target: string | undefined;
      if (flags.out !== undefined) {
        target = outputPath(f, inputs, dirs, flags.out);
        if (f !== '-' && resolve(target) === resolve(f)) {
          refuse(f, `${f}: --out would overwrite the input itself; choose another directory`);
          continue;
        }
        const other = targets.get(resolve(target));
        if (other !== undefined) {
          refuse(
            f,
            `${f}: its output ${target} would overwrite the one of ${other}; give the directory instead of the files`,
          );
          continue;
        }
        targets.set(resolve(target), f);
      }
      if (flags.entity)
        entities.push(
          await detectEntityFile(f, entityFlags(flags), ctx, target, files.length === 1),
        );
      else results.push(await detectFile(f, flags, ctx, target, files.length === 1));
      bar?.increment();
    }
    bar?.stop();
    for (const r of [...results, ...entities]) {
      if (r.error !== undefined) t.err(`${t.colors.red('error:')} ${r.error}`);
      for (const p of r.problems.slice(0, 5))
        t.err(`${t.colors.yellow('warning:')} ${p.file ?? r.file}:${p.line}: ${p.message}`);
      const more = r.problems.length - 5 + r.moreProblems;
      if (more > 0)
        t.err(
          `${t.colors.yellow('warning:')} ${r.file}: ${plural(more, 'more problem')} (--output json lists the first 100)`,
        );
    }
    if ([...results, ...entities].some((r) => r.error !== undefined)) ctx.setExitCode(2);
    const ms = performance.now() - started;
    if (flags.entity) {
      const threshold = flags.threshold ?? DEFAULT_ENTITY_DETECTOR_CONFIG.threshold;
      if (flags.output === 'json') await t.out(renderEntityJson(entities, threshold, ms));
      else if (flags.output === 'csv') await t.out(renderEntityCsv(entities));
      else await t.out(renderEntityText(entities, flags.top, t.colors, ms, threshold));
      return;
    }
    const threshold = flags.threshold ?? DEFAULT_METRIC_DETECTOR_CONFIG.threshold;
    if (flags.output === 'json') await t.out(renderJson(results, threshold, ms));
    else if (flags.output === 'csv') await t.out(renderCsv(results));
    else await t.out(renderText(results, flags.top, t.colors, ms));
  });
  return cmd;
}

function entityFlags(flags: DetectFlags): EntityFlags {
  return {
    threshold: flags.threshold ?? DEFAULT_ENTITY_DETECTOR_CONFIG.threshold,
    progress: flags.progress,
    ...(flags.baseline === undefined ? {} : { baseline: flags.baseline }),
    ...(flags.time === undefined ? {} : { time: flags.time }),
  };
}

const SeriesDetectionEmpty: SeriesSummary = {
  layout: undefined,
  points: 0,
  skipped: 0,
  problems: [],
  moreProblems: 0,
  anomalies: [],
  intervalMs: 0,
  first: undefined,
  last: undefined,
  fatal: undefined,
};

const EntityDetectionEmpty: EntitySummary = {
  metrics: [],
  timeColumn: undefined,
  rows: 0,
  skipped: 0,
  missing: 0,
  baselineRows: 0,
  notes: [],
  problems: [],
  moreProblems: 0,
  anomalies: [],
  first: undefined,
  last: undefined,
  fatal: undefined,
};
