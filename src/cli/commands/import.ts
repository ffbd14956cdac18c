import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import { Command, Option } from 'commander';
import { mapLogsRequest } from '../../adapters/otlp/otlp-logs.js';
import { mapMetricsRequest } from '../../adapters/otlp/otlp-metrics.js';
import { mapTracesRequest } from '../../adapters/otlp/otlp-traces.js';
import { createFileSource, expandInputs } from '../../adapters/sources/file-source.js';
import { planNezhaImport, readNezhaFile } from '../../adapters/sources/nezha/nezha-reader.js';
import type {
  NezhaKind,
  NezhaPlan,
  NezhaProblem,
} from '../../adapters/sources/nezha/nezha-reader.js';
import { TENANT_PATTERN } from '../../core/domain/api-key.js';
import { AppError } from '../../core/errors.js';
import { LogIngest } from '../../core/use-cases/ingest-logs.js';
import { MetricIngest } from '../../core/use-cases/ingest-metrics.js';
import type { TelemetryStorePort } from '../../core/ports/telemetry-store.port.js';
import type { CliContext } from '../context.js';
import { openStore, storeOption } from '../open-store.js';
import { num, plural } from '../render/format.js';

interface ImportFlags {
  format: 'otlp-json' | 'nezha';
  data?: string;
  store?: string;
  tenant: string;
}

interface FileCounts {
  file: string;
  requests: number;
  metrics: number;
  logs: number;
  spans: number;
  /** Spans left out as copies of one already stored (a retry, overlapping exports). */
  repeated: number;
  rejected: number;
  findings: number;
  errors: string[];
}

/** Requests are read as JSON lines (the Collector's file exporter); a file that is one pretty-printed request is read whole. */
const MAX_WHOLE_FILE = 256 * 1024 * 1024;

export function importCommand(ctx: CliContext): Command {
  const cmd = new Command('import')
    .description(
      "Load telemetry files into the server's store through the same path as OTLP ingest (metrics scored, logs templated)",
    )
    .argument('<inputs...>', 'files, directories, globs (.gz read as such)')
    .addOption(
      new Option('--format <format>', 'what the files hold')
        .choices(['otlp-json', 'nezha'])
        .makeOptionMandatory(),
    )
    .option(
      '--data <dir>',
      'the store to load into [env BIFROST_DATA; default $XDG_DATA_HOME/bifrost]',
    )
    .addOption(storeOption())
    .option('--tenant <name>', 'whose data it becomes', 'default');
  cmd.addHelpText(
    'after',
    `
otlp-json: OTLP/JSON export requests ({"resourceMetrics"|"resourceLogs"|"resourceSpans": …}),
one per line as the OpenTelemetry Collector's file exporter writes them, or one per file.
nezha: a folder laid out like the Nezha benchmark (FSE 2023), e.g. ../shared/data/nezha-trainticket:
log/*.csv.gz (container runtime JSON of logback lines), trace/*.csv.gz (spans), metric/<pod>_metric.csv.gz
(one row per minute: every per-pod column becomes a gauge named after it), and the same under baseline/.
Services are the Kubernetes workloads (pod names without their replica hashes).

The server must not be running on the same --data (one process owns the store): stop it, or
POST the requests to it instead (/v1/metrics, /v1/logs, /v1/traces).

Examples:
  bifrost import --format otlp-json collector-export.jsonl
  bifrost import --format otlp-json exports/ --data ./bifrost-data --tenant shop
  bifrost import --format nezha ../shared/data/nezha-trainticket --data ./nezha`,
  );
  cmd.action(async (inputs: string[], flags: ImportFlags) => {
    if (!TENANT_PATTERN.test(flags.tenant))
      throw new AppError(
        'INPUT.BAD_OPTION',
        `--tenant "${flags.tenant}": use 1-64 letters, digits, '.', '_' or '-'`,
      );
    if (flags.format === 'nezha') await importNezha(ctx, inputs, flags);
    else await importOtlpJson(ctx, inputs, flags);
  });
  return cmd;
}

async function openTelemetry(ctx: CliContext, flags: ImportFlags) {
  const { dataFile, stores } = await openStore(
    ctx,
    flags,
    'POST the requests to it (/v1/metrics, /v1/logs, /v1/traces)',
  );
  return { dataFile, store: stores.telemetry };
}

function logIngest(store: TelemetryStorePort): LogIngest {
  const epoch = Date.now().toString(36).padStart(9, '0');
  let seq = 0;
  return new LogIngest({ store, newId: () => `${epoch}-${(seq++).toString(36).padStart(8, '0')}` });
}

