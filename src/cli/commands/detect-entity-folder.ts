import { createReadStream } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { createFileSource } from '../../adapters/sources/file-source.js';
import { isoSeconds } from '../../core/domain/time-text.js';
import {
  NUMBER,
  TIME_NAMES,
  detectLayout,
  findColumn,
  parseRow,
  splitCsv,
} from '../../core/engine/metrics/series-format.js';
import type { SeriesLayout } from '../../core/engine/metrics/series-format.js';
import { joinSeries } from '../../core/use-cases/detect-entity.js';
import type { MetricPoints } from '../../core/use-cases/detect-entity.js';
import type { SeriesProblem } from '../../core/use-cases/detect-series.js';
import type { EntityResult } from '../render/entity.js';
import type { EntityFlags } from './detect-entity-file.js';
import { EntityOut } from './detect-entity-file.js';
import { finishScoredFile } from './row-writer.js';

const MAX_PROBLEMS = 100;

/** The first line that is not blank (undefined for an empty or unreadable file); reads no further. */
async function firstLine(file: string): Promise<string | undefined> {
  const raw = createReadStream(file);
  const stream = /\.gz$/i.test(file) ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) if (line.trim() !== '') return line;
    return undefined;
  } catch {
    return undefined;
  } finally {
    lines.close();
    raw.destroy();
  }
}

/**
 * How a file of one series is read: JSON lines, or a CSV of two columns (the time, and the value
 * under any name: a folder of one file per metric names its columns as it likes). Undefined for
 * anything else (a wide CSV of many metrics is an entity of its own).
 */
function seriesLayout(
  first: string,
  flags: { time?: string },
): { layout: SeriesLayout; headerRow: boolean } | undefined {
  const line = first.charCodeAt(0) === 0xfeff ? first.slice(1) : first;
  if (line.trimStart().startsWith('{')) {
    const r = detectLayout(line, flags.time === undefined ? {} : { time: flags.time });
    return r.ok ? { layout: r.layout, headerRow: false } : undefined;
  }
  const cells = splitCsv(line).map((c) => c.trim());
  if (cells.length !== 2) return undefined;
  // no header: the first line is already a point (a time, a number)
  if (NUMBER.test(cells[1]!))
    return {
      layout: { kind: 'csv', timeColumn: 0, valueColumn: 1, header: 'timestamp,value' },
      headerRow: false,
    };
  const asked = flags.time === undefined ? TIME_NAMES : [flags.time.toLowerCase()];
  const tc = findColumn(cells, asked);
  if (flags.time !== undefined && tc < 0) return undefined;
  const timeColumn = Math.max(tc, 0);
  return {
    layout: { kind: 'csv', timeColumn, valueColumn: 1 - timeColumn, header: line },
    headerRow: true,
  };
}

/**
 * The files of a folder that make one entity's series: every readable file holds one series (JSON
 * lines or a CSV of a time and one value), at least two of them. Undefined when a file is
 * something else (a wide CSV is an entity of its own). Empty and binary files are not series and
 * are left to be read and reported on their own; they do not stop the others joining.
 */
export async function seriesFiles(
  files: readonly string[],
  flags: { time?: string },
): Promise<string[] | undefined> {
  const series: string[] = [];
  for (const f of files) {
    const first = await firstLine(f);
    if (first === undefined || first.includes('\u0000')) continue;
    if (seriesLayout(first, flags) === undefined) return undefined;
    series.push(f);
  }
  return series.length >= 2 ? series : undefined;
}

/** The metric a file holds: its path under the folder, without the extension. */
function metricName(dir: string, file: string): string {
  return relative(resolve(dir), resolve(file)).replace(/\.(csv|jsonl|ndjson)(\.gz)?$/i, '');
}

/**
 * One entity from a folder of its metrics' series (one file per metric): each file is read in
 * full (its points in time order; rows out of order, repeated or unreadable are skipped and said
 * by file and line), the series are joined by time (a metric without a point at a row's time sits
 * it out) and the rows are scored as `detect --entity` scores a wide CSV.
 */
export async function detectEntityFolder(
  dir: string,
  files: readonly string[],
  flags: EntityFlags,
  target: string | undefined,
): Promise<EntityResult> {
  const problems: SeriesProblem[] = [];
  let moreProblems = 0;
  const problem = (file: string, line: number, message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ file, line, message });
    else moreProblems++;
  };
  const names = files.map((f) => metricName(dir, f));
  const series: MetricPoints[] = [];
  let failed: string | undefined;
  for (const f of files) {
    const t: number[] = [];
    const x: number[] = [];
    const source = createFileSource(f);
    let layout: SeriesLayout | undefined;
    let lineNo = 0;
    let lastLine = 0;
    const outcome = await source.read({
      push(line, truncated) {
        lineNo++;
        if (line.trim() === '') return;
        if (layout === undefined) {
          const l = seriesLayout(line, flags);
          if (l === undefined) {
            failed ??= `${source.name}:${lineNo}: not one series (a time and one value column, or JSON lines) as the folder's other files are`;
            layout = { kind: 'csv', timeColumn: 0, valueColumn: 1, header: '' };
            return;
          }
          layout = l.layout;
          if (l.headerRow) return;
        }
        if (truncated) {
          problem(source.name, lineNo, 'line too long (cut), skipped');
          return;
        }
        const r = parseRow(layout, line);
        if (!r.ok) problem(source.name, lineNo, `${r.message}; point skipped`);
        else if (t.length > 0 && r.t <= t[t.length - 1]!)
          problem(
            source.name,
            lineNo,
            `timestamp ${r.timestamp.trim()} is not after line ${lastLine}'s; point skipped (sort the file to use it)`,
          );
        else {
          t.push(r.t);
          x.push(r.x);
          lastLine = lineNo;
        }
      },
    });
    if (outcome.status === 'failed') failed ??= outcome.error.message;
    series.push({ t, x });
  }
  const out = new EntityOut(target);
  const detection = out.detection(flags);
  detection.begin(names, 'timestamp');
  let rows = 0;
  let sparse = 0;
  if (failed === undefined)
    for (const { t, values } of joinSeries(series)) {
      let present = 0;
      for (const v of values) if (!Number.isNaN(v)) present++;
      if (2 * present <= values.length) sparse++;
      detection.row(t, isoSeconds(t), values, ++rows);
      if (out.pending.length >= 4096) await out.write();
    }
  const summary = detection.finish();
  if (rows > 0) await out.write(true);
  const notes = [...summary.notes];
  if (rows > 0 && 2 * sparse > rows)
    notes.push(
      `the metrics rarely share a time: ${Math.round((100 * sparse) / rows)}% of rows hold half of them or fewer (the others sit those rows out); resample the series to common times for a joint score`,
    );
  const name = dir.replace(/[/\\]+$/, '') || dir;
  return {
    file: name,
    ...summary,
    notes,
    problems: [...problems, ...summary.problems],
    moreProblems: moreProblems + summary.moreProblems,
    ...(await finishScoredFile(
      name,
      { status: 'ok', value: { bytes: 0, lines: rows } },
      failed === undefined ? summary.fatal : undefined,
      out.writer,
      target,
      out.error,
    )),
    ...(failed === undefined ? {} : { error: failed }),
  };
}

/** Where a folder entity's scored rows go with --out: `<out>/<folder name>.csv`. */
export function folderTarget(dir: string, out: string): string {
  return join(out, `${basename(resolve(dir))}.csv`);
}
