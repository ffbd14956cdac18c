import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway PostgreSQL cluster for one test run (the shared store's contract and end-to-end
 * tests): Debian's postgresql binaries, initdb in a temporary folder, trust authentication on
 * 127.0.0.1 only, fsync off. Installed with apt-get when missing and the run is root (as .ci/run
 * does for Chromium). PostgreSQL refuses to run as root: then it runs as the postgres user.
 */
export interface TestCluster {
  url: string;
  stop(): void;
  /** Stops the database (fast: open connections are cut) and starts it again on the same port. */
  pause?(): void;
  resume?(): void;
}

function binDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(base, versions[0], 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

/** BIFROST_TEST_POSTGRES_URL when set (a database the tests may create schemas in), else a cluster of its own. */
export async function testPostgres(): Promise<TestCluster> {
  const url = process.env.BIFROST_TEST_POSTGRES_URL;
  return url !== undefined && url !== '' ? { url, stop: () => undefined } : startTestCluster();
}

let schemas = 0;
/** A schema no other store of the run uses (each store of a contract test starts empty). */
export const freshSchema = (): string => `t${process.pid}_${Date.now().toString(36)}_${schemas++}`;

export async function startTestCluster(): Promise<TestCluster> {
  let bin = binDir();
  const root = process.getuid?.() === 0;
  if (bin === undefined && root) {
    process.stderr.write('apt-get install postgresql (the shared store tests)\n');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (
      spawnSync('apt-get', ['install', '-y', 'postgresql'], { env, stdio: 'ignore' }).status !== 0
    ) {
      spawnSync('apt-get', ['update'], { env, stdio: 'ignore' });
      spawnSync('apt-get', ['install', '-y', 'postgresql'], { env, stdio: 'ignore' });
    }
    bin = binDir();
  }
  if (bin === undefined)
    throw new Error(
      'PostgreSQL is not installed (/usr/lib/postgresql/*/bin): the shared store tests need it. Install it with `apt-get install -y postgresql`, or set BIFROST_TEST_POSTGRES_URL to a database the tests may create schemas in',
    );
  // the run's own temporary folder is root's alone: the postgres user gets a folder in /tmp
  const dir = mkdtempSync(join(root ? '/tmp' : tmpdir(), 'bifrost-pg-'));
  const as = root ? ['runuser', '-u', 'postgres', '--'] : [];
  if (root)
    chownSync(
      dir,
      Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
      Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
    );
  const run = (cmd: string, args: string[]) => {
    const [file, ...rest] = [...as, join(bin, cmd), ...args];
    execFileSync(file!, rest, { stdio: 'ignore' });
  };
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  run('initdb', [
    '-D',
    join(dir, 'data'),
    '--auth=trust',
    '--username=postgres',
    '--encoding=UTF8',
    '--locale=C.UTF-8',
  ]);
  run('pg_ctl', ['-D', join(dir, 'data'), '-w', '-l', join(dir, 'log'), '-o', options, 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    pause() {
      run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
    },
    resume() {
      run('pg_ctl', [
        '-D',
        join(dir, 'data'),
        '-w',
        '-l',
        join(dir, 'log'),
        '-o',
        options,
        'start',
      ]);
    },
    stop() {
      try {
        run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
