import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import cliProgress from 'cli-progress';
import type { LogReport } from '../../core/domain/log-report.js';
import { AppError } from '../../core/errors.js';
import { compileHeaderLayout } from '../../core/engine/logs/header-layout.js';
import { dateReferenceAt } from '../../core/engine/logs/timestamp.js';
import { mergeReports } from '../../core/engine/logs/merge-reports.js';
import { LOG_ENGINE_VERSION } from '../../core/engine/logs/version.js';
import { logStreams } from '../../core/domain/log-streams.js';
import { readSources, withIncidents } from '../../core/use-cases/analyze-logs.js';
import {
  contentKey,
  createResultCache,
  readLastRun,
  writeLastRun,
} from '../../adapters/cache/result-cache.js';
import type { ResultCache } from '../../adapters/cache/result-cache.js';
import { expandInputs, createFileSource } from '../../adapters/sources/file-source.js';
import { analyzeFiles } from '../../adapters/workers/analyze-file.js';
import type { AnalyzeFileOptions, AnalyzeFileResult } from '../../adapters/workers/analyze-file.js';
import { createAnalyzePool } from '../../adapters/workers/analyze-pool.js';
import { fileProgress } from '../render/progress.js';
import type { Terminal } from '../render/terminal.js';

export interface AnalysisRequest {
  inputs: string[];
  header: string | undefined;
  multiline: boolean;
  maxLineLength: number;
  maxTemplates: number;
  cache: boolean;
  cacheDir: string;
  retryFailed: boolean;
  jobs: number | undefined;
  progress: boolean;
  /** Glob patterns of files to leave out (--exclude). */
  exclude: readonly string[];
  /** Only records from `sinceMs` to `untilMs` (--since, --until). */
  sinceMs?: number | undefined;
  untilMs?: number | undefined;
}

export interface AnalysisDeps {
  terminal: Terminal;
  stdin: Readable & { isTTY?: boolean };
  now: () => Date;
}

export interface AnalysisOutcome {
  report: LogReport;
  /** Inputs that could not be read at all, or only in part (truncated .gz). */
  inputErrors: AppError[];
  /** Inputs skipped for a reason that is not an error (binary files). */
  skipped: number;
  cachedHits: number;
}

const SKIP_CODES = new Set(['INPUT.BINARY']);

/**
 * Runs the analysis the way `analyze` and `templates` share: inputs expanded (files,
 * directories, globs, stdin), grouped into the logs of their services (logStreams: rotated
 * copies and replicas are one log), one log in-process, many in worker threads with a progress
 * bar, results cached per log (its files' names and content), failures recorded for `--retry-failed`.
 */
