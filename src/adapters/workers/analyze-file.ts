import type { LogReport } from '../../core/domain/log-report.js';
import { isAppError } from '../../core/errors.js';
import { compileHeaderLayout } from '../../core/engine/logs/header-layout.js';
import { readSources } from '../../core/use-cases/analyze-logs.js';
import { createFileSource } from '../sources/file-source.js';

/** Plain-data options (they cross a worker boundary and form part of the cache key). */
export interface AnalyzeFileOptions {
  referenceYear: number;
  layout?: string | undefined;
  multiline: boolean;
  maxLineLength: number;
  maxTemplates: number;
}

export type AnalyzeFileResult =
  | { status: 'ok'; report: LogReport }
  | { status: 'failed'; code: string; message: string };

/** Analyses one file; runs in a worker thread for batches, or in-process for one file. */
export async function analyzeFile(task: { path: string; options: AnalyzeFileOptions }, onProgress?: (bytes: number) => void): Promise<AnalyzeFileResult> {
  const { path, options } = task;
  try {
    const layout = options.layout === undefined ? undefined : compileHeaderLayout(options.layout);
    const report = await readSources([createFileSource(path, { maxLineLength: options.maxLineLength, ...(onProgress === undefined ? {} : { onProgress }) })], {
      referenceYear: options.referenceYear,
      layout,
      multiline: options.multiline,
      maxTemplates: options.maxTemplates,
    });
    return { status: 'ok', report };
  } catch (err) {
    if (isAppError(err)) return { status: 'failed', code: err.code, message: err.message };
    return { status: 'failed', code: 'INTERNAL', message: `${path}: ${(err as Error).message}` };
  }
}
