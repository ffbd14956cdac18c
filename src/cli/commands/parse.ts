import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Command, Option } from 'commander';
import { AppError } from '../../core/errors.js';
import { compileHeaderLayout } from '../../core/engine/logs/header-layout.js';
import { dateReferenceAt } from '../../core/engine/logs/timestamp.js';
import { SampleBuffer } from '../../core/engine/logs/formats/sample-buffer.js';
import { LineTemplater } from '../../core/engine/logs/line-templater.js';
import type { HeaderLayout } from '../../core/engine/logs/header-layout.js';
import type { ResolvedTemplate } from '../../core/engine/logs/template-parser.js';
import { createFileSource } from '../../adapters/sources/file-source.js';
import { DEFAULT_MAX_LINE_LENGTH } from '../../adapters/sources/line-reader.js';
import { csvRow } from '../render/format.js';
import type { CliContext } from '../context.js';

interface ParseFlags {
  format: 'jsonl' | 'csv';
  stream?: boolean;
  header?: string;
  maxLineLength: number;
  maxTemplates: number;
}

const FLUSH_CHARS = 256 * 1024;

export function parseCommand(ctx: CliContext): Command {
  const cmd = new Command('parse')
    .description(
      "One record per input line, in order: the line's template, template id and variable values",
    )
    .argument(
      '[input]',
      "a log file (.gz too) or '-' for stdin (stdin when omitted and input is piped)",
    )
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['jsonl', 'csv'])
        .default('jsonl'),
    )
    .option(
      '--header <layout>',
      "line layout in Loghub notation; the template then covers <Content> only, e.g. '<Date> <Time> <Level> <Component>: <Content>'",
    )
    .option(
      '--max-line-length <chars>',
      'longer lines are truncated',
      ctx.parseIntOption('--max-line-length', 16),
      DEFAULT_MAX_LINE_LENGTH,
    )
    .option(
      '--max-templates <n>',
      'template table bound (LRU)',
      ctx.parseIntOption('--max-templates', 100),
      50_000,
    )
    .option(
      '--stream',
      'one pass: print each line as it arrives with its template as known so far (for tail -f; early lines may get less general templates)',
    )
    .addHelpText(
      'after',
      `
Every line gets its final template: the input is read twice (stdin is first copied to a
temporary file). With --stream, one pass and no waiting: each line is printed with the
template known when it arrived. Output (jsonl):
  {"line":1,"template":"Receiving block <*> src: <*> dest: <*>","templateId":"…","params":["blk_…","/10.0.0.1:5000","/10.0.0.2:50010"]}

Examples:
  bifrost parse HDFS.log --header '<Date> <Time> <Pid> <Level> <Component>: <Content>'
  kubectl logs deploy/api | bifrost parse --format csv > lines.csv
  kubectl logs -f deploy/api | bifrost parse --stream`,
    )
    .action(async (input: string | undefined, flags: ParseFlags) => {
      await runParse(input, flags, ctx);
    });
  return cmd;
}

/** Formats records and writes them in large chunks, honouring stdout backpressure. */
function createRecordWriter(format: ParseFlags['format'], ctx: CliContext) {
  const jsonl = format === 'jsonl';
  const tails = new Map<string, string>();
  let buf = jsonl ? '' : csvRow(['line', 'template_id', 'template', 'params']);
  return {
    add(lineNo: number, template: ResolvedTemplate, params: string[]): void {
      if (jsonl) {
        let tail = tails.get(template.id);
        if (tail === undefined) {
          tail = `,"template":${JSON.stringify(template.text)},"templateId":"${template.id}","params":`;
          if (tails.size >= 100_000) tails.clear();
          tails.set(template.id, tail);
        }
        buf += `{"line":${lineNo}${tail}${JSON.stringify(params)}}\n`;
      } else buf += csvRow([lineNo, template.id, template.text, JSON.stringify(params)]);
    },
    async flush(force: boolean): Promise<void> {
      if (buf.length > 0 && (force || buf.length >= FLUSH_CHARS)) {
        const out = buf;
        buf = '';
        await ctx.terminal.out(out);
      }
    },
  };
}

