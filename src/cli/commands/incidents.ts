import { Command, Option } from 'commander';
import type { Incident } from '../../core/domain/incident.js';
import { incidentView } from '../../views/incident.js';
import { IncidentTracker } from '../../core/use-cases/incident-tracker.js';
import type { CliContext } from '../context.js';
import { openStore, storeOption } from '../open-store.js';
import { isoTime } from '../render/format.js';
import { renderIncidents } from '../render/incidents.js';
import { checkTenant, readDurationFlag, readTimeFlag } from './rca.js';

interface IncidentFlags {
  since?: string;
  until?: string;
  reference: string;
  data?: string;
  store?: string;
  tenant: string;
  output: 'text' | 'json';
}

export function incidentsCommand(ctx: CliContext): Command {
  const cmd = new Command('incidents')
    .description(
      'Find the incidents in the data of the store: when each began, which services were abnormal, and the ranked causes',
    )
    .option(
      '--since <time>',
      'from (ISO 8601, "YYYY-MM-DD HH:MM:SS" in UTC, or epoch seconds) [default: the first record]',
    )
    .option('--until <time>', 'to [default: the last record]')
    .option(
      '--reference <duration>',
      'data on each side of a minute that shows usual behaviour',
      '2h',
    )
    .option('--data <dir>', 'the store [env BIFROST_DATA; default $XDG_DATA_HOME/bifrost]')
    .addOption(storeOption())
    .option('--tenant <name>', 'whose data', 'default')
    .addOption(
      new Option('--output <format>', 'text for people, json for programs')
        .choices(['text', 'json'])
        .default('text'),
    );
  cmd.addHelpText(
    'after',
    `
Every minute with data is compared with the usual behaviour around it; a minute in which a
service shows strong evidence of trouble (a new or bursting error message, latency far above
its usual peak, failing spans, metric anomalies) opens an incident or joins the open one; three
quiet minutes end it. Each incident's causes are ranked as \`bifrost rca\` ranks them. The
incidents are kept in the store (an acknowledgement made over the API survives a new scan), so
\`bifrost serve\` lists them at /api/v1/incidents.

Examples:
  bifrost incidents --data ./nezha
  bifrost incidents --since "2023-01-29 08:40" --until "2023-01-29 09:40" --output json --data ./nezha`,
  );
  cmd.action(async (flags: IncidentFlags) => {
    const referenceMs = readDurationFlag('--reference', flags.reference);
    checkTenant(flags.tenant);
    const since = flags.since === undefined ? undefined : readTimeFlag('--since', flags.since);
    const until = flags.until === undefined ? undefined : readTimeFlag('--until', flags.until);
    const { stores } = await openStore(ctx, flags, 'ask its API (GET /api/v1/incidents)');
    let incidents: Incident[] = [];
    let range: { fromMs: number; toMs: number } | undefined;
    try {
      const extent = await stores.telemetry.timeRange(flags.tenant);
      if (extent !== undefined) {
        range = { fromMs: since ?? extent.fromMs, toMs: until ?? extent.toMs + 1 };
        // kept in the store, so that `bifrost serve` lists them and acknowledgements stick
        incidents = (
          await new IncidentTracker({
            telemetry: stores.telemetry,
            history: stores.history,
          }).scanRange(flags.tenant, range.fromMs, range.toMs, referenceMs)
        ).incidents;
      }
    } finally {
      await stores.telemetry.close();
    }
    if (flags.output === 'json') {
      await ctx.terminal.out(
        `${JSON.stringify({ from: range && isoTime(range.fromMs), to: range && isoTime(range.toMs), incidents: incidents.map(incidentView) }, null, 2)}\n`,
      );
      return;
    }
    await ctx.terminal.out(renderIncidents(incidents, range, ctx.terminal));
  });
  return cmd;
}
