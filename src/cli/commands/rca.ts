import { Command, Option } from 'commander';
import { TENANT_PATTERN } from '../../core/domain/api-key.js';
import { parseDuration, parseInstant } from '../../core/domain/time-text.js';
import { AppError } from '../../core/errors.js';
import type { RcaResult } from '../../core/use-cases/root-cause-analysis.js';
import { analyzeRootCause } from '../../core/use-cases/root-cause-analysis.js';
import { rcaView } from '../../views/rca.js';
import type { CliContext } from '../context.js';
import { openStore, storeOption } from '../open-store.js';
import { renderRca } from '../render/rca.js';

interface RcaFlags {
  at: string;
  window: string;
  reference: string;
  data?: string;
  store?: string;
  tenant: string;
  top: number;
  output: 'text' | 'json';
}

/** --at, --window, --reference and --tenant, checked; shared with `incidents`. */
export function readTimeFlag(name: string, text: string): number {
  const ms = parseInstant(text);
  if (ms === undefined)
    throw new AppError(
      'INPUT.BAD_OPTION',
      `${name} "${text}": give a time such as 2023-01-29T08:43:04Z, "2023-01-29 08:43:04" (UTC) or epoch seconds`,
    );
  return ms;
}

export function readDurationFlag(name: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new AppError(
      'INPUT.BAD_OPTION',
      `${name} "${text}": give a duration such as 30s, 10m, 2h or 1d`,
    );
  return ms;
}

export function checkTenant(tenant: string): void {
  if (!TENANT_PATTERN.test(tenant))
    throw new AppError(
      'INPUT.BAD_OPTION',
      `--tenant "${tenant}": use 1-64 letters, digits, '.', '_' or '-'`,
    );
}

export function rcaCommand(ctx: CliContext): Command {
  const cmd = new Command('rca')
    .description(
      'Rank the services most likely to be the root cause of an alert at a time, with the evidence, from the data in the store',
    )
    .requiredOption(
      '--at <time>',
      'when the alert fired or the trouble began (ISO 8601, "YYYY-MM-DD HH:MM:SS" in UTC, or epoch seconds)',
    )
    .option(
      '--window <duration>',
      'how long after --at to look for symptoms (from a tenth of it before)',
      '10m',
    )
    .option(
      '--reference <duration>',
      'how much data on each side of the window shows usual behaviour',
      '2h',
    )
    .option('--data <dir>', 'the store [env BIFROST_DATA; default $XDG_DATA_HOME/bifrost]')
    .addOption(storeOption())
    .option('--tenant <name>', 'whose data', 'default')
    .option('--top <n>', 'candidates to show', ctx.parseIntOption('--top', 1), 5)
    .addOption(
      new Option('--output <format>', 'text for people, json for programs')
        .choices(['text', 'json'])
        .default('text'),
    );
  cmd.addHelpText(
    'after',
    `
Each service's own evidence in the window is measured against its usual behaviour in the
reference (the kind of each is the "signal" of --output json):
  log      log templates far above their usual rate (new error messages above all)
  flow     a line of code that always follows another stopped while the other went on; or
           calls it makes in step with its requests stopped while its requests went on
  named    others' errors name it ("No instances available for …") and it went silent
  latency  p90 span duration above its usual level
  errors   failed requests above their usual ratio (a request: a span called by another
           service or from outside the traces; failed itself or a span of its own below it);
           those that only passed up a callee's failure count for the callee
  network  calls into it (or out of it) spent far longer outside the called span (network
           delay, requests waiting: a starved network or CPU), judged one direction at a time
  unanswered  its callers' calls to it (CLIENT spans naming it) failed with no span of its
           own below them, where it usually answers: down or unreachable
  latency, errors of a dependency without spans of its own (a database, a cache, an outside
           API): the calls its callers' CLIENT spans made to it (db.system, server.address …)
           were slower or failed more than usual; it is ranked as a service by that name
           (a p90 of few calls counts in full when a caller grew as much slower at once)
  silent   it left no span or record in minutes where it always did, while the others went on
           and a service that calls it failed (shared when others fell silent with it)
  metric   its own resource metrics (CPU, memory, network bytes…) beyond their usual for
           minutes, read from the stored points; or anomalies found at ingest
  change   a rollout, restart or OOM kill shortly before
The service graph from the traces then moves the ranking: a service that abnormal callers
depend on explains their symptoms and rises; one whose abnormal callee could explain its own
symptoms (in the minute they began, and as far as the callee's slowness adds up) sinks.
Scores run from 0 to 1. Each signal scores how plainly it departs from the service's usual
(rising towards 1 with the departure, weighted by its kind; less for few records or spans, or
an onset long after --at); a service's signals of different kinds combine as independent
evidence, 1 − Π(1 − s), before the graph moves them. They rank the candidates; they are not
probabilities.

Examples:
  bifrost import --format nezha ../shared/data/nezha-trainticket --data ./nezha
  bifrost rca --at "2023-01-29 09:03:53" --data ./nezha
  bifrost rca --at 2023-01-29T09:03:53Z --window 5m --output json --data ./nezha`,
  );
  cmd.action(async (flags: RcaFlags) => {
    const atMs = readTimeFlag('--at', flags.at);
    const windowMs = readDurationFlag('--window', flags.window);
    const referenceMs = readDurationFlag('--reference', flags.reference);
    checkTenant(flags.tenant);
    const { stores } = await openStore(ctx, flags, 'ask its API (GET /api/v1/rca?at=…)');
    let result: RcaResult;
    try {
      result = await analyzeRootCause(stores.telemetry, flags.tenant, {
        atMs,
        windowMs,
        referenceMs,
      });
    } finally {
      await stores.telemetry.close();
    }
    if (flags.output === 'json') {
      await ctx.terminal.out(`${JSON.stringify(rcaView(result, flags.top), null, 2)}\n`);
      return;
    }
    await ctx.terminal.out(renderRca(result, flags.top, ctx.terminal));
  });
  return cmd;
}