async function runParse(
  input: string | undefined,
  flags: ParseFlags,
  ctx: CliContext,
): Promise<void> {
  const t = ctx.terminal;
  const layout = flags.header === undefined ? undefined : compileHeaderLayout(flags.header);
  let path = input ?? '-';
  if (path === '-' && ctx.stdin.isTTY === true) {
    throw new AppError(
      'INPUT.BAD_OPTION',
      'no input: give a log file, or pipe logs in (kubectl logs deploy/api | bifrost parse)',
    );
  }
  if (path !== '-') {
    const st = await stat(path).catch(() => undefined);
    if (st?.isDirectory() === true) {
      throw new AppError(
        'INPUT.BAD_OPTION',
        `${path} is a directory: parse takes one file (one record per line); for a directory use 'bifrost templates ${path}' or 'bifrost analyze ${path}'`,
      );
    }
  }
  if (flags.stream === true) {
    await runStreamingParse(path, layout, flags, ctx);
    return;
  }
  let spoolDir: string | undefined;
  try {
    if (path === '-') {
      spoolDir = await mkdtemp(join(ctx.tmpDir, 'bifrost-parse-'));
      const spooled = join(spoolDir, 'stdin');
      await pipeline(ctx.stdin, createWriteStream(spooled));
      path = spooled;
    }
    const source = createFileSource(path, {
      maxLineLength: flags.maxLineLength,
      ...(spoolDir === undefined ? {} : { name: 'stdin' }),
    });
    const templater = new LineTemplater({
      dateReference: dateReferenceAt(ctx.now().getTime()),
      layout,
      miner: { maxClusters: flags.maxTemplates },
    });

    // pass 1: detect the format on a sample, learn templates
    const learning = new SampleBuffer(
      (sample) => templater.detect(sample),
      (line) => {
        templater.learn(line);
      },
    );
    const first = await source.read({
      push(line) {
        learning.push(line);
      },
    });
    learning.release();
    if (first.status === 'failed' && first.value.lines === 0) throw first.error;
    if (first.value.lines === 0) {
      t.err('no log lines: the input is empty.');
      return;
    }
    templater.finish();

    // pass 2: every line with its final template
    const writer = createRecordWriter(flags.format, ctx);
    let lineNo = 0;
    let truncated = 0;
    const second = await source.read({
      push(line, cut) {
        lineNo++;
        if (cut) truncated++;
        const { template, params } = templater.match(line);
        writer.add(lineNo, template, params);
      },
      flush: () => writer.flush(false),
    });
    await writer.flush(true);
    reportCounts(ctx, lineNo, truncated, templater);
    const failure =
      second.status === 'failed'
        ? second.error
        : first.status === 'failed'
          ? first.error
          : undefined;
    if (failure !== undefined) {
      t.err(`${t.colors.red('error:')} ${failure.message}`);
      ctx.setExitCode(2);
    }
  } finally {
    if (spoolDir !== undefined) await rm(spoolDir, { recursive: true, force: true });
  }
}

/** `--stream`: one pass, each line printed as it arrives (a live `tail -f` works; nothing is spooled). */
async function runStreamingParse(
  path: string,
  layout: HeaderLayout | undefined,
  flags: ParseFlags,
  ctx: CliContext,
): Promise<void> {
  const source = createFileSource(path, { maxLineLength: flags.maxLineLength, stdin: ctx.stdin });
  const templater = new LineTemplater({
    dateReference: dateReferenceAt(ctx.now().getTime()),
    layout,
    miner: { maxClusters: flags.maxTemplates },
  });
  const writer = createRecordWriter(flags.format, ctx);
  let lineNo = 0;
  let truncated = 0;
  const lines = new SampleBuffer(
    (sample) => templater.detect(sample),
    (line) => {
      lineNo++;
      const { template, params } = templater.learnLine(line);
      writer.add(lineNo, template, params);
    },
  );
  const outcome = await source.read({
    push(line, cut) {
      if (cut) truncated++;
      lines.push(line);
    },
    // a live stream delivers few lines at a time: decide the format with what has arrived
    async flush() {
      lines.release();
      await writer.flush(true);
    },
  });
  lines.release();
  await writer.flush(true);
  if (outcome.status === 'failed' && outcome.value.lines === 0) throw outcome.error;
  if (lineNo === 0) {
    ctx.terminal.err('no log lines: the input is empty.');
    return;
  }
  reportCounts(ctx, lineNo, truncated, templater);
  if (outcome.status === 'failed') {
    ctx.terminal.err(`${ctx.terminal.colors.red('error:')} ${outcome.error.message}`);
    ctx.setExitCode(2);
  }
}

function reportCounts(
  ctx: CliContext,
  lines: number,
  truncated: number,
  templater: LineTemplater,
): void {
  const t = ctx.terminal;
  t.err(
    t.colors.dim(
      `${lines.toLocaleString('en-US')} lines, ${templater.templateCount.toLocaleString('en-US')} templates, format ${templater.formatLabel}${truncated > 0 ? `, ${truncated} truncated lines` : ''}${templater.evictions > 0 ? `, ${templater.evictions} templates evicted` : ''}`,
    ),
  );
}
