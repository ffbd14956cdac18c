import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { MetricPoint } from '../../../core/domain/metric-point.js';
import { parseSeverity, severityName } from '../../../core/domain/severity.js';
import type { Span } from '../../../core/domain/span.js';
import type { ReceivedLog } from '../../../core/domain/stored-log.js';
import { workloadOf } from '../../../core/domain/workload.js';
import { splitCsv } from '../../../core/engine/metrics/series-format.js';
import { createFileSource } from '../file-source.js';
import { binaryReason } from '../line-reader.js';

/**
 * The layout of the Nezha benchmark (FSE 2023) as ../shared/data/nezha-trainticket holds it:
 * `log/*.csv.gz` (container runtime JSON lines of logback output), `trace/*.csv.gz` (spans),
 * `metric/<pod>_metric.csv.gz` (one row per minute per pod), and the same under `baseline/`.
 * Every record becomes the domain type the OTLP receiver produces, so the import goes through
 * the normal ingest path; services are Kubernetes workloads (pod names without replica hashes).
 */
export type NezhaKind = 'log' | 'trace' | 'metric';

export type NezhaBatch =
  | { kind: 'log'; file: string; logs: ReceivedLog[] }
  | { kind: 'trace'; file: string; spans: Span[] }
  | { kind: 'metric'; file: string; metrics: MetricPoint[] };

export interface NezhaProblem {
  file: string;
  /** 1-based line, when the problem is one row. */
  line?: number;
  message: string;
}

export interface NezhaFile {
  kind: NezhaKind;
  path: string;
}

export interface NezhaPlan {
  files: NezhaFile[];
  /** Files left out, with why (a baseline metric file that repeats the main one, a trace-id list). */
  skipped: { path: string; why: string }[];
}

const KINDS: NezhaKind[] = ['log', 'trace', 'metric'];
const DATA_FILE = /\.csv(\.gz)?$/;

/** The files of a Nezha folder (or of its baseline/ alone), in a stable order: metrics, then traces, then logs. */
export async function planNezhaImport(dir: string): Promise<NezhaPlan> {
  if (!(await isDir(dir)))
    throw new Error(
      `${dir}: not a folder (give the folder that holds log/, trace/ and metric/, e.g. ../shared/data/nezha-trainticket)`,
    );
  const roots = [dir];
  const base = join(dir, 'baseline');
  if (await isDir(base)) roots.push(base);
  const files: NezhaFile[] = [];
  const skipped: NezhaPlan['skipped'] = [];
  const metricSizes = new Map<string, number>();
  let found = false;
  for (const root of roots) {
    for (const kind of KINDS) {
      const sub = join(root, kind);
      if (!(await isDir(sub))) continue;
      found = true;
      for (const name of (await readdir(sub)).sort()) {
        const path = join(sub, name);
        if (!DATA_FILE.test(name)) {
          skipped.push({ path, why: 'not a .csv or .csv.gz file' });
          continue;
        }
        if (kind === 'metric') {
          // the benchmark's baseline/metric holds the same whole-day files as metric/
          const size = (await stat(path)).size;
          if (metricSizes.get(name) === size) {
            skipped.push({
              path,
              why: 'same name and size as a metric file already imported (the whole-day files repeat)',
            });
            continue;
          }
          metricSizes.set(name, size);
          // other tables kept beside the per-minute ones (a dependency list, a sample of calls) are not metrics
          const columns = await headerOf(path);
          if (columns !== undefined && !columns.includes('TimeStamp')) {
            skipped.push({
              path,
              why:
                columns.length === 0
                  ? 'empty file'
                  : `not a per-minute metric table (no TimeStamp column; found ${columns.slice(0, 6).join(', ')})`,
            });
            continue;
          }
        }
        files.push({ kind, path });
      }
    }
    if (await isDir(join(root, 'traceid')))
      skipped.push({ path: join(root, 'traceid'), why: 'trace-id lists repeat the trace files' });
  }
  if (!found)
    throw new Error(
      `${dir}: no log/, trace/ or metric/ folder (expected the Nezha layout: log/*.csv.gz, trace/*.csv.gz, metric/*_metric.csv.gz, optionally baseline/)`,
    );
  const order: Record<NezhaKind, number> = { metric: 0, trace: 1, log: 2 };
  files.sort((a, b) => order[a.kind] - order[b.kind]);
  return { files, skipped };
}

