/**
 * A PostgreSQL database shared by Bifrost nodes (`--store postgres://…`): the connection pool,
 * the schema (its own PostgreSQL schema, created on first use), day partitions of the record
 * tables, COPY for appends, and named parameters in SQL. The telemetry and history stores are
 * built on one handle.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { AppError } from '../../../core/errors.js';

export interface PostgresOptions {
  /** postgres://user:password@host:port/database (the libpq URL). */
  url: string;
  /** The PostgreSQL schema Bifrost's tables live in (created when missing). */
  schema?: string;
  /** Connections held at most (default 8). */
  maxConnections?: number;
}

/** A day: the record tables are partitioned by day of their time column, and retention drops whole days. */
export const PARTITION_MS = 86_400_000;
/** Times past this (about the year 33658) or not finite go to the default partition, never a day of their own. */
const LARGEST_PARTITIONED_MS = 1e15;

/** The partitioned record tables and their time column. */
export const RECORD_TABLES = {
  logs: 'time_ms',
  spans: 'start_ms',
  metric_points: 'time_ms',
} as const;
export type RecordTable = keyof typeof RECORD_TABLES;

// text columns sort by bytes (COLLATE "C"), as DuckDB and the engine's reference order do
const T = 'text COLLATE "C"';
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS metric_points (
     tenant ${T} NOT NULL, time_ms float8 NOT NULL, name ${T} NOT NULL, kind ${T} NOT NULL,
     value float8 NOT NULL, labels ${T} NOT NULL, service ${T}, namespace ${T}, pod ${T},
     container ${T}, node ${T}, host ${T}, count float8, sum float8, cumulative boolean NOT NULL)
   PARTITION BY RANGE (time_ms)`,
  `CREATE TABLE IF NOT EXISTS metric_points_default PARTITION OF metric_points DEFAULT`,
  `CREATE INDEX IF NOT EXISTS metric_points_by_time ON metric_points (tenant, time_ms)`,
  `CREATE TABLE IF NOT EXISTS findings (
     tenant ${T} NOT NULL, id ${T} NOT NULL, kind ${T} NOT NULL, time_ms float8 NOT NULL,
     score float8 NOT NULL, reason ${T} NOT NULL, metric ${T} NOT NULL, labels ${T} NOT NULL,
     resource ${T} NOT NULL, detail ${T} NOT NULL, evidence ${T} NOT NULL, PRIMARY KEY (tenant, id))`,
  `CREATE INDEX IF NOT EXISTS findings_by_time ON findings (tenant, time_ms)`,
  `CREATE TABLE IF NOT EXISTS logs (
     tenant ${T} NOT NULL, id ${T} NOT NULL, time_ms float8 NOT NULL, severity integer NOT NULL,
     severity_text ${T} NOT NULL, body ${T} NOT NULL, service ${T}, namespace ${T}, pod ${T},
     container ${T}, node ${T}, host ${T}, attributes ${T} NOT NULL, trace_id ${T} NOT NULL,
     span_id ${T} NOT NULL, template_id ${T} NOT NULL, template ${T} NOT NULL, params ${T} NOT NULL)
   PARTITION BY RANGE (time_ms)`,
  `CREATE TABLE IF NOT EXISTS logs_default PARTITION OF logs DEFAULT`,
  `CREATE INDEX IF NOT EXISTS logs_by_time ON logs (tenant, time_ms)`,
  // peer: the peer a span names (domain peerOf), found once when it is written
  `CREATE TABLE IF NOT EXISTS spans (
     tenant ${T} NOT NULL, trace_id ${T} NOT NULL, span_id ${T} NOT NULL, parent_span_id ${T} NOT NULL,
     name ${T} NOT NULL, kind integer NOT NULL, start_ms float8 NOT NULL, end_ms float8 NOT NULL,
     status_code integer NOT NULL, status_message ${T} NOT NULL, service ${T}, namespace ${T}, pod ${T},
     container ${T}, node ${T}, host ${T}, attributes ${T} NOT NULL, peer ${T},
     UNIQUE (tenant, trace_id, span_id, start_ms))
   PARTITION BY RANGE (start_ms)`,
  `CREATE TABLE IF NOT EXISTS spans_default PARTITION OF spans DEFAULT`,
  `CREATE INDEX IF NOT EXISTS spans_by_time ON spans (tenant, start_ms)`,
  `CREATE TABLE IF NOT EXISTS api_keys (
     id ${T} PRIMARY KEY, hash ${T} NOT NULL, tenant ${T} NOT NULL, scope ${T} NOT NULL, name ${T} NOT NULL,
     created_ms float8 NOT NULL, revoked_ms float8, origin ${T})`,
  `CREATE TABLE IF NOT EXISTS analyses (
     tenant ${T} NOT NULL, id ${T} NOT NULL, created_ms float8 NOT NULL, name ${T} NOT NULL,
     lines bigint NOT NULL, findings integer NOT NULL, report ${T} NOT NULL, PRIMARY KEY (tenant, id))`,
  `CREATE TABLE IF NOT EXISTS incidents (
     tenant ${T} NOT NULL, id ${T} NOT NULL, first_ms float8 NOT NULL, status ${T} NOT NULL, body ${T} NOT NULL,
     PRIMARY KEY (tenant, id))`,
  `CREATE TABLE IF NOT EXISTS llm_cache (key ${T} PRIMARY KEY, expires_ms float8 NOT NULL, body ${T} NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS llm_usage (day ${T} PRIMARY KEY, tokens bigint NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS explanations (
     tenant ${T} NOT NULL, id ${T} NOT NULL, subject ${T} NOT NULL, created_ms float8 NOT NULL, body ${T} NOT NULL,
     PRIMARY KEY (tenant, id))`,
  `CREATE TABLE IF NOT EXISTS written_keys (key ${T} PRIMARY KEY, at_ms float8 NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS enrol_tokens (
     id ${T} PRIMARY KEY, verifier ${T} NOT NULL, tenant ${T} NOT NULL, scope ${T} NOT NULL,
     name ${T} NOT NULL, created_ms float8 NOT NULL, expires_ms float8 NOT NULL, used_ms float8, key_id ${T})`,
];

export type SqlValue = string | number | boolean | null | readonly string[] | readonly number[];

/**
 * SQL with named parameters ($tenant, $from) as PostgreSQL's numbered ones ($1, $2), each name
 * bound once however often it appears; a name without a value is a programming error.
 */
export function bind(sql: string, values: Record<string, SqlValue>): [string, SqlValue[]] {
  const order = new Map<string, number>();
  const text = sql.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    if (!Object.hasOwn(values, name)) throw new Error(`no value for $${name}`);
    let i = order.get(name);
    if (i === undefined) order.set(name, (i = order.size + 1));
    return `$${i}`;
  });
  return [text, [...order.keys()].map((k) => values[k]!)];
}

/** A text cell of COPY's text format: backslash escapes; PostgreSQL text holds no NUL (U+FFFD in its place). */
function copyCell(v: string | number | boolean | undefined | null): string {
  if (v === undefined || v === null) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  let out = '';
  let from = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c !== 92 && c !== 10 && c !== 13 && c !== 9 && c !== 0) continue;
    out +=
      v.slice(from, i) +
      (c === 92 ? '\\\\' : c === 10 ? '\\n' : c === 13 ? '\\r' : c === 9 ? '\\t' : '\uFFFD');
    from = i + 1;
  }
  return from === 0 ? v : out + v.slice(from);
}

export type Cell = string | number | boolean | undefined;

/** A row as the stores read it (the columns they select are text, numbers, booleans or NULL). */
export type Row = Record<string, string | number | boolean | null>;

export interface PostgresHandle {
  /** Runs one statement with named parameters on any pooled connection. */
  query(sql: string, values?: Record<string, SqlValue>): Promise<pg.QueryResult>;
  /** query's rows; a closed store or a failing database is STORE.UNAVAILABLE with the database's words. */
  rows(sql: string, values?: Record<string, SqlValue>): Promise<Row[]>;
  /** Runs fn in one transaction on one connection (COMMIT, or ROLLBACK when it throws). */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Creates the day partitions the times fall in (not in a transaction: other nodes may race, and that is fine). */
  ensurePartitions(table: RecordTable, times: Iterable<number>): Promise<void>;
  /** The day partitions of a table that end at or before cutoffMs (retention drops them whole). */
  partitionsBefore(table: RecordTable, cutoffMs: number): Promise<string[]>;
  isOpen(): boolean;
  close(): Promise<void>;
}

export interface Transaction {
  query(sql: string, values?: Record<string, SqlValue>): Promise<pg.QueryResult>;
  /** COPY rows into a table's columns (text format). */
  copy(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly Cell[])[],
  ): Promise<void>;
}

const partitionName = (table: RecordTable, day: number) =>
  `${table}_d${day < 0 ? `m${-day}` : String(day)}`;

/** Whether a PostgreSQL error is the data's fault (class 22: a value out of range, bad text), not the database's. */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('22');
}

/** Connects, creates the schema and its tables when missing; STORE.UNAVAILABLE with advice when it cannot. */
export async function openPostgres(options: PostgresOptions): Promise<PostgresHandle> {
  const schema = options.schema ?? 'bifrost';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new AppError(
      'INPUT.BAD_OPTION',
      `PostgreSQL schema "${schema}" (BIFROST_STORE_SCHEMA): expected lower-case letters, digits and _ (up to 63), starting with a letter or _`,
      { schema },
    );
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 8,
    // every connection works in Bifrost's schema
    options: `-c search_path=${schema}`,
  });
  // an idle connection that the server closed is dropped by the pool, not thrown at the process
  pool.on('error', () => undefined);
  const where = options.url.replace(/\/\/[^@/]*@/, '//');
  try {
    const c = await pool.connect();
    try {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      // one node at a time creates the tables (CREATE ... IF NOT EXISTS races with itself)
      await c.query('SELECT pg_advisory_lock(724562)');
      try {
        for (const sql of SCHEMA) await c.query(sql);
      } finally {
        await c.query('SELECT pg_advisory_unlock(724562)');
      }
    } finally {
      c.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new AppError(
      'STORE.UNAVAILABLE',
      `cannot open the PostgreSQL store at ${where}: ${(err as Error).message} (is PostgreSQL running, and may this user create schema ${schema}?)`,
      { url: where },
      err,
    );
  }
  let open = true;
  const known = new Set<string>();
  const run = (c: pg.Pool | pg.PoolClient, sql: string, values: Record<string, SqlValue> = {}) => {
    const [text, params] = bind(sql, values);
    return c.query(text, params as unknown[]);
  };
  return {
    query: (sql, values) => run(pool, sql, values),
    async rows(sql, values) {
      if (!open) throw new AppError('STORE.UNAVAILABLE', 'the store is closed');
      try {
        return (await run(pool, sql, values)).rows as Row[];
      } catch (err) {
        throw new AppError(
          'STORE.UNAVAILABLE',
          `the PostgreSQL store could not answer: ${(err as Error).message}`,
          {},
          err,
        );
      }
    },
    async transaction(fn) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const tx: Transaction = {
          query: (sql, values) => run(c, sql, values),
          async copy(table, columns, rows) {
            if (rows.length === 0) return;
            const stream = c.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
            const lines = function* () {
              for (const row of rows) yield `${row.map(copyCell).join('\t')}\n`;
            };
            await pipeline(Readable.from(lines()), stream);
          },
        };
        const out = await fn(tx);
        await c.query('COMMIT');
        return out;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release();
      }
    },
    async ensurePartitions(table, times) {
      const days = new Set<number>();
      for (const t of times)
        if (Number.isFinite(t) && Math.abs(t) < LARGEST_PARTITIONED_MS)
          days.add(Math.floor(t / PARTITION_MS));
      for (const day of days) {
        const name = partitionName(table, day);
        if (known.has(name)) continue;
        try {
          await pool.query(
            `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} FOR VALUES FROM (${day * PARTITION_MS}) TO (${(day + 1) * PARTITION_MS})`,
          );
        } catch (err) {
          // another node made it at the same moment
          const code = (err as { code?: string }).code;
          if (code !== '42P07' && code !== '23505' && code !== '42P17') throw err;
        }
        known.add(name);
      }
    },
    async partitionsBefore(table, cutoffMs) {
      const r = await pool.query(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
         JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = $1 AND p.relname = $2 AND c.relname LIKE $3`,
        [schema, table, `${table}\\_d%`],
      );
      return r.rows
        .map((row: { relname: string }) => row.relname)
        .filter((name) => {
          const d = name.slice(table.length + 2);
          const day = d.startsWith('m') ? -Number(d.slice(1)) : Number(d);
          return Number.isInteger(day) && (day + 1) * PARTITION_MS <= cutoffMs;
        })
        .map((name) => {
          known.delete(name);
          return name;
        });
    },
    isOpen: () => open,
    async close() {
      if (!open) return;
      open = false;
      await pool.end();
    },
  };
}
