import { Command, InvalidArgumentError, Option } from 'commander';
import { hybridEnrolCrypto } from '../../adapters/crypto/hybrid-enrolment.js';
import { nodeKeyCrypto } from '../../adapters/crypto/node-key-crypto.js';
import { KEY_SCOPES } from '../../core/domain/api-key.js';
import type { KeyScope } from '../../core/domain/api-key.js';
import { enrolTokenView, keyView } from '../../views/keys.js';
import { parseDuration } from '../../core/domain/time-text.js';
import { Enrolment } from '../../core/use-cases/enrolment.js';
import { AppError } from '../../core/errors.js';
import { ApiKeys } from '../../core/use-cases/api-keys.js';
import type { CliContext } from '../context.js';
import { pad } from '../render/format.js';
import { openStore, storeOption } from '../open-store.js';
import type { StoreFlags } from '../open-store.js';

async function withKeys<T>(
  ctx: CliContext,
  where: StoreFlags,
  fn: (keys: ApiKeys, enrolment: Enrolment) => Promise<T>,
): Promise<T> {
  const { stores } = await openStore(
    ctx,
    where,
    'manage keys through its API (POST/GET/DELETE /api/v1/keys, POST /api/v1/keys/enrol-tokens, with an admin key)',
  );
  try {
    const keys = new ApiKeys(stores.history, nodeKeyCrypto, Date.now);
    return await fn(keys, new Enrolment(stores.history, hybridEnrolCrypto, keys, Date.now));
  } finally {
    await stores.telemetry.close();
  }
}

/** How a key was issued, in a few words: "enrolled from 10.0.0.7 (token AbCd1234)". */
function originText(o: ReturnType<typeof keyView>['origin']): string {
  if (o === null) return 'by hand';
  if (o.via === 'enrolment') return `enrolled from ${o.address ?? '?'} (token ${o.token ?? '?'})`;
  return o.via === 'api' ? `API${o.address === null ? '' : ` from ${o.address}`}` : 'CLI';
}

