import { Command, Option } from 'commander';
import { SEVERITY } from '../../core/domain/severity.js';
import { createFileExplanationStore } from '../../adapters/cache/file-explanation-store.js';
import { logsContext } from '../../core/use-cases/explain-inputs.js';
import type { Explanation } from '../../core/domain/explanation.js';
import { renderExplanation } from '../render/explanation.js';
import { renderReport } from '../render/report.js';
import type { ReportFormat } from '../render/report.js';
import type { CliContext } from '../context.js';
import { addAnalysisOptions, toAnalysisRequest } from './analysis-options.js';
import type { AnalysisFlags } from './analysis-options.js';
import { addLlmOptions, cliExplainer, explainForCli, llmConfigOf } from './llm-options.js';
import type { LlmFlags } from './llm-options.js';
import { runAnalysis } from './run-analysis.js';

const FAIL_LEVELS = {
  info: SEVERITY.INFO,
  warn: SEVERITY.WARN,
  error: SEVERITY.ERROR,
  fatal: SEVERITY.FATAL,
} as const;

interface AnalyzeFlags extends AnalysisFlags, LlmFlags {
  output: ReportFormat;
  failOn?: keyof typeof FAIL_LEVELS;
  limit: number;
}

export function analyzeCommand(ctx: CliContext): Command {
  const cmd = new Command('analyze')
    .description(
      'Find what is abnormal in logs: errors, exceptions, bursts, new and rare patterns, with evidence, and the incidents across files with their probable causes',
    )
    .argument(
      '[inputs...]',
      "files, directories, globs or '-' for stdin (stdin when none and input is piped)",
    )
    .addOption(
      new Option('-o, --output <format>', 'report format')
        .choices(['text', 'markdown', 'json', 'csv'])
        .default('text'),
    )
    .addOption(
      new Option(
        '--fail-on <level>',
        'exit 1 when a finding reaches this level (for CI pipelines)',
      ).choices(Object.keys(FAIL_LEVELS)),
    )
    .option(
      '--limit <n>',
      'findings and templates shown in text/markdown',
      ctx.parseIntOption('--limit', 1),
      15,
    );
  addAnalysisOptions(cmd, ctx);
  addLlmOptions(cmd, 'the findings');
  cmd.addHelpText(
    'after',
    `
Examples:
  kubectl logs deploy/api | bifrost analyze
  bifrost analyze /var/log/app/ 'logs/**/*.gz' --output markdown > report.md
  bifrost analyze build.log --fail-on error          # exit 1 in CI when errors are found
  bifrost analyze HDFS.log --header '<Date> <Time> <Pid> <Level> <Component>: <Content>'
  bifrost analyze app.log --llm                       # plus an explanation by a local Ollama model
  OPENAI_BASE_URL=http://127.0.0.1:8000/v1 bifrost analyze app.log --llm openai --model qwen2.5

Incidents: each file is a service (the workload of pod logs, else the file name up to its
first dot, or its folder's for access.log, app.log, current…; stdin is "stdin"), or the services its records name (a CSV pod column, a JSON
service field). A service's files (api.log.2.gz, api.log.1, api.log; replicas) are read as one
log, oldest first. Findings that began during the log are its trouble; services in
trouble together whose warnings and errors name one another (a word, a pod of it, a Kubernetes
DNS name like payments.shop.svc) form one incident, the named service in trouble first is the
probable cause. Logs alone cannot see calls: a service that names no one stays on its own.
Scores run from 0 to 1. A finding's weighs its level (FATAL and ERROR most), its kind (an
exception most, then a burst, an error message, a new message… a rare one least) and its records
(more, up to 10,000, weigh more); a service's score in an incident combines its findings of
different kinds as independent evidence, 1 − Π(1 − s). They rank; they are not probabilities.

The model sees the incidents, the findings and their example lines after secrets and personal
data are replaced by placeholders (<EMAIL_1>, <SECRET_2>…); the answer must cite the findings (f1…).

Exit codes: 0 done, 1 a finding reached --fail-on, 2 usage or input error.`,
  );
  cmd.action(async (inputs: string[], flags: AnalyzeFlags) => {
    // configuration errors (a bad --llm, a bad pattern) before any work
    const llmConfig = llmConfigOf(flags, ctx);
    const explainer =
      llmConfig.provider === undefined
        ? undefined
        : cliExplainer(
            ctx,
            llmConfig,
            createFileExplanationStore(flags.cacheDir ?? ctx.defaultCacheDir),
          );
    const prompt = explainer?.prompt('logs');
    const outcome = await runAnalysis(toAnalysisRequest(inputs, flags, ctx), ctx);
    const { report } = outcome;
    const t = ctx.terminal;
    if (report.summary.lines === 0) {
      // nothing was read: say why instead of printing an empty report
      if (outcome.inputErrors.length > 0 || outcome.skipped > 0) {
        t.err('no log lines: no input could be analysed (see the messages above).');
        ctx.setExitCode(2);
      } else t.err('no log lines: the input is empty (nothing to analyse).');
      if (flags.output === 'json') await t.out(JSON.stringify(report, null, 2) + '\n');
      return;
    }
    let explanation: Explanation | undefined;
    if (explainer !== undefined && prompt !== undefined) {
      if (report.findings.length === 0)
        t.err('nothing abnormal in the logs: no explanation asked for.');
      else {
        const name =
          inputs.length === 0
            ? 'stdin'
            : inputs.length === 1
              ? inputs[0]!
              : `${inputs.length} inputs`;
        const context = logsContext(name, report, [], explainer.contextChars);
        explanation = await explainForCli(ctx, explainer, {
          tenant: 'local',
          subject: `logs:${name}`,
          context,
          prompt,
          fresh: !flags.llmCache,
          stream: flags.output === 'text',
        });
        if (explanation.status === 'unavailable')
          t.err(`${t.colors.yellow('note:')} no explanation: ${explanation.note ?? ''}`);
      }
    }
    if (flags.output === 'json')
      await t.out(
        JSON.stringify(explanation === undefined ? report : { ...report, explanation }, null, 2) +
          '\n',
      );
    else
      await t.out(
        renderReport(report, flags.output, {
          colors: t.colors,
          columns: t.columns,
          limit: flags.limit,
          templateLimit: Math.min(flags.limit, 10),
        }),
      );
    if (explanation !== undefined && (flags.output === 'text' || flags.output === 'markdown'))
      await t.out(renderExplanation(explanation, flags.output, t.colors));
    if (outcome.cachedHits > 0)
      t.err(
        t.colors.dim(
          `(${outcome.cachedHits} result${outcome.cachedHits === 1 ? '' : 's'} from the cache; --no-cache to recompute)`,
        ),
      );
    if (outcome.inputErrors.length > 0) {
      ctx.setExitCode(2);
      return;
    }
    if (flags.failOn !== undefined) {
      const min = FAIL_LEVELS[flags.failOn];
      const hit = report.findings.filter((f) => SEVERITY[f.severity] >= min);
      if (hit.length > 0) {
        t.err(
          `${hit.length} finding${hit.length === 1 ? '' : 's'} at or above ${flags.failOn}: exit 1`,
        );
        ctx.setExitCode(1);
      }
    }
  });
  return cmd;
}
