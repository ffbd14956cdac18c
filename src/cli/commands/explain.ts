import { Command, Option } from 'commander';
import type { Explanation } from '../../core/domain/explanation.js';
import type { Incident } from '../../core/domain/incident.js';
import { AppError } from '../../core/errors.js';
import type { HistoryStorePort } from '../../core/ports/history-store.port.js';
import { incidentContext } from '../../core/use-cases/explain-inputs.js';
import type { CliContext } from '../context.js';
import { openStore, storeOption } from '../open-store.js';
import { renderExplanation } from '../render/explanation.js';
import { isoTime, pad } from '../render/format.js';
import { addLlmOptions, cliExplainer, explainForCli, llmConfigOf } from './llm-options.js';
import type { LlmFlags } from './llm-options.js';
import { checkTenant } from './rca.js';

interface ExplainFlags extends LlmFlags {
  data?: string;
  store?: string;
  tenant: string;
  compare?: string;
  output: 'text' | 'markdown' | 'json';
}

/** The incident with this id, or the one whose id starts with it (a unique prefix). */
async function findIncident(
  history: Pick<HistoryStorePort, 'getIncident' | 'listIncidents'>,
  tenant: string,
  id: string,
): Promise<Incident> {
  const exact = await history.getIncident(tenant, id);
  if (exact !== undefined) return exact;
  const { items } = await history.listIncidents(tenant, { limit: 1000 });
  const matches = items.filter((i) => i.id.startsWith(id));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1)
    throw new AppError(
      'INPUT.BAD_OPTION',
      `"${id}" starts ${matches.length} incident ids (${matches
        .slice(0, 4)
        .map((i) => i.id)
        .join(', ')}…); give more of it`,
      { field: 'incident' },
    );
  const hint =
    items.length === 0
      ? 'the store has no incidents: run `bifrost incidents` first (it finds and keeps them)'
      : `\`bifrost incidents\` lists them (newest: ${items
          .slice(0, 3)
          .map((i) => i.id)
          .join(', ')})`;
  throw new AppError('INPUT.NOT_FOUND', `no incident "${id}" in tenant "${tenant}": ${hint}`, {
    field: 'incident',
  });
}

function comparison(list: readonly Explanation[]): string {
  const rows = list.map((e) => [
    e.prompt,
    e.status,
    String(
      e.answer === undefined
        ? 0
        : new Set([
            ...e.answer.probableCause.citations,
            ...e.answer.issues.flatMap((i) => i.citations),
          ]).size,
    ),
    String(e.attempts),
    String(e.usage.inputTokens + e.usage.outputTokens),
    `${e.durationMs} ms`,
    e.answer?.probableCause.service ?? '',
  ]);
  const head = ['prompt', 'status', 'cited', 'attempts', 'tokens', 'time', 'probable cause'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return (
    [
      '',
      'Comparison (recorded in the store; GET /api/v1/incidents/<id>/explanations)',
      ...[head, ...rows].map((r) => r.map((c, i) => pad(c, w[i]!)).join('  ')),
    ].join('\n') + '\n'
  );
}

export function explainCommand(ctx: CliContext): Command {
  const cmd = new Command('explain')
    .description(
      'Have a language model explain an incident in plain words, citing the evidence the engine found',
    )
    .argument(
      '<incident>',
      'incident id (or a unique start of it), as `bifrost incidents` lists them',
    )
    .option('--data <dir>', 'the store [env BIFROST_DATA; default $XDG_DATA_HOME/bifrost]')
    .addOption(storeOption())
    .option('--tenant <name>', 'whose data', 'default')
    .option(
      '--compare <version>',
      'also run this prompt version on the same context and compare the two (A/B)',
    )
    .addOption(
      new Option('--output <format>', 'text for people, markdown for a ticket, json for programs')
        .choices(['text', 'markdown', 'json'])
        .default('text'),
    );
  addLlmOptions(cmd, 'the incident');
  cmd.addHelpText(
    'after',
    `
The model reads the incident's subgraph: the ranked root-cause candidates with their reasons,
the evidence behind them (log templates and lines, latency and error shifts with trace
exemplars, metric anomalies; ids e1…), the changes (c1…), the dependencies among the services
and the most similar past incidents (h1…). Secrets and personal data are replaced by
placeholders first; the answer is checked (every issue must cite evidence that exists) and
asked for once more if it fails, else reported as inconclusive. Answers are cached for 24 h.

Examples:
  bifrost explain 3f2a --llm --data ./nezha
  bifrost explain 3f2a --llm openai --model gpt-4o-mini --output markdown > incident.md
  bifrost explain 3f2a --llm --prompt v1 --compare v2        # two prompt versions side by side
  OLLAMA_HOST=gpu-box:11434 bifrost explain 3f2a --llm --model qwen2.5:14b`,
  );
  cmd.action(async (id: string, flags: ExplainFlags) => {
    checkTenant(flags.tenant);
    const config = llmConfigOf(flags, ctx);
    const { stores } = await openStore(ctx, flags, 'use POST /api/v1/incidents/<id>/explain');
    const explainer = cliExplainer(ctx, config, stores.history);
    const t = ctx.terminal;
    const results: Explanation[] = [];
    let incident: Incident;
    try {
      // prompt versions checked before any work
      const prompts = [
        explainer.prompt('incident'),
        ...(flags.compare === undefined ? [] : [explainer.prompt('incident', flags.compare)]),
      ];
      incident = await findIncident(stores.history, flags.tenant, id);
      const context = await incidentContext(
        stores,
        flags.tenant,
        incident,
        explainer.contextChars,
        explainer.embed,
      );
      for (const prompt of prompts) {
        results.push(
          await explainForCli(ctx, explainer, {
            tenant: flags.tenant,
            subject: `incident:${incident.id}`,
            context,
            prompt,
            fresh: !flags.llmCache,
            stream: flags.output === 'text',
          }),
        );
      }
    } finally {
      await stores.telemetry.close();
    }
    if (results.some((e) => e.status === 'unavailable'))
      t.err(
        `${t.colors.yellow('note:')} ${results.find((e) => e.status === 'unavailable')?.note ?? ''}`,
      );
    if (flags.output === 'json') {
      await t.out(
        `${JSON.stringify({ incident: incident.id, explanation: results[0], ...(results[1] === undefined ? {} : { compare: results[1] }) }, null, 2)}\n`,
      );
      return;
    }
    const md = flags.output === 'markdown';
    const title = `${md ? '# ' : ''}Incident ${incident.id}: ${incident.title}`;
    const top = incident.causes[0];
    await t.out(
      `${md ? title : t.colors.bold(title)}\n${incident.status}, ${isoTime(incident.firstSymptomMs)} to ${isoTime(incident.lastSymptomMs)}; services ${incident.services.join(', ')}${top === undefined ? '' : `; top cause (deterministic) ${top.service} ${top.score.toFixed(2)}`}\n`,
    );
    for (const e of results) await t.out(renderExplanation(e, md ? 'markdown' : 'text', t.colors));
    if (results.length > 1) await t.out(comparison(results));
  });
  return cmd;
}
