import type { LogReport } from '../../core/domain/log-report.js';
import { isAppError } from '../../core/errors.js';
import { compileHeaderLayout } from '../../core/engine/logs/header-layout.js';
import { readSources } from '../../core/use-cases/analyze-logs.js';
import { createFileSource } from '../sources/file-source.js';

/** Plain-data options (they cross a worker boundary and form part of the cache key). */
export interface AnalyzeFileOptions {
  dateReference: number;
  layout?: string | undefined;
  multiline: boolean;
  maxLineLength: number;
  maxTemplates: number;
  /** Only records from sinceMs to untilMs (see AnalyzerOptions). */
  sinceMs?: number | undefined;
  untilMs?: number | undefined;
}

export type AnalyzeFileResult =
  { status: 'ok'; report: LogReport } | { status: 'failed'; code: string; message: string };

/**
 * Analyses the files of one service's log (a LogStream: rotated copies, replicas) as one log, in
 * order; runs in a worker thread for batches, or in-process for one stream. onProgress gets the
 * bytes read across the files (compressed bytes for .gz).
 */
export async function analyzeFiles(
  task: { paths: readonly string[]; options: AnalyzeFileOptions },
  onProgress?: (bytes: number) => void,
): Promise<AnalyzeFileResult> {
  const { paths, options } = task;
  try {
    const layout = options.layout === undefined ? undefined : compileHeaderLayout(options.layout);
    const read = paths.map(() => 0);
    const sources = paths.map((path, i) =>
      createFileSource(path, {
        maxLineLength: options.maxLineLength,
        ...(onProgress === undefined
          ? {}
          : {
              onProgress: (bytes: number) => {
                read[i] = bytes;
                onProgress(read.reduce((a, b) => a + b, 0));
              },
            }),
      }),
    );
    const report = await readSources(sources, {
      dateReference: options.dateReference,
      layout,
      multiline: options.multiline,
      maxTemplates: options.maxTemplates,
      sinceMs: options.sinceMs,
      untilMs: options.untilMs,
    });
    return { status: 'ok', report };
  } catch (err) {
    if (isAppError(err)) return { status: 'failed', code: err.code, message: err.message };
    return {
      status: 'failed',
      code: 'INTERNAL',
      message: `${paths.join(', ')}: ${(err as Error).message}`,
    };
  }
}
