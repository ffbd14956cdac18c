import { stat } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import type { Terminal } from './terminal.js';

/** Files at least this big get a byte progress bar of their own on a terminal. */
export const BIG_FILE_BYTES = 32 * 1024 * 1024;

/**
 * A byte progress bar for one big file, or files read as one, on a terminal ("analysing",
 * "detecting"); compressed bytes for .gz. onProgress (the bytes read so far of them all) is
 * undefined when no bar is shown (small files, no TTY, --no-progress).
 */
export async function fileProgress(
  t: Terminal,
  paths: readonly string[],
  verb: string,
  enabled: boolean,
): Promise<{ onProgress: ((bytes: number) => void) | undefined; stop(): void }> {
  let size = 0;
  if (enabled && t.stderrIsTTY)
    for (const path of paths)
      if (path !== '-')
        size += await stat(path)
          .then((s) => s.size)
          .catch(() => 0);
  if (size < BIG_FILE_BYTES) return { onProgress: undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: t.stderr,
      format: `${verb} {bar} {percentage}% | {value}/{total} MB`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.ceil(size / 1e6), 0);
  let shown = 0;
  return {
    onProgress: (bytes) => {
      const mb = Math.floor(bytes / 1e6);
      if (mb > shown) {
        shown = mb;
        bar.update(mb);
      }
    },
    stop: () => {
      bar.stop();
    },
  };
}
