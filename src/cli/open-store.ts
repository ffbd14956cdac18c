import { join } from 'node:path';
import { Option } from 'commander';
import { checkStoreUrl, createStores } from '../adapters/wiring.js';
import type { Stores } from '../adapters/wiring.js';
import { AppError, isAppError } from '../core/errors.js';
import type { CliContext } from './context.js';
import { defaultDataDir } from './data-dir.js';

/** Where a command finds the store: --data (a folder with the DuckDB file) or --store (a shared PostgreSQL). */
export interface StoreFlags {
  data?: string;
  store?: string;
}

/** --store, for every command that reads or writes the store. */
export const storeOption = (): Option =>
  new Option(
    '--store <url>',
    'a shared PostgreSQL store (postgres://user:password@host:5432/db, as bifrost serve --store) instead of --data [env BIFROST_STORE]',
  );

/**
 * Opens the shared store (--store or BIFROST_STORE), else the store under --data (or the default
 * data folder). A running `bifrost serve` holds a --data store; that gets advice (`whileServing`:
 * what to do instead) rather than a stack trace. A shared store is never held.
 */
export async function openStore(
  ctx: CliContext,
  where: StoreFlags,
  whileServing: string,
): Promise<{ dataFile: string; stores: Stores }> {
  const url = where.store ?? (ctx.env.BIFROST_STORE || undefined);
  if (url !== undefined) {
    checkStoreUrl(url);
    const schema = ctx.env.BIFROST_STORE_SCHEMA || undefined;
    const shared = { url, ...(schema === undefined ? {} : { schema }) };
    return {
      dataFile: url.replace(/\/\/[^@/]*@/, '//'),
      stores: await createStores({ dataFile: undefined, shared }),
    };
  }
  const dataFile = join(where.data ?? defaultDataDir(ctx.env), 'bifrost.duckdb');
  try {
    return { dataFile, stores: await createStores({ dataFile }) };
  } catch (err) {
    if (isAppError(err) && err.code === 'STORE.LOCKED')
      throw new AppError(
        'STORE.LOCKED',
        `${dataFile} is held by a running bifrost serve: stop it, or ${whileServing}`,
        { path: dataFile },
        err,
      );
    throw err;
  }
}
