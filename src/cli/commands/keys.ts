import { Command, Option } from 'commander';
import { nodeKeyCrypto } from '../../adapters/crypto/node-key-crypto.js';
import { KEY_SCOPES } from '../../core/domain/api-key.js';
import type { KeyScope } from '../../core/domain/api-key.js';
import { AppError } from '../../core/errors.js';
import { ApiKeys } from '../../core/use-cases/api-keys.js';
import type { CliContext } from '../context.js';
import { pad } from '../render/format.js';
import { openStore } from '../open-store.js';

async function withKeys<T>(
  ctx: CliContext,
  data: string | undefined,
  fn: (keys: ApiKeys) => Promise<T>,
): Promise<T> {
  const { stores } = await openStore(
    ctx,
    data,
    'manage keys through its API (POST/GET/DELETE /api/v1/keys with an admin key)',
  );
  try {
    return await fn(new ApiKeys(stores.history, nodeKeyCrypto, Date.now));
  } finally {
    await stores.telemetry.close();
  }
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
    .action(async (flags: { scope: KeyScope; tenant: string; name: string; data?: string }) => {
      const { key, record } = await withKeys(ctx, flags.data, (k) =>
        k.create({ tenant: flags.tenant, scope: flags.scope, name: flags.name }),
      );
      await ctx.terminal.out(`${key}\n`);
      ctx.terminal.err(
        `key ${record.id} created: tenant ${record.tenant}, scope ${record.scope}. It is shown only now: store it safely. Use it as "Authorization: Bearer <key>" or "x-api-key: <key>".`,
      );
    });
  cmd
    .command('list')
    .description('the keys (no secrets): id, tenant, scope, name, created, revoked')
    .option('--data <dir>', "the server's data directory [env BIFROST_DATA]")
    .addOption(
      new Option('-o, --output <format>', 'format').choices(['text', 'json']).default('text'),
    )
    .action(async (flags: { data?: string; output: 'text' | 'json' }) => {
      const list = await withKeys(ctx, flags.data, (k) => k.list());
      const rows = list.map((k) => ({
        id: k.id,
        tenant: k.tenant,
        scope: k.scope,
        name: k.name,
        created: new Date(k.createdMs).toISOString(),
        revoked: k.revokedMs === undefined ? null : new Date(k.revokedMs).toISOString(),
      }));
      if (flags.output === 'json') return ctx.terminal.out(JSON.stringify(rows, null, 2) + '\n');
      if (rows.length === 0)
        return ctx.terminal.out('no keys yet (bifrost keys create --scope … --tenant …)\n');
      return ctx.terminal.out(
        rows
          .map(
            (r) =>
              `${pad(r.id, 9)} ${pad(r.tenant, 16)} ${pad(r.scope, 7)} ${pad(r.created.slice(0, 19), 20)} ${r.revoked === null ? 'active ' : 'revoked'} ${r.name}`,
          )
          .join('\n') + '\n',
      );
    });
  cmd
    .command('revoke')
    .description('revoke a key by its id (it stops working at once)')
    .argument('<id>', 'the key id (the 8 characters after bfk_)')
    .option('--data <dir>', "the server's data directory [env BIFROST_DATA]")
    .action(async (id: string, flags: { data?: string }) => {
      const found = await withKeys(ctx, flags.data, (k) => k.revoke(id));
      if (!found)
        throw new AppError(
          'INPUT.NOT_FOUND',
          `no key with id ${id} (bifrost keys list shows them)`,
        );
      ctx.terminal.err(`key ${id} revoked.`);
    });
  return cmd;
}