export function keysCommand(ctx: CliContext): Command {
  const cmd = new Command('keys').description(
    'API keys of the server: create (shown once), list, revoke. Only a SHA-256 of each key is stored.',
  );
  cmd.addHelpText(
    'after',
    `
Scopes: ingest (OTLP /v1/*), read (GET /api/v1/*), admin (everything, and the tenant's keys).
Every request with a key sees only its tenant's data.

Examples:
  bifrost keys create --scope ingest --tenant shop --name otel-collector
  bifrost keys enrol-token --scope ingest --tenant shop --ttl 1h   # then, on the host:
  bifrost enrol --server https://bifrost:4318 --token bfe_… --key-file /etc/otelcol/bifrost.key
  bifrost keys list
  bifrost keys revoke AbCd1234`,
  );
  cmd
    .command('create')
    .description('create a key and print it (the only time it is shown)')
    .addOption(
      new Option('--scope <scope>', 'what the key may do')
        .choices([...KEY_SCOPES])
        .makeOptionMandatory(),
    )
    .requiredOption('--tenant <name>', 'whose data the key reaches (letters, digits, . _ -)')
    .option('--name <text>', 'a note to recognise it by', '')
    .option('--data <dir>', "the server's data directory [env BIFROST_DATA]")
    .addOption(storeOption())
    .action(
      async (flags: {
        scope: KeyScope;
        tenant: string;
        name: string;
        data?: string;
        store?: string;
      }) => {
        const { key, record } = await withKeys(ctx, flags, (k) =>
          k.create({
            tenant: flags.tenant,
            scope: flags.scope,
            name: flags.name,
            origin: { via: 'cli' },
          }),
        );
        await ctx.terminal.out(`${key}\n`);
        ctx.terminal.err(
          `key ${record.id} created: tenant ${record.tenant}, scope ${record.scope}. It is shown only now: store it safely. Use it as "Authorization: Bearer <key>" or "x-api-key: <key>".`,
        );
      },
    );
  cmd
    .command('list')
    .description(
      'the keys (no secrets): id, tenant, scope, created, state, how issued (by hand, or enrolled from which address with which token), name',
    )
    .option('--data <dir>', "the server's data directory [env BIFROST_DATA]")
    .addOption(storeOption())
    .addOption(
      new Option('-o, --output <format>', 'format').choices(['text', 'json']).default('text'),
    )
    .action(async (flags: { data?: string; output: 'text' | 'json' }) => {
      const rows = (await withKeys(ctx, flags, (k) => k.list())).map(keyView);
      if (flags.output === 'json') return ctx.terminal.out(JSON.stringify(rows, null, 2) + '\n');
      if (rows.length === 0)
        return ctx.terminal.out('no keys yet (bifrost keys create --scope … --tenant …)\n');
      return ctx.terminal.out(
        rows
          .map(
            (r) =>
              `${pad(r.id, 9)} ${pad(r.tenant, 16)} ${pad(r.scope, 7)} ${pad(r.created.slice(0, 19), 20)} ${r.revoked === null ? 'active ' : 'revoked'} ${pad(originText(r.origin), 44)} ${r.name}`,
          )
          .join('\n') + '\n',
      );
    });
  cmd
    .command('enrol-token')
    .description(
      'a one-time token that lets one collector or agent host enrol (bifrost enrol): printed once, only a one-way verifier is stored',
    )
    .addOption(
      new Option('--scope <scope>', 'what the issued key may do')
        .choices([...KEY_SCOPES])
        .makeOptionMandatory(),
    )
    .requiredOption('--tenant <name>', 'whose data the issued key reaches')
    .option(
      '--ttl <duration>',
      'how long the token can be used: 1m to 30d (15m, 1h, 7d)',
      (v: string) => {
        const ms = parseDuration(v);
        if (ms === undefined)
          throw new InvalidArgumentError(`expected a duration like 15m, 1h or 7d, got "${v}"`);
        return ms;
      },
      3_600_000,
    )
    .option('--name <text>', 'a note for the issued key (the host may give its own name)', '')
    .option('--data <dir>', "the server's data directory [env BIFROST_DATA]")
    .addOption(storeOption())
    .action(
      async (flags: {
        scope: KeyScope;
        tenant: string;
        ttl: number;
        name: string;
        data?: string;
        store?: string;
      }) => {
        const { token, record } = await withKeys(ctx, flags, (_k, e) =>
          e.createToken({
            tenant: flags.tenant,
            scope: flags.scope,
            ttlMs: flags.ttl,
            name: flags.name,
          }),
        );
        await ctx.terminal.out(`${token}\n`);
        ctx.terminal.err(
          `enrolment token ${record.id}: tenant ${record.tenant}, scope ${record.scope}, one use, until ${new Date(record.expiresMs).toISOString()}. It is shown only now. On the host: bifrost enrol --server <url> --token <token> --key-file <path>`,
        );
      },
    );
  cmd
    .command('tokens')
    .description(
      'the enrolment tokens (no secrets): id, tenant, scope, expiry, used when and for which key',
    )
    .option('--data <dir>', "the server's data directory [env BIFROST_DATA]")
    .addOption(storeOption())
    .addOption(
      new Option('-o, --output <format>', 'format').choices(['text', 'json']).default('text'),
    )
    .action(async (flags: { data?: string; output: 'text' | 'json' }) => {
      const now = Date.now();
      const rows = (await withKeys(ctx, flags, (_k, e) => e.listTokens())).map((t) =>
        enrolTokenView(t, now),
      );
      if (flags.output === 'json') return ctx.terminal.out(JSON.stringify(rows, null, 2) + '\n');
      if (rows.length === 0)
        return ctx.terminal.out(
          'no enrolment tokens yet (bifrost keys enrol-token --scope … --tenant …)\n',
        );
      return ctx.terminal.out(
        rows
          .map(
            (r) =>
              `${pad(r.id, 9)} ${pad(r.tenant, 16)} ${pad(r.scope, 7)} ${pad(r.state, 8)} until ${r.expires.slice(0, 19)}${r.key === null ? '' : ` → key ${r.key}`} ${r.name}`,
          )
          .join('\n') + '\n',
      );
    });
  cmd
    .command('revoke')
    .description('revoke a key by its id (it stops working at once)')
    .argument('<id>', 'the key id (the 8 characters after bfk_)')
    .option('--data <dir>', "the server's data directory [env BIFROST_DATA]")
    .addOption(storeOption())
    .action(async (id: string, flags: { data?: string; store?: string }) => {
      const found = await withKeys(ctx, flags, (k) => k.revoke(id));
      if (!found)
        throw new AppError(
          'INPUT.NOT_FOUND',
          `no key with id ${id} (bifrost keys list shows them)`,
        );
      ctx.terminal.err(`key ${id} revoked.`);
    });
  return cmd;
}
