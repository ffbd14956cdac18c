import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * NATS servers with JetStream for the bus's tests: Debian's nats-server (installed with apt-get
 * when missing and the run is root), one alone or three in a cluster on loopback, each with its
 * own store folder; a node can be killed and started again.
 */
export interface NatsNode {
  url: string;
  kill(): void;
  start(): Promise<void>;
}
export interface NatsCluster {
  url: string;
  nodes: NatsNode[];
  stop(): void;
}

function binary(): string {
  const known = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p));
  if (known !== undefined) return known;
  if (process.getuid?.() === 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (
      spawnSync('apt-get', ['install', '-y', 'nats-server'], { env, stdio: 'ignore' }).status !== 0
    ) {
      spawnSync('apt-get', ['update'], { env, stdio: 'ignore' });
      spawnSync('apt-get', ['install', '-y', 'nats-server'], { env, stdio: 'ignore' });
    }
  }
  const found = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p));
  if (found === undefined)
    throw new Error(
      'nats-server is not installed: the bus tests need it (apt-get install -y nats-server)',
    );
  return found;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

async function ready(port: number, child: ChildProcess): Promise<void> {
  const { connect } = await import('node:net');
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nats-server exited ${String(child.exitCode)}`);
    const ok = await new Promise<boolean>((r) => {
      const c = connect(port, '127.0.0.1', () => {
        c.destroy();
        r(true);
      });
      c.on('error', () => {
        r(false);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nats-server on ${port} did not start`);
}

/** `size` nodes (1: alone; 3: a cluster whose JetStream keeps 3 replicas). */
export async function startNats(size: 1 | 3): Promise<NatsCluster> {
  const bin = binary();
  const dir = mkdtempSync(join(tmpdir(), 'bifrost-nats-'));
  const ports = await Promise.all(Array.from({ length: size }, () => freePort()));
  const routes = await Promise.all(Array.from({ length: size }, () => freePort()));
  const nodes: NatsNode[] = ports.map((port, i) => {
    let child: ChildProcess | undefined;
    const args = [
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '-js',
      '-sd',
      join(dir, `n${i}`),
      '-n',
      `n${i}`,
    ];
    if (size > 1)
      args.push(
        '--cluster_name',
        'bifrost',
        '--cluster',
        `nats://127.0.0.1:${routes[i]!}`,
        '--routes',
        routes
          .filter((_, j) => j !== i)
          .map((r) => `nats://127.0.0.1:${r}`)
          .join(','),
      );
    const node: NatsNode = {
      url: `nats://127.0.0.1:${port}`,
      kill() {
        if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
        child = undefined;
      },
      async start() {
        child = spawn(bin, args, { stdio: 'ignore' });
        await ready(port, child);
      },
    };
    return node;
  });
  await Promise.all(nodes.map((n) => n.start()));
  return {
    url: nodes.map((n) => n.url).join(','),
    nodes,
    stop() {
      for (const n of nodes) n.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