async function importOtlpJson(
  ctx: CliContext,
  inputs: string[],
  flags: ImportFlags,
): Promise<void> {
  const t = ctx.terminal;
  const { files, problems } = await expandInputs(inputs);
  for (const p of problems) t.err(`${t.colors.red('error:')} ${p.error.message}`);
  if (problems.length > 0) ctx.setExitCode(2);
  if (files.length === 0) return;
  const { dataFile, store } = await openTelemetry(ctx, flags);
  const metrics = new MetricIngest({ store });
  const logs = logIngest(store);
  const results: FileCounts[] = [];
  try {
    for (const f of files) {
      const c: FileCounts = {
        file: f,
        requests: 0,
        metrics: 0,
        logs: 0,
        spans: 0,
        repeated: 0,
        rejected: 0,
        findings: 0,
        errors: [],
      };
      results.push(c);
      const load = async (req: unknown, where: string) => {
        if (req === null || typeof req !== 'object' || Array.isArray(req)) {
          c.errors.push(`${where}: expected a JSON object (an OTLP export request)`);
          return;
        }
        const r = req as Record<string, unknown>;
        if (
          r.resourceMetrics === undefined &&
          r.resourceLogs === undefined &&
          r.resourceSpans === undefined
        ) {
          c.errors.push(`${where}: no resourceMetrics, resourceLogs or resourceSpans`);
          return;
        }
        c.requests++;
        if (r.resourceMetrics !== undefined) {
          const d = mapMetricsRequest({ resourceMetrics: r.resourceMetrics });
          if (!d.ok) c.errors.push(`${where}: ${d.message}`);
          else {
            c.rejected += d.rejected;
            const res = await metrics.ingest(flags.tenant, d.items);
            c.metrics += res.stored;
            c.findings += res.findings.length;
          }
        }
        if (r.resourceLogs !== undefined) {
          const d = mapLogsRequest({ resourceLogs: r.resourceLogs });
          if (!d.ok) c.errors.push(`${where}: ${d.message}`);
          else {
            c.rejected += d.rejected;
            c.logs += (await logs.ingest(flags.tenant, d.items)).stored;
          }
        }
        if (r.resourceSpans !== undefined) {
          const d = mapTracesRequest({ resourceSpans: r.resourceSpans });
          if (!d.ok) c.errors.push(`${where}: ${d.message}`);
          else {
            c.rejected += d.rejected;
            const { repeatedSpans } = await store.append(flags.tenant, { spans: d.items });
            c.spans += d.items.length - repeatedSpans;
            c.repeated += repeatedSpans;
          }
        }
      };
      // JSON lines, loaded as they stream in; a file whose first line is not a whole JSON value
      // is read as one (pretty-printed) document instead, up to MAX_WHOLE_FILE
      const pending: { value: unknown; line: number }[] = [];
      const doc = { on: false, text: [] as string[], bytes: 0, tooBig: false, seen: 0 };
      let lineNo = 0;
      const drain = async () => {
        for (const p of pending.splice(0)) await load(p.value, `${f}:${p.line}`);
      };
      const outcome = await createFileSource(f, {
        stdin: ctx.stdin,
        maxLineLength: MAX_WHOLE_FILE,
      }).read({
        push(text) {
          lineNo++;
          if (doc.on) {
            doc.bytes += text.length + 1;
            if (doc.bytes > MAX_WHOLE_FILE) doc.tooBig = true;
            else doc.text.push(text);
            return;
          }
          if (text.trim() === '') return;
          doc.seen++;
          try {
            pending.push({ value: JSON.parse(text), line: lineNo });
          } catch (err) {
            if (doc.seen === 1) {
              doc.on = true;
              doc.text.push(text);
              doc.bytes = text.length + 1;
            } else
              c.errors.push(
                `${f}:${lineNo}: not valid JSON (${(err as Error).message}); the other lines were loaded`,
              );
          }
        },
        flush: drain,
      });
      await drain();
      if (outcome.status === 'failed') c.errors.push(outcome.error.message);
      if (doc.on) {
        if (doc.tooBig)
          c.errors.push(
            `${f}: not JSON lines, and too large (over ${MAX_WHOLE_FILE / 1024 / 1024} MiB) to read as one JSON document`,
          );
        else {
          let value: unknown;
          try {
            value = JSON.parse(doc.text.join('\n'));
          } catch (err) {
            c.errors.push(
              `${f}: neither JSON lines nor one JSON document (${(err as Error).message})`,
            );
            continue;
          }
          await load(value, f);
        }
      }
    }
  } finally {
    await store.close();
  }
  for (const r of results) {
    for (const e of r.errors.slice(0, 10)) t.err(`${t.colors.red('error:')} ${e}`);
    if (r.errors.length > 10)
      t.err(`${t.colors.red('error:')} ${r.file}: ${plural(r.errors.length - 10, 'more error')}`);
    if (r.errors.length > 0) ctx.setExitCode(2);
    await t.out(
      `${r.file}: ${plural(r.requests, 'request')} · ${num(r.metrics)} metric points (${plural(r.findings, 'anomaly', 'anomalies')}) · ${num(r.logs)} logs · ${num(r.spans)} spans${repeats(r.repeated)}${r.rejected > 0 ? ` · ${num(r.rejected)} rejected` : ''}\n`,
    );
  }
  t.err(`loaded into ${dataFile} (tenant ${flags.tenant})`);
}

