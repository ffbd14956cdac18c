import { join } from 'node:path';
import { createStores } from '../adapters/wiring.js';
import type { Stores } from '../adapters/wiring.js';
import { AppError, isAppError } from '../core/errors.js';
import type { CliContext } from './context.js';
import { defaultDataDir } from './data-dir.js';

/**
 * Opens the store under --data (or the default data folder). A running `bifrost serve` holds it;
 * that gets advice (`whileServing`: what to do instead) rather than a stack trace.
 */
export async function openStore(
  ctx: CliContext,
  data: string | undefined,
  whileServing: string,
): Promise<{ dataFile: string; stores: Stores }> {
  const dataFile = join(data ?? defaultDataDir(ctx.env), 'bifrost.duckdb');
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
