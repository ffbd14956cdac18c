import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { AnalyzeFileOptions, AnalyzeFileResult } from './analyze-file.js';

/** A pool of worker threads that analyse logs in parallel (one service's files per task: analyzeFiles). */
export interface AnalyzePool {
  run(paths: readonly string[], options: AnalyzeFileOptions): Promise<AnalyzeFileResult>;
  close(): Promise<void>;
}

export function createAnalyzePool(options: { maxThreads?: number } = {}): AnalyzePool {
  const threads = Math.max(1, options.maxThreads ?? availableParallelism());
  const pool = new Piscina({
    filename: new URL('./analyze-worker.js', import.meta.url).href,
    minThreads: 1,
    maxThreads: threads,
    idleTimeout: 1000,
  });
  return {
    async run(paths, opts) {
      try {
        return (await pool.run({ paths, options: opts })) as AnalyzeFileResult;
      } catch (err) {
        return {
          status: 'failed',
          code: 'INTERNAL',
          message: `${paths.join(', ')}: worker failed: ${(err as Error).message}`,
        };
      }
    },
    close: () => pool.destroy(),
  };
}