export async function runAnalysis(
  req: AnalysisRequest,
  deps: AnalysisDeps,
): Promise<AnalysisOutcome> {
  const t = deps.terminal;
  // validate the layout once, before any work
  if (req.header !== undefined) compileHeaderLayout(req.header);
  let inputs = req.inputs;
  if (req.retryFailed) {
    const last = await readLastRun(req.cacheDir);
    if (last === undefined || last.failed.length === 0) {
      throw new AppError(
        'INPUT.BAD_OPTION',
        `--retry-failed: the last run (${last === undefined ? 'none recorded' : last.at}) had no failed inputs; nothing to retry`,
      );
    }
    inputs = last.failed;
    t.err(
      `Retrying ${last.failed.length} input${last.failed.length === 1 ? '' : 's'} that failed in the run of ${last.at}.`,
    );
  }
  if (inputs.length === 0) {
    if (deps.stdin.isTTY === true) {
      throw new AppError(
        'INPUT.BAD_OPTION',
        'no input: give files, directories or globs, or pipe logs in (kubectl logs deploy/api | bifrost analyze)',
      );
    }
    inputs = ['-'];
  }
  const {
    files,
    problems,
    skipped: notLogs,
  } = await expandInputs(inputs, {
    exclude: req.exclude,
  });
  const inputErrors: AppError[] = problems.map((p) => p.error);
  for (const e of inputErrors) t.err(`${t.colors.yellow('warning:')} ${e.message}`);
  for (const s of notLogs)
    t.err(
      s.by === 'exclude'
        ? `${t.colors.dim('skipped:')} ${s.path}: ${s.reason}`
        : `${t.colors.dim('skipped:')} ${s.path}: not a log (${s.reason}, by its name; name it on its own to read it)`,
    );
  const options: AnalyzeFileOptions = {
    dateReference: dateReferenceAt(deps.now().getTime()),
    layout: req.header,
    multiline: req.multiline,
    maxLineLength: req.maxLineLength,
    maxTemplates: req.maxTemplates,
    sinceMs: req.sinceMs,
    untilMs: req.untilMs,
  };
  const cache = req.cache ? createResultCache({ dir: req.cacheDir }) : undefined;
  // everything that changes the result is in the key: engine version and every option (the year dates syslog/klog lines)
  const salt = JSON.stringify({ v: LOG_ENGINE_VERSION, ...options });
  const reports: LogReport[] = [];
  const failed: string[] = [];
  let skipped = notLogs.length;
  let cachedHits = 0;

  const record = (paths: readonly string[], r: AnalyzeFileResult) => {
    if (r.status === 'ok') {
      reports.push(r.report);
      for (const s of r.report.summary.sources) {
        if (s.problem === undefined) continue;
        if (SKIP_CODES.has(s.problem.code)) {
          skipped++;
          t.err(`${t.colors.dim('skipped:')} ${s.problem.message}`);
        } else {
          inputErrors.push(
            new AppError(s.problem.code as AppError['code'], s.problem.message, { source: s.name }),
          );
          failed.push(s.name);
          t.err(`${t.colors.yellow('warning:')} ${s.problem.message}`);
        }
      }
    } else {
      inputErrors.push(
        new AppError(r.code as AppError['code'], r.message, { source: paths.join(', ') }),
      );
      failed.push(...paths);
      t.err(`${t.colors.red('error:')} ${r.message}`);
    }
  };

  const stdinFiles = files.filter((f) => f === '-');
  const diskFiles = files.filter((f) => f !== '-');
  if (stdinFiles.length > 0) {
    // stdin is read once, in-process, and not cached (it cannot be hashed before it is read)
    const report = await readSources(
      [createFileSource('-', { stdin: deps.stdin, maxLineLength: req.maxLineLength })],
      {
        ...options,
        layout: req.header === undefined ? undefined : compileHeaderLayout(req.header),
      },
    );
    record(['-'], { status: 'ok', report });
  }
  // a service's files (rotated copies, replicas) are one log, read in one task
  const streams = logStreams(diskFiles);
  if (streams.length === 1) {
    const paths = streams[0]!.names;
    // one log: a byte progress bar on a terminal when it is big (compressed bytes for .gz)
    const progress = await fileProgress(t, paths, 'analysing', req.progress);
    const onProgress = progress.onProgress;
    try {
      const r = await cached(cache, paths, salt, () =>
        analyzeFiles({ paths, options }, onProgress),
      );
      if (r.hit) cachedHits++;
      record(paths, r.result);
    } finally {
      progress.stop();
    }
  } else if (streams.length > 1) {
    const bar =
      req.progress && t.stderrIsTTY
        ? new cliProgress.SingleBar(
            {
              stream: t.stderr,
              format: 'analysing {bar} {value}/{total} files | {file}',
              hideCursor: true,
              clearOnComplete: true,
            },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
    bar?.start(diskFiles.length, 0, { file: '' });
    const pool = createAnalyzePool(req.jobs === undefined ? {} : { maxThreads: req.jobs });
    try {
      const results = await Promise.all(
        streams.map(async ({ names }) => {
          const r = await cached(cache, names, salt, () => pool.run(names, options));
          bar?.increment(names.length, { file: names.at(-1)! });
          return { names, r };
        }),
      );
      for (const { names, r } of results) {
        if (r.hit) cachedHits++;
        record(names, r.result);
      }
    } finally {
      bar?.stop();
      await pool.close();
    }
  }
  if (diskFiles.length > 0) {
    try {
      await writeLastRun(req.cacheDir, {
        at: deps.now().toISOString(),
        cwd: process.cwd(),
        failed: [...new Set(failed)].map((f) => resolve(f)),
      });
    } catch {
      // the record of failures is a convenience; analysis results do not depend on it
    }
  }
  const report = withIncidents(reports.length === 0 ? emptyReport() : mergeReports(reports));
  for (const e of inputErrors) {
    if (!report.summary.sources.some((s) => s.problem?.message === e.message)) {
      const where = e.details.input ?? e.details.source;
      report.summary.sources.push({
        name: typeof where === 'string' ? where : '?',
        format: 'none',
        lines: 0,
        records: 0,
        truncatedLines: 0,
        problem: { code: e.code, message: e.message },
      });
    }
  }
  const outside = report.summary.sources.reduce((n, s) => n + (s.outsideRange ?? 0), 0);
  if (outside > 0)
    t.err(
      `${t.colors.dim('note:')} ${outside.toLocaleString('en-US')} record${outside === 1 ? '' : 's'} outside ${rangeWords(req)} left out`,
    );
  return { report, inputErrors, skipped, cachedHits };
}

async function cached(
  cache: ResultCache | undefined,
  paths: readonly string[],
  salt: string,
  run: () => Promise<AnalyzeFileResult>,
): Promise<{ hit: boolean; result: AnalyzeFileResult }> {
  if (cache === undefined) return { hit: false, result: await run() };
  let key: string | undefined;
  try {
    key = await contentKey(paths, salt);
  } catch {
    // unreadable: the analysis reports why
  }
  if (key !== undefined) {
    const hit = await cache.get<AnalyzeFileResult>(key);
    if (hit !== undefined) return { hit: true, result: hit };
  }
  const result = await run();
  if (
    key !== undefined &&
    result.status === 'ok' &&
    !result.report.summary.sources.some((s) => s.problem !== undefined)
  ) {
    try {
      await cache.set(key, result);
    } catch {
      // a read-only cache directory only costs speed
    }
  }
  return { hit: false, result };
}

function emptyReport(): LogReport {
  return mergeReports([]);
}

/** "--since 2026-01-01T10:00:00.000Z and --until …" for the note on records left out. */
function rangeWords(req: AnalysisRequest): string {
  return [
    req.sinceMs === undefined ? undefined : `--since ${new Date(req.sinceMs).toISOString()}`,
    req.untilMs === undefined ? undefined : `--until ${new Date(req.untilMs).toISOString()}`,
  ]
    .filter((w): w is string => w !== undefined)
    .join(' and ');
}