/**
 * The column names of a CSV file's first line, gzip or not (known by its magic bytes, as the
 * line reader knows it); undefined when it cannot be read (the import then says why).
 */
async function headerOf(path: string): Promise<string[] | undefined> {
  let gzip: boolean;
  try {
    const fd = await open(path);
    try {
      const { bytesRead, buffer } = await fd.read(Buffer.alloc(2), 0, 2, 0);
      gzip = bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
    } finally {
      await fd.close();
    }
  } catch {
    return undefined;
  }
  const file = createReadStream(path);
  const stream: Readable = gzip ? file.pipe(createGunzip()) : file;
  let text = '';
  try {
    for await (const chunk of stream) {
      // binary data is no header: reading the file refuses it with why (the line reader's rule)
      if (text === '' && binaryReason(chunk as Buffer) !== undefined) return undefined;
      text += (chunk as Buffer).toString('utf8');
      if (text.includes('\n') || text.length > 65_536) break;
    }
  } catch {
    return undefined;
  } finally {
    file.destroy();
    stream.destroy();
  }
  const line = text
    .split('\n', 1)[0]!
    .replace(/^\uFEFF/, '')
    .replace(/\r$/, '');
  return splitCsv(line)
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

export interface ReadNezhaOptions {
  /** Records per batch handed to `onBatch`. */
  batchSize?: number;
  onBatch: (batch: NezhaBatch) => Promise<void>;
  onProblem: (problem: NezhaProblem) => void;
  onProgress?: (bytes: number) => void;
}

const LOG_COLUMNS = ['TimeUnixNano', 'PodName', 'Log'];
const TRACE_COLUMNS = [
  'TraceID',
  'SpanID',
  'ParentID',
  'PodName',
  'OperationName',
  'StartTimeUnixNano',
  'EndTimeUnixNano',
];
/** Columns of a metric file that are not per-pod values (node-wide figures describe the node, not the pod). */
const METRIC_KEY_COLUMNS = new Set(['Time', 'TimeStamp', 'PodName', 'ServiceName']);

/** Reads one file of the plan; rows that cannot be read are reported with file:line and skipped. Returns the rows read. */
export async function readNezhaFile(file: NezhaFile, options: ReadNezhaOptions): Promise<number> {
  const batchSize = options.batchSize ?? 5000;
  let header: Map<string, number> | undefined;
  let lineNo = 0;
  let rows = 0;
  let pending: (ReceivedLog | Span | MetricPoint)[] = [];
  let rowOf:
    ((cells: string[], line: number) => ReceivedLog | Span | MetricPoint[] | string) | undefined;
  const flushBatch = async () => {
    if (pending.length === 0) return;
    const items = pending;
    pending = [];
    if (file.kind === 'log')
      await options.onBatch({ kind: 'log', file: file.path, logs: items as ReceivedLog[] });
    else if (file.kind === 'trace')
      await options.onBatch({ kind: 'trace', file: file.path, spans: items as Span[] });
    else
      await options.onBatch({ kind: 'metric', file: file.path, metrics: items as MetricPoint[] });
  };
  let fatal = false;
  const outcome = await createFileSource(file.path, {
    maxLineLength: 4 * 1024 * 1024,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  }).read({
    push(text, truncated) {
      lineNo++;
      if (fatal) return;
      if (header === undefined) {
        header = new Map(splitCsv(text.replace(/^\uFEFF/, '')).map((name, i) => [name.trim(), i]));
        const need =
          file.kind === 'log' ? LOG_COLUMNS : file.kind === 'trace' ? TRACE_COLUMNS : ['TimeStamp'];
        const missing = need.filter((c) => !header!.has(c));
        if (missing.length > 0) {
          options.onProblem({
            file: file.path,
            line: 1,
            message: `not a Nezha ${file.kind} file: no ${missing.join(', ')} column (found ${[...header.keys()].slice(0, 12).join(', ') || 'nothing'})`,
          });
          fatal = true;
          return;
        }
        rowOf =
          file.kind === 'log'
            ? logRow(header)
            : file.kind === 'trace'
              ? spanRow(header)
              : metricRow(header);
        return;
      }
      if (text === '') return;
      if (truncated) {
        options.onProblem({
          file: file.path,
          line: lineNo,
          message: 'line longer than 4 MiB: skipped',
        });
        return;
      }
      const r = rowOf!(splitCsv(text), lineNo);
      if (typeof r === 'string') options.onProblem({ file: file.path, line: lineNo, message: r });
      else if (Array.isArray(r)) {
        rows++;
        for (const p of r) pending.push(p);
      } else {
        rows++;
        pending.push(r);
      }
    },
    async flush() {
      if (pending.length >= batchSize) await flushBatch();
    },
  });
  await flushBatch();
  if (outcome.status === 'failed') {
    // the source's message starts with its own name: the problem names the file already
    const source = outcome.error.details.source;
    const message =
      typeof source === 'string' && outcome.error.message.startsWith(`${source}: `)
        ? outcome.error.message.slice(source.length + 2)
        : outcome.error.message;
    options.onProblem({ file: file.path, message });
  } else if (header === undefined)
    options.onProblem({ file: file.path, message: 'empty file (no header line)' });
  return rows;
}

/** ns since the epoch as a decimal string → ms with a µs fraction (a double cannot hold ns). */
function nanosToMs(s: string): number {
  if (!/^\d{1,20}$/.test(s)) return NaN;
  const p = s.padStart(7, '0');
  return Number(p.slice(0, -6)) + Number(p.slice(-6)) / 1e6;
}

function cell(cells: readonly string[], header: Map<string, number>, name: string): string {
  const i = header.get(name);
  return i === undefined ? '' : (cells[i] ?? '');
}

/** `16:42:22.382 INFO  t.s.TravelServiceImpl#532 …` (logback's default pattern). */
const LOGBACK = /^\d\d:\d\d:\d\d[.,]\d{3}\s+([A-Za-z]{4,5})\s+/;

/** A JSON log line's message, level and logger (message or msg; severity or level; name or logger), or undefined when it is not one. */
function structuredLine(
  text: string,
): { message: string; level: string; logger: string } | undefined {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) return undefined;
  const o = j as Record<string, unknown>;
  const text1 = (...keys: string[]) => {
    for (const k of keys) if (typeof o[k] === 'string') return o[k];
    return undefined;
  };
  const message = text1('message', 'msg');
  if (message === undefined) return undefined;
  return {
    message,
    level: text1('severity', 'level') ?? '',
    logger: text1('name', 'logger') ?? '',
  };
}

