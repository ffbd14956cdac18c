import { workloadOf } from './workload.js';

/**
 * The service a log file belongs to: the Kubernetes workload for pod logs
 * (`/var/log/pods/<ns>_<pod>_<uid>/<container>/0.log`, `/var/log/containers/<pod>_<ns>_<container>-<id>.log`),
 * else the file name up to its first dot, without replica hashes (`checkout-api.containerd.log` → `checkout-api`),
 * dates or rotation numbers (`api-2026-11-20.log`, `api.log.1` → `api`); a name that only says
 * what kind of log it is takes its folder's (`/var/log/nginx/access.log` → `nginx`).
 */
export function serviceOfSource(name: string): string {
  if (name === '-') return 'stdin';
  const parts = name.split(/[\\/]/);
  const pods = parts.lastIndexOf('pods');
  if (pods >= 0 && parts.length >= pods + 4) {
    const dir = parts[pods + 1]!.split('_');
    if (dir.length === 3 && dir[1] !== '') return workloadOf(dir[1]!);
  }
  const base = parts.at(-1) ?? name;
  const container = /^([a-z0-9][a-z0-9.-]*)_[a-z0-9-]+_.+-[0-9a-f]{64}\.log$/.exec(base);
  if (container !== null) return workloadOf(container[1]!);
  // rotated or dated copies are the same service: api-2026-11-20.log, api_20261120T1000.log, api-3.log
  const first = base.split('.')[0]!;
  const undated = first.replace(DATED, '');
  const stem = /[A-Za-z]/.test(undated) ? undated : first;
  if (stem === '') return base;
  // a name that says what kind of log, not whose (nginx/access.log, api/current): its folder's
  const dir = parts.at(-2);
  if (
    GENERIC.has(stem.toLowerCase()) &&
    dir !== undefined &&
    /[A-Za-z]/.test(dir) &&
    !GENERIC.has(dir.toLowerCase())
  )
    return workloadOf(dir);
  return workloadOf(stem);
}

/**
 * File names that say what kind of log a file is, not whose it is (`/var/log/nginx/access.log`,
 * runit's `/var/log/api/current`, `svc/app.log`), and folder names that say nothing more.
 */
const GENERIC = new Set([
  'access',
  'error',
  'errors',
  'app',
  'application',
  'server',
  'service',
  'main',
  'output',
  'out',
  'stdout',
  'stderr',
  'console',
  'current',
  'debug',
  'info',
  'log',
  'logs',
  'var',
  'tmp',
]);

/** The files of one service, read as one log: oldest first. */
export interface LogStream {
  service: string;
  names: string[];
}

/** logrotate's copies: `api.log.1` is newer than `api.log.2.gz`, and `api.log` newer than both. */
const ROTATED = /\.(\d{1,4})(?:\.gz)?$/;
/** A date or copy number at the end of a file name's stem (`api-2026-11-20`, `api_20261120T1000`, `api-3`). */
const DATED = /[-_](?:\d{4}-?\d{2}-?\d{2}(?:[T_-]?\d{2,6})?|\d{1,3})$/;

/**
 * Groups files into the logs of their services (serviceOfSource): rotated copies, dated files,
 * a pod's restarts and a workload's replicas are one log, so a message is judged new, bursting
 * or rare against all of its service's lines, not one file's, and is one finding, not one per
 * file. Within a stream the files are ordered oldest first as their names tell (logrotate's
 * `.N` copies highest first, then the others by name: dates and kubelet's restart counts ascend),
 * which matters only to lines without timestamps. Streams keep the order of their first file.
 */
export function logStreams(names: readonly string[]): LogStream[] {
  const streams = new Map<string, string[]>();
  for (const name of names) {
    const service = serviceOfSource(name);
    const list = streams.get(service);
    if (list === undefined) streams.set(service, [name]);
    else if (!list.includes(name)) list.push(name);
  }
  return [...streams].map(([service, list]) => ({ service, names: list.sort(olderFirst) }));
}

/** 0: a logrotate copy, 1: a dated or numbered file, 2: the live file. */
function age(name: string): number {
  const base = name.split(/[\\/]/).at(-1) ?? name;
  if (ROTATED.test(base)) return 0;
  return DATED.test(base.split('.')[0]!) ? 1 : 2;
}

function olderFirst(a: string, b: string): number {
  const ga = age(a);
  const gb = age(b);
  if (ga !== gb) return ga - gb;
  if (ga === 0) return Number(ROTATED.exec(b)![1]) - Number(ROTATED.exec(a)![1]) || natural(a, b);
  return natural(a, b);
}

/** Names compared with their numbers as numbers (`9.log` before `10.log`). */
function natural(a: string, b: string): number {
  const x = a.match(/\d+|\D+/g) ?? [];
  const y = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (p === q) continue;
    const np = /^\d/.test(p) && /^\d/.test(q) ? Number(p) - Number(q) : 0;
    if (np !== 0) return np;
    return p < q ? -1 : 1;
  }
  return x.length - y.length;
}
