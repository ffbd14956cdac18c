import { Option } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_MAX_LINE_LENGTH } from '../../adapters/sources/line-reader.js';
import { parseDuration, parseInstant } from '../../core/domain/time-text.js';
import { AppError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import type { AnalysisRequest } from './run-analysis.js';

export interface AnalysisFlags {
  header?: string;
  multiline: boolean;
  maxLineLength: number;
  maxTemplates: number;
  cache: boolean;
  cacheDir?: string;
  retryFailed?: boolean;
  jobs?: number;
  progress: boolean;
  exclude?: string[];
  since?: string;
  until?: string;
}

/** Options `analyze` and `templates` share. */
export function addAnalysisOptions(cmd: Command, ctx: CliContext): void {
  cmd
    .option(
      '--header <layout>',
      "state the line layout in Loghub notation, e.g. '<Date> <Time> <Level> <Component>: <Content>' (detected when omitted)",
    )
    .option('--no-multiline', 'do not join stack traces and continuation lines')
    .option(
      '--max-line-length <chars>',
      'longer lines are truncated (and counted)',
      ctx.parseIntOption('--max-line-length', 16),
      DEFAULT_MAX_LINE_LENGTH,
    )
    .option(
      '--max-templates <n>',
      'template table bound; least recently used templates are evicted (and counted)',
      ctx.parseIntOption('--max-templates', 100),
      50_000,
    )
    .option('--no-cache', 'do not read or write the result cache')
    .addOption(
      new Option('--cache-dir <dir>', 'result cache directory')
        .env('BIFROST_CACHE_DIR')
        .default(undefined, '$XDG_CACHE_HOME/bifrost'),
    )
    .option('--retry-failed', 're-run only the inputs that failed in the previous run')
    .option(
      '-j, --jobs <n>',
      'worker threads for many inputs (default: CPU count)',
      ctx.parseIntOption('--jobs', 1),
    )
    .option('--no-progress', 'no progress bar (shown on a terminal for many inputs)')
    .option(
      '--since <time>',
      "only records from this time on: an ISO time ('2026-01-01T10:00Z'; UTC when it names no zone) or a span back from now ('30m', '2h', '1d')",
    )
    .option('--until <time>', 'only records before this time (as --since)')
    .option(
      '--exclude <pattern...>',
      "leave out files matching a glob: by name without a slash ('*.gz', 'debug.*'), else by path ('logs/old/**'); each is listed as skipped",
    );
}

export function toAnalysisRequest(
  inputs: string[],
  flags: AnalysisFlags,
  ctx: CliContext,
): AnalysisRequest {
  const nowMs = ctx.now().getTime();
  const sinceMs = timeOption('--since', flags.since, nowMs);
  const untilMs = timeOption('--until', flags.until, nowMs);
  if (sinceMs !== undefined && untilMs !== undefined && sinceMs >= untilMs)
    throw new AppError(
      'INPUT.BAD_OPTION',
      `--since ${new Date(sinceMs).toISOString()} is not before --until ${new Date(untilMs).toISOString()}: no record could be analysed`,
      { option: '--since' },
    );
  return {
    inputs,
    header: flags.header,
    multiline: flags.multiline,
    maxLineLength: flags.maxLineLength,
    maxTemplates: flags.maxTemplates,
    cache: flags.cache,
    cacheDir: flags.cacheDir ?? ctx.defaultCacheDir,
    retryFailed: flags.retryFailed === true,
    jobs: flags.jobs,
    progress: flags.progress,
    exclude: flags.exclude ?? [],
    sinceMs,
    untilMs,
  };
}

/**
 * --since / --until: a span back from now ('30m', '2h', '1d': parseDuration) or a time
 * (parseInstant: ISO, UTC when it names no zone, or epoch seconds; a bare date is its midnight
 * UTC); anything else is a usage error that says what is expected.
 */
export function timeOption(
  name: string,
  value: string | undefined,
  nowMs: number,
): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  const span = parseDuration(v);
  const ms =
    span !== undefined
      ? nowMs - span
      : parseInstant(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00Z` : v);
  if (ms !== undefined) return ms;
  throw new AppError(
    'INPUT.BAD_OPTION',
    `${name} '${value}': expected an ISO time ('2026-01-01T10:00Z', UTC when it names no zone) or a span back from now ('30m', '2h', '1d')`,
    { option: name },
  );
}