/** Spans left out as copies of one already stored, when there were any. */
function repeats(n: number): string {
  return n === 0 ? '' : ` (${plural(n, 'copy', 'copies')} of a span already stored left out)`;
}

const KIND_NAMES: Record<NezhaKind, [string, string]> = {
  metric: ['metric file', 'metric points'],
  trace: ['trace file', 'spans'],
  log: ['log file', 'log records'],
};

async function importNezha(ctx: CliContext, inputs: string[], flags: ImportFlags): Promise<void> {
  const t = ctx.terminal;
  const plans: NezhaPlan[] = [];
  for (const dir of inputs) {
    try {
      plans.push(await planNezhaImport(dir));
    } catch (err) {
      t.err(`${t.colors.red('error:')} ${(err as Error).message}`);
      ctx.setExitCode(2);
    }
  }
  const files = plans.flatMap((p) => p.files);
  if (files.length === 0) return;
  const { dataFile, store } = await openTelemetry(ctx, flags);
  const metrics = new MetricIngest({ store });
  const logs = logIngest(store);
  const totals: Record<
    NezhaKind,
    { files: number; records: number; findings: number; repeated: number }
  > = {
    metric: { files: 0, records: 0, findings: 0, repeated: 0 },
    trace: { files: 0, records: 0, findings: 0, repeated: 0 },
    log: { files: 0, records: 0, findings: 0, repeated: 0 },
  };
  // the first problems are shown; the others only counted (a damaged file can have millions of bad rows)
  const problems: NezhaProblem[] = [];
  const tally = { problems: 0, fileFailed: false };
  const onProblem = (p: NezhaProblem) => {
    tally.problems++;
    if (p.line === undefined || p.line === 1) tally.fileFailed = true;
    if (problems.length < 20) problems.push(p);
  };
  const bar = t.stderrIsTTY
    ? new cliProgress.SingleBar(
        {
          stream: t.stderr,
          format: 'importing {bar} {value}/{total} files | {file}',
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(files.length, 0, { file: '' });
  try {
    for (const file of files) {
      bar?.update({ file: basename(file.path) });
      totals[file.kind].files++;
      await readNezhaFile(file, {
        onProblem,
        onBatch: async (b) => {
          if (b.kind === 'metric') {
            const r = await metrics.ingest(flags.tenant, b.metrics);
            totals.metric.records += r.stored;
            totals.metric.findings += r.findings.length;
          } else if (b.kind === 'trace') {
            const { repeatedSpans } = await store.append(flags.tenant, { spans: b.spans });
            totals.trace.records += b.spans.length - repeatedSpans;
            totals.trace.repeated += repeatedSpans;
          } else totals.log.records += (await logs.ingest(flags.tenant, b.logs)).stored;
        },
      });
      bar?.increment();
    }
  } finally {
    bar?.stop();
    await store.close();
  }
  for (const p of problems)
    t.err(
      `${t.colors.yellow('warning:')} ${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}`,
    );
  if (tally.problems > problems.length)
    t.err(
      `${t.colors.yellow('warning:')} ${plural(tally.problems - problems.length, 'more problem')}`,
    );
  const skipped = new Map<string, string[]>();
  for (const s of plans.flatMap((p) => p.skipped))
    skipped.set(s.why, [...(skipped.get(s.why) ?? []), s.path]);
  for (const [why, paths] of skipped)
    t.err(
      `skipped ${paths.length === 1 ? paths[0]! : `${plural(paths.length, 'path')} (${paths[0]!}, …)`}: ${why}`,
    );
  for (const kind of ['metric', 'trace', 'log'] as const) {
    const c = totals[kind];
    const [fileWord, recordWord] = KIND_NAMES[kind];
    await t.out(
      `${plural(c.files, fileWord)}: ${num(c.records)} ${recordWord}${kind === 'metric' ? ` (${plural(c.findings, 'anomaly', 'anomalies')})` : ''}${repeats(c.repeated)}\n`,
    );
  }
  if (tally.fileFailed) ctx.setExitCode(2);
  t.err(
    `loaded into ${dataFile} (tenant ${flags.tenant})${tally.problems > 0 ? `; ${plural(tally.problems, 'row or file', 'rows or files')} could not be read (listed above)` : ''}`,
  );
}
