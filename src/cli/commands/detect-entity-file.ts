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
const ENTITY_HEADER = 'timestamp,anomaly_score,metrics,reason\n';

/** One scored entity row as written with --out. */
function entityRow(r: EntityRow): string {
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
  const out = new EntityOut(target);
  const detection = out.detection(flags, flags.time);
  const drain = (force: boolean) => out.write(force);
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
    ...(await finishScoredFile(source.name, outcome, summary.fatal, out.writer, target, out.error)),
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

/** An entity's scored rows to --out: the file is made at the first rows; a write error is kept for the answer. */
export class EntityOut {
  writer: RowWriter | undefined;
  error: Error | undefined;
  /** Rows scored and not yet written. */
  readonly pending: EntityRow[] = [];
  constructor(private readonly target: string | undefined) {}

  /** An entity detection under the flags whose rows come here (kept only with a target). */
  detection(flags: EntityFlags, time?: string): EntityDetection {
    return new EntityDetection(
      (r) => {
        if (this.target !== undefined) this.pending.push(r);
      },
      {
        config: { ...DEFAULT_ENTITY_DETECTOR_CONFIG, threshold: flags.threshold },
        ...(flags.baseline === undefined ? {} : { baseline: flags.baseline }),
        ...(time === undefined ? {} : { time }),
      },
    );
  }

  /** Writes the pending rows (force: make the file even with none). */
  async write(force = false): Promise<void> {
    const rows = this.pending;
    if (this.target === undefined || (rows.length === 0 && !force)) return;
    if (this.writer === undefined) {
      await mkdir(dirname(this.target), { recursive: true });
      const stream = createWriteStream(this.target);
      stream.on('error', (e) => {
        this.error = e;
      });
      this.writer = new RowWriter(stream, ENTITY_HEADER);
    }
    for (const r of rows) this.writer.line(entityRow(r));
    rows.length = 0;
    await this.writer.flush();
  }
}