function logRow(header: Map<string, number>) {
  return (cells: string[]): ReceivedLog | string => {
    let timeMs = nanosToMs(cell(cells, header, 'TimeUnixNano'));
    // some rows carry an overflowed TimeUnixNano beside a good RFC 3339 Timestamp
    if (!Number.isFinite(timeMs)) timeMs = Date.parse(cell(cells, header, 'Timestamp'));
    if (!Number.isFinite(timeMs))
      return `neither TimeUnixNano "${cell(cells, header, 'TimeUnixNano').slice(0, 40)}" nor Timestamp "${cell(cells, header, 'Timestamp').slice(0, 40)}" is a time: row skipped`;
    const pod = cell(cells, header, 'PodName');
    const raw = cell(cells, header, 'Log');
    let body = raw;
    let stream = '';
    if (raw.startsWith('{')) {
      try {
        const j = JSON.parse(raw) as { log?: unknown; stream?: unknown };
        if (typeof j.log === 'string') body = j.log;
        if (typeof j.stream === 'string') stream = j.stream;
      } catch {
        // a damaged runtime line (two records run together): kept whole as text
      }
    }
    body = body.replace(/\r?\n$/, '');
    let severity: number = 0;
    let severityText = '';
    let logger = '';
    // a structured line inside the runtime's (Go, Python and Node services log JSON): its message and level
    const structured = body.startsWith('{') ? structuredLine(body) : undefined;
    if (structured !== undefined) {
      body = structured.message;
      logger = structured.logger;
      severity = parseSeverity(structured.level);
      if (severity !== 0) severityText = severityName(severity);
    }
    const m = structured === undefined ? LOGBACK.exec(body) : null;
    if (m !== null) {
      severity = parseSeverity(m[1]!);
      if (severity !== 0) {
        severityText = m[1]!.toUpperCase();
        body = body.slice(m[0].length);
      }
    }
    const node = cell(cells, header, 'Node');
    const container = cell(cells, header, 'Container');
    return {
      timeMs,
      severity,
      severityText,
      body,
      resource: {
        service: workloadOf(pod),
        ...(pod ? { pod } : {}),
        ...(node ? { node } : {}),
        ...(container ? { container } : {}),
      },
      attributes:
        stream || logger
          ? JSON.stringify({
              ...(stream ? { 'log.iostream': stream } : {}),
              ...(logger ? { 'logger.name': logger } : {}),
            })
          : '{}',
      traceId: cell(cells, header, 'TraceID').toLowerCase(),
      spanId: cell(cells, header, 'SpanID').toLowerCase(),
    };
  };
}

