import { tmpdir } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { isAppError } from '../core/errors.js';
import { defaultCacheDir } from '../adapters/cache/result-cache.js';
import type { CliContext } from './context.js';
import { createTerminal } from './render/terminal.js';
import { VERSION } from './version.js';

export { VERSION };

/**
 * The commands in the order of `bifrost --help`, each loaded when asked for: a run loads only its
 * own command's modules (`rca` no longer loads the server, the OTLP decoders, the worker pool and
 * the post-quantum enrolment: start-up 0.3 s -> 0.2 s).
 */
const COMMANDS: Record<string, () => Promise<(ctx: CliContext) => Command>> = {
  analyze: async () => (await import('./commands/analyze.js')).analyzeCommand,
  parse: async () => (await import('./commands/parse.js')).parseCommand,
  templates: async () => (await import('./commands/templates.js')).templatesCommand,
  detect: async () => (await import('./commands/detect.js')).detectCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  keys: async () => (await import('./commands/keys.js')).keysCommand,
  enrol: async () => (await import('./commands/enrol.js')).enrolCommand,
  import: async () => (await import('./commands/import.js')).importCommand,
  incidents: async () => (await import('./commands/incidents.js')).incidentsCommand,
  rca: async () => (await import('./commands/rca.js')).rcaCommand,
  explain: async () => (await import('./commands/explain.js')).explainCommand,
};

/** The command a run names (its first word that is not an option), or every command (help, a typo). */
async function commandsFor(argv: readonly string[]): Promise<((ctx: CliContext) => Command)[]> {
  const named = argv.slice(2).find((a) => !a.startsWith('-'));
  const load = named !== undefined && Object.hasOwn(COMMANDS, named) ? COMMANDS[named] : undefined;
  if (load !== undefined) return [await load()];
  return Promise.all(Object.values(COMMANDS).map((l) => l()));
}

export interface MainDeps {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
}

/** Exit codes: 0 done, 1 a finding reached --fail-on, 2 usage or input error. */
export async function main(argv: readonly string[], deps?: Partial<MainDeps>): Promise<number> {
  const d: MainDeps = {
    stdin: deps?.stdin ?? process.stdin,
    stdout: deps?.stdout ?? process.stdout,
    stderr: deps?.stderr ?? process.stderr,
    env: deps?.env ?? process.env,
    now: deps?.now ?? (() => new Date()),
  };
  // the AWS SDK warns on every run that its 2027 releases need Node 22: a note for maintainers (README), not for each `--llm bedrock`
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const terminal = createTerminal(d);
  let exitCode = 0;
  // `bifrost parse big.log | head`: a closed pipe ends the output quietly
  d.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(exitCode);
  });
  const ctx: CliContext = {
    terminal,
    version: VERSION,
    stdin: d.stdin,
    stdout: d.stdout,
    onSignals: (handler) => {
      let fired = false;
      const once = (sig: NodeJS.Signals) => {
        if (fired) return;
        fired = true;
        handler(sig);
      };
      process.once('SIGTERM', once);
      process.once('SIGINT', once);
    },
    onReload: (handler) => {
      process.on('SIGHUP', handler);
    },
    env: d.env,
    now: d.now,
    defaultCacheDir: defaultCacheDir(d.env),
    tmpDir: d.env.TMPDIR ?? tmpdir(),
    setExitCode: (c) => {
      exitCode = Math.max(exitCode, c);
    },
    parseIntOption: (name, min) => (value) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < min)
        throw new InvalidArgumentError(`${name} takes a whole number ≥ ${min}, got "${value}"`);
      return n;
    },
  };
  const program = new Command('bifrost')
    .description(
      'Bifrost finds what is abnormal in your logs and shows the evidence — locally, in one command.',
    )
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => d.stdout.write(s),
      writeErr: (s) => d.stderr.write(s),
      outputError: (s, write) => {
        write(terminal.colors.red(s));
      },
    })
    .addHelpText(
      'after',
      `\nQuick start:\n  kubectl logs deploy/api | bifrost analyze\n  bifrost analyze examples/k8s-incident/\n  bifrost detect examples/metrics/\n  bifrost serve                  # OTLP/HTTP on 127.0.0.1:4318, REST API, /docs\n  bifrost incidents; bifrost rca --at "2026-11-23 10:05"   # against the store\n  bifrost explain <incident> --llm   # a local Ollama model explains it, citing the evidence\n\nRun 'bifrost <command> --help' for a command's options and examples.`,
    );
  for (const command of await commandsFor(argv)) program.addCommand(command(ctx));
  program.exitOverride();
  const override = (c: Command): void => {
    c.exitOverride();
    // a command made elsewhere and added does not inherit the output: its help and errors go to deps
    c.configureOutput(program.configureOutput());
    c.commands.forEach(override);
  };
  program.commands.forEach(override);
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return 0;
      if (err.code === 'commander.executeSubCommandAsync') return exitCode;
      return 2;
    }
    if (isAppError(err)) {
      terminal.err(`${terminal.colors.red('error:')} ${err.message}`);
      return 2;
    }
    terminal.err(
      `${terminal.colors.red('internal error:')} ${(err as Error).stack ?? String(err)}\nThis is a bug in Bifrost; please report it with the command you ran.`,
    );
    return 70;
  }
}
