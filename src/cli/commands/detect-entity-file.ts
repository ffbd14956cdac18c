import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createFileSource } from '../../adapters/sources/file-source.js';
import { DEFAULT_ENTITY_DETECTOR_CONFIG } from '../../core/engine/metrics/entity-detector.js';
import { EntityDetection } from '../../core/use-cases/detect-entity.js';
import type { Baseline, EntityRow } from '../../core/use-cases/detect-entity.js';
import type { CliContext } from '../context.js';
import type { EntityResult } from '../render/entity.js';
import { csvRow } from '../render/format.js';
import { fileProgress } from '../render/progress.js';
import { RowWriter, finishScoredFile } from './row-writer.js';

export interface EntityFlags {
  threshold: number;
  baseline?: Baseline;
  time?: string;
  progress: boolean;
}

/** The header of an entity's scored rows (--out). */
export const ENTITY_HEADER = 'timestamp,anomaly_score,metrics,reason\n';

/** One scored entity row as written with --out. */
export function entityRow(r: EntityRow): string {
  return csvRow([
    r.timestamp,
    r.score === undefined ? '' : String(Math.round(r.score * 1e4) / 1e4),
    r.metrics.join(' '),
    r.reason,
  ]);
}

/** Scores one entity file (a wide CSV) as it streams; with a target, writes every row scored. */
export async function detectEntityFile(
  file: string,
  flags: EntityFlags,
  ctx: CliContext,
  target: string | undefined,
  single: boolean,
): Promise<EntityResult> {
  const progress = await fileProgress(ctx.terminal, [file], 'detecting', flags.progress && single);
  const source = createFileSource(file, {
    stdin: ctx.stdin,
    ...(progress.onProgress === undefined ? {} : { onProgress: progress.onProgress }),
  });
  const pending: EntityRow[] = [];
  const detection = new EntityDetection(
    (r) => {
      if (target !== undefined) pending.push(r);
    },
    {
      config: { ...DEFAULT_ENTITY_DETECTOR_CONFIG, threshold: flags.threshold },
      ...(flags.baseline === undefined ? {} : { baseline: flags.baseline }),
      ...(flags.time === undefined ? {} : { time: flags.time }),
    },
  );
  let writer: RowWriter | undefined;
  let writeError: Error | undefined;
  const drain = async (force: boolean) => {
    if (target === undefined || (pending.length === 0 && !force)) return;
    if (writer === undefined) {
      await mkdir(dirname(target), { recursive: true });
      const stream = createWriteStream(target);
      stream.on('error', (e) => {
        writeError = e;
      });
      writer = new RowWriter(stream, ENTITY_HEADER);
    }
    for (const r of pending) writer.line(entityRow(r));
    pending.length = 0;
    await writer.flush();
  };
  let lineNo = 0;
  const outcome = await source.read({
    push(line, truncated) {
      detection.line(line, ++lineNo, truncated);
    },
    flush: () => drain(false),
  });
  progress.stop();
  const summary = detection.finish();
  if (summary.rows + summary.skipped > 0) await drain(true);
  return {
    file: source.name,
    ...summary,
    ...(await finishScoredFile(source.name, outcome, summary.fatal, writer, target, writeError)),
  };
}

/** `--baseline 1000` (rows) or `--baseline 1d` / `6h` / `90m` / `30s` (from the first row's time). */
export function parseBaseline(v: string): Baseline | undefined {
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t) > 0 ? { rows: Number(t) } : undefined;
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(t);
  if (m === null) return undefined;
  const ms = Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's'];
  return ms > 0 ? { ms } : undefined;
}
