import { homedir } from 'node:os';
import { join } from 'node:path';

/** The server's data directory: $BIFROST_DATA, else $XDG_DATA_HOME/bifrost, else ~/.local/share/bifrost. */
export function defaultDataDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.BIFROST_DATA) return env.BIFROST_DATA;
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'bifrost');
}
