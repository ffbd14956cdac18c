import { Command, Option } from 'commander';
import { renderTemplates } from '../render/report.js';
import type { TemplatesFormat } from '../render/report.js';
import type { CliContext } from '../context.js';
import { addAnalysisOptions, toAnalysisRequest } from './analysis-options.js';
import type { AnalysisFlags } from './analysis-options.js';
import { runAnalysis } from './run-analysis.js';

interface TemplatesFlags extends AnalysisFlags {
  output: TemplatesFormat;
  limit: number;
}

export function templatesCommand(ctx: CliContext): Command {
  const cmd = new Command('templates')
    .description(
      'The template table: each message pattern with its count, level, first/last seen and an example',
    )
    .argument('[inputs...]', "files, directories, globs or '-' for stdin")
    .addOption(
      new Option('-o, --output <format>', 'table format')
        .choices(['text', 'json', 'csv'])
        .default('text'),
    )
    .option(
      '--limit <n>',
      'rows shown in text (json/csv have all)',
      ctx.parseIntOption('--limit', 1),
      50,
    );
  addAnalysisOptions(cmd, ctx);
  cmd.addHelpText(
    'after',
    `\nExamples:\n  bifrost templates app.log\n  bifrost templates logs/ --output csv > templates.csv`,
  );
  cmd.action(async (inputs: string[], flags: TemplatesFlags) => {
    const outcome = await runAnalysis(toAnalysisRequest(inputs, flags, ctx), ctx);
    const t = ctx.terminal;
    if (outcome.report.summary.lines === 0)
      t.err(
        outcome.inputErrors.length > 0 || outcome.skipped > 0
          ? 'no log lines: no input could be analysed (see the messages above).'
          : 'no log lines: the input is empty.',
      );
    else
      await t.out(
        renderTemplates(outcome.report.templates, flags.output, {
          colors: t.colors,
          columns: t.columns,
          limit: flags.limit,
          templateLimit: flags.limit,
        }),
      );
    if (
      outcome.inputErrors.length > 0 ||
      (outcome.report.summary.lines === 0 && outcome.skipped > 0)
    )
      ctx.setExitCode(2);
  });
  return cmd;
}