function spanRow(header: Map<string, number>) {
  return (cells: string[]): Span | string => {
    const startMs = nanosToMs(cell(cells, header, 'StartTimeUnixNano'));
    const endMs = nanosToMs(cell(cells, header, 'EndTimeUnixNano'));
    if (!Number.isFinite(startMs) || !Number.isFinite(endMs))
      return 'StartTimeUnixNano/EndTimeUnixNano are not nanoseconds since the epoch: span skipped';
    const traceId = cell(cells, header, 'TraceID').toLowerCase();
    const spanId = cell(cells, header, 'SpanID').toLowerCase();
    if (traceId === '' || spanId === '') return 'no TraceID or SpanID: span skipped';
    const parent = cell(cells, header, 'ParentID').toLowerCase();
    const pod = cell(cells, header, 'PodName');
    return {
      traceId,
      spanId,
      parentSpanId: parent === 'root' ? '' : parent,
      name: cell(cells, header, 'OperationName'),
      kind: 0,
      startMs,
      endMs: Math.max(startMs, endMs),
      statusCode: 0,
      statusMessage: '',
      resource: { service: workloadOf(pod), ...(pod ? { pod } : {}) },
      attributes: '{}',
    };
  };
}

function metricRow(header: Map<string, number>) {
  const values = [...header.entries()].filter(
    ([name]) => !METRIC_KEY_COLUMNS.has(name) && !name.startsWith('Node') && name !== '',
  );
  return (cells: string[]): MetricPoint[] | string => {
    const ts = cell(cells, header, 'TimeStamp');
    const sec = /^\d{1,12}(\.\d+)?$/.test(ts) ? Number(ts) : NaN;
    if (!Number.isFinite(sec))
      return `TimeStamp "${ts.slice(0, 40)}" is not seconds since the epoch: row skipped`;
    const pod = cell(cells, header, 'PodName');
    const service = pod !== '' ? workloadOf(pod) : cell(cells, header, 'ServiceName');
    const resource = { ...(service ? { service } : {}), ...(pod ? { pod } : {}) };
    const out: MetricPoint[] = [];
    for (const [name, i] of values) {
      const v = Number(cells[i]);
      // NaN cells (no traffic that minute) are absent values, not zeros
      if (cells[i] === undefined || cells[i] === '' || !Number.isFinite(v)) continue;
      out.push({ timeMs: sec * 1000, name, kind: 'gauge', value: v, labels: '{}', resource });
    }
    return out;
  };
}
