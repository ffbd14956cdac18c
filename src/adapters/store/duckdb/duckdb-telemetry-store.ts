import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, DuckDBListValue, listValue } from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
// the reference computations these queries must match (the store contract checks them on random spans)
import { CHILD_SLACK_MS } from '../../../core/engine/aggregates/spans.js';
import type { Finding, FindingKind } from '../../../core/domain/finding.js';
import type { LogResource } from '../../../core/domain/log-record.js';
import type { MetricKind, MetricPoint } from '../../../core/domain/metric-point.js';
import {
  PEER_ATTRIBUTES,
  PEER_URL_ATTRIBUTES,
  SPAN_KIND_CLIENT,
  SPAN_STATUS,
  URL_HOST,
  spanCopyKey,
} from '../../../core/domain/span.js';
import type { Span } from '../../../core/domain/span.js';
import type { StoredLog, TemplateCount } from '../../../core/domain/stored-log.js';
import { MIN_MENTION_LENGTH, mentionPattern } from '../../../core/domain/mention.js';
import { AppError } from '../../../core/errors.js';
import type {
  AppendEntry,
  AppendResult,
  FindingQuery,
  LogQuery,
  MetricName,
  MetricNameQuery,
  MetricQuery,
  Page,
  SeriesQuery,
  SeriesResult,
  OperationStats,
  EdgeStats,
  PeerCallStats,
  ServiceEdge,
  ServiceMetricStats,
  ServiceMention,
  ServiceSpanStats,
  ServiceSummary,
  ServiceTemplateCount,
  SpanQuery,
  TelemetryBatch,
  TelemetryStorePort,
  TemplateCountQuery,
  WindowQuery,
} from '../../../core/ports/telemetry-store.port.js';
import { pageOf, requireCursor } from '../page-cursor.js';
import { entriesToWrite, isEmptyBatch, keysOf } from '../append-entries.js';
import { RecentSpanKeys } from './recent-span-keys.js';
import { SEVERITY } from '../../../core/domain/severity.js';

export interface DuckDbStoreOptions {
  /** Database file (created with its folder), or ':memory:'. */
  path: string;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS metric_points (
     tenant VARCHAR NOT NULL, time_ms DOUBLE NOT NULL, name VARCHAR NOT NULL, kind VARCHAR NOT NULL,
     value DOUBLE NOT NULL, labels VARCHAR NOT NULL, service VARCHAR, namespace VARCHAR, pod VARCHAR,
     container VARCHAR, node VARCHAR, host VARCHAR, count DOUBLE, sum DOUBLE, cumulative BOOLEAN NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS findings (
     tenant VARCHAR NOT NULL, id VARCHAR NOT NULL, kind VARCHAR NOT NULL, time_ms DOUBLE NOT NULL,
     score DOUBLE NOT NULL, reason VARCHAR NOT NULL, metric VARCHAR NOT NULL, labels VARCHAR NOT NULL,
     resource VARCHAR NOT NULL, detail VARCHAR NOT NULL, evidence VARCHAR NOT NULL, PRIMARY KEY (tenant, id))`,
  `CREATE TABLE IF NOT EXISTS logs (
     tenant VARCHAR NOT NULL, id VARCHAR NOT NULL, time_ms DOUBLE NOT NULL, severity INTEGER NOT NULL,
     severity_text VARCHAR NOT NULL, body VARCHAR NOT NULL, service VARCHAR, namespace VARCHAR, pod VARCHAR,
     container VARCHAR, node VARCHAR, host VARCHAR, attributes VARCHAR NOT NULL, trace_id VARCHAR NOT NULL,
     span_id VARCHAR NOT NULL, template_id VARCHAR NOT NULL, template VARCHAR NOT NULL, params VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS api_keys (
     id VARCHAR PRIMARY KEY, hash VARCHAR NOT NULL, tenant VARCHAR NOT NULL, scope VARCHAR NOT NULL, name VARCHAR NOT NULL,
     created_ms DOUBLE NOT NULL, revoked_ms DOUBLE)`,
  `CREATE TABLE IF NOT EXISTS analyses (
     tenant VARCHAR NOT NULL, id VARCHAR NOT NULL, created_ms DOUBLE NOT NULL, name VARCHAR NOT NULL,
     lines BIGINT NOT NULL, findings INTEGER NOT NULL, report VARCHAR NOT NULL, PRIMARY KEY (tenant, id))`,
  `CREATE TABLE IF NOT EXISTS incidents (
     tenant VARCHAR NOT NULL, id VARCHAR NOT NULL, first_ms DOUBLE NOT NULL, status VARCHAR NOT NULL, body VARCHAR NOT NULL,
     PRIMARY KEY (tenant, id))`,
  `CREATE TABLE IF NOT EXISTS llm_cache (key VARCHAR PRIMARY KEY, expires_ms DOUBLE NOT NULL, body VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS llm_usage (day VARCHAR PRIMARY KEY, tokens BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS explanations (
     tenant VARCHAR NOT NULL, id VARCHAR NOT NULL, subject VARCHAR NOT NULL, created_ms DOUBLE NOT NULL, body VARCHAR NOT NULL,
     PRIMARY KEY (tenant, id))`,
  `CREATE TABLE IF NOT EXISTS spans (
     tenant VARCHAR NOT NULL, trace_id VARCHAR NOT NULL, span_id VARCHAR NOT NULL, parent_span_id VARCHAR NOT NULL,
     name VARCHAR NOT NULL, kind INTEGER NOT NULL, start_ms DOUBLE NOT NULL, end_ms DOUBLE NOT NULL,
     status_code INTEGER NOT NULL, status_message VARCHAR NOT NULL, service VARCHAR, namespace VARCHAR, pod VARCHAR,
     container VARCHAR, node VARCHAR, host VARCHAR, attributes VARCHAR NOT NULL)`,
  // how a key was issued (JSON KeyOrigin; NULL for keys made before enrolment existed)
  `ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS origin VARCHAR`,
  // keys of writes made once (AppendOptions.key: a bus message's), with when they were written
  `CREATE TABLE IF NOT EXISTS written_keys (key VARCHAR PRIMARY KEY, at_ms DOUBLE NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS enrol_tokens (
     id VARCHAR PRIMARY KEY, verifier VARCHAR NOT NULL, tenant VARCHAR NOT NULL, scope VARCHAR NOT NULL,
     name VARCHAR NOT NULL, created_ms DOUBLE NOT NULL, expires_ms DOUBLE NOT NULL, used_ms DOUBLE, key_id VARCHAR)`,
];

const RESOURCE_KEYS = ['service', 'namespace', 'pod', 'container', 'node', 'host'] as const;

/** The items of a LIST column's value (none for NULL). */
function listItems(v: DuckDBValue | undefined): readonly DuckDBValue[] {
  return v instanceof DuckDBListValue ? v.items : [];
}

function optional(v: DuckDBValue): string | undefined {
  return v === null ? undefined : String(v);
}

function resourceFrom(row: readonly DuckDBValue[], at: number): LogResource {
  const resource: LogResource = {};
  RESOURCE_KEYS.forEach((k, i) => {
    const v = optional(row[at + i]!);
    if (v !== undefined) resource[k] = v;
  });
  return resource;
}

type Cell = string | number | boolean | undefined;

/**
 * Rows through DuckDB's appender, inside the caller's transaction. `types` has one letter per
 * column: v varchar, d double, i integer, b boolean; undefined cells are NULL.
 */
async function appendRows(
  conn: DuckDBConnection,
  table: string,
  types: string,
  rows: readonly (readonly Cell[])[],
): Promise<void> {
  if (rows.length === 0) return;
  const a = await conn.createAppender(table);
  for (const row of rows) {
    for (let c = 0; c < types.length; c++) {
      const v = row[c];
      if (v === undefined) a.appendNull();
      else if (types[c] === 'v') a.appendVarchar(String(v));
      else if (types[c] === 'd') a.appendDouble(Number(v));
      else if (types[c] === 'i') a.appendInteger(Number(v));
      else a.appendBoolean(v === true);
    }
    a.endRow();
  }
  a.closeSync();
}

/** Span keys the store remembers after appending them (RecentSpanKeys). */
const RECENT_SPAN_KEYS = 500_000;

/** Start times further apart than this are looked up apart (see lookUpRanges). */
const LOOK_UP_GAP_MS = 3_600_000;
const LOOK_UP_RANGES = 8;

/**
 * A batch's start times as ranges to look stored spans up in: runs with no gap over
 * LOOK_UP_GAP_MS, at most LOOK_UP_RANGES of them (cut at the widest gaps), so that spans far
 * apart (a late retry beside fresh spans, a skewed clock) do not make one look-up scan all the
 * time between them.
 */
export function lookUpRanges(starts: readonly number[]): [number, number][] {
  const s = [...new Set(starts)].sort((a, b) => a - b);
  if (s.length === 0) return [];
  const cuts = s
    .slice(1)
    .map((v, i) => ({ at: i + 1, gap: v - s[i]! }))
    .filter((g) => g.gap > LOOK_UP_GAP_MS)
    .sort((a, b) => b.gap - a.gap || a.at - b.at)
    .slice(0, LOOK_UP_RANGES - 1)
    .map((g) => g.at)
    .sort((a, b) => a - b);
  const out: [number, number][] = [];
  let from = 0;
  for (const at of [...cuts, s.length]) {
    out.push([s[from]!, s[at - 1]!]);
    from = at;
  }
  return out;
}

/**
 * Spans, each once: a span sent again (the same trace, span id and start: an exporter's retry,
 * overlapping exports of one trace) is kept only the first time, so that no request or call is
 * counted twice. Only the spans `recent` cannot vouch for are looked up among the stored spans of
 * their traces, over their start times (a hash semi join on the trace ids: one scan of the rows in
 * each range of lookUpRanges); the rest go straight through the appender. Inside the caller's
 * transaction; returns the spans appended (to remember after the commit) and how many were left out.
 */
async function appendSpans(
  conn: DuckDBConnection,
  tenant: string,
  spans: readonly Span[],
  recent: RecentSpanKeys,
): Promise<{ appended: Map<string, Span>; repeated: number }> {
  // the first of each span's copies in the batch, by spanCopyKey
  const fresh = new Map<string, Span>();
  for (const sp of spans) {
    const key = spanCopyKey(sp);
    if (!fresh.has(key)) fresh.set(key, sp);
  }
  const lookUp: Span[] = [];
  for (const [key, sp] of fresh) if (recent.mustLookUp(tenant, key, sp.startMs)) lookUp.push(sp);
  if (lookUp.length > 0) {
    const traces = listValue([...new Set(lookUp.map((sp) => sp.traceId))]);
    for (const [lo, hi] of lookUpRanges(lookUp.map((sp) => sp.startMs))) {
      const found = await conn.runAndReadAll(
        'SELECT trace_id, span_id, start_ms FROM spans WHERE tenant = $tenant AND start_ms >= $lo AND start_ms <= $hi AND trace_id IN (SELECT unnest($traces))',
        { tenant, lo, hi, traces },
      );
      for (const r of found.getRows())
        fresh.delete(
          spanCopyKey({ traceId: String(r[0]), spanId: String(r[1]), startMs: Number(r[2]) }),
        );
    }
  }
  await appendRows(
    conn,
    'spans',
    'vvvvviddivvvvvvvv',
    [...fresh.values()].map((sp) => [
      tenant,
      sp.traceId,
      sp.spanId,
      sp.parentSpanId,
      sp.name,
      sp.kind,
      sp.startMs,
      sp.endMs,
      sp.statusCode,
      sp.statusMessage,
      ...RESOURCE_KEYS.map((k) => sp.resource[k]),
      sp.attributes,
    ]),
  );
  return { appended: fresh, repeated: spans.length - fresh.size };
}

/** WHERE clauses and values built together, so every value is a bound parameter. */
class Where {
  readonly parts: string[] = ['tenant = $tenant'];
  readonly values: Record<string, DuckDBValue>;
  constructor(tenant: string) {
    this.values = { tenant };
  }
  add(sql: string, name: string, value: DuckDBValue | undefined): void {
    if (value === undefined) return;
    this.parts.push(sql);
    this.values[name] = value;
  }
  /** [from, to) on a time column, each bound only when given. */
  range(column: string, fromMs: number | undefined, toMs: number | undefined): void {
    this.add(`${column} >= $from`, 'from', fromMs);
    this.add(`${column} < $to`, 'to', toMs);
  }
  cursor(cursor: string | undefined): void {
    if (cursor === undefined) return;
    const c = requireCursor(cursor);
    this.parts.push('(time_ms < $ct OR (time_ms = $ct AND id < $cid))');
    this.values.ct = c.timeMs;
    this.values.cid = c.id;
  }
  get sql(): string {
    return this.parts.join(' AND ');
  }
}

/** One open database file, shared by the stores built on it (one process owns the file). */
/**
 * Calls between services, as SQL: `s` holds the spans that match `where`, and CALL_PAIRS pairs
 * each span `c` with its parent `p` of another service (both in `s`).
 */
function crossServiceCalls(where: string): string {
  return `WITH s AS (SELECT trace_id, span_id, parent_span_id, coalesce(service, '') AS service, status_code, start_ms, end_ms - start_ms AS duration FROM spans WHERE ${where})`;
}
// attributes that are not JSON (written by hand, not through ingest) name no peer
const attrSql = (k: string) =>
  `json_extract_string(CASE WHEN json_valid(attributes) THEN attributes END, '$."${k}"')`;
/** The peer a span names, as SQL (the rule of domain/span's peerOf): lower case, NULL when none. */
const PEER_SQL = `lower(coalesce(${PEER_ATTRIBUTES.map((k) => `nullif(${attrSql(k)}, '')`).join(', ')}, nullif(regexp_extract(coalesce(${PEER_URL_ATTRIBUTES.map(attrSql).join(', ')}, ''), '${URL_HOST.source.replace(/\\\//g, '/')}', 1), '')))`;

const CALL_PAIRS = `FROM s c JOIN s p ON p.trace_id = c.trace_id AND p.span_id = c.parent_span_id WHERE c.parent_span_id <> '' AND p.service <> c.service`;

export interface DuckDbHandle {
  readonly conn: DuckDBConnection;
  /** Runs fn after every earlier call: transactions on one connection must not interleave. */
  serial<T>(fn: () => Promise<T>): Promise<T>;
  isOpen(): boolean;
  /** Closes once, after the queued work. */
  close(): Promise<void>;
}

/**
 * Opens (or creates) the store. memoryLimitMb: DuckDB's own memory (its buffer pool; it spills to
 * disk past it), which is otherwise 80% of the machine's RAM.
 */
export async function openDuckDb(
  path: string,
  options: { memoryLimitMb?: number } = {},
): Promise<DuckDbHandle> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(
      path,
      options.memoryLimitMb === undefined ? {} : { memory_limit: `${options.memoryLimitMb}MB` },
    );
  } catch (err) {
    const msg = (err as Error).message;
    if (/lock/i.test(msg))
      throw new AppError(
        'STORE.LOCKED',
        `${path} is open in another process (another bifrost serve?); stop it or choose another --data directory`,
        { path },
        err,
      );
    throw new AppError('STORE.UNAVAILABLE', `cannot open the store ${path}: ${msg}`, { path }, err);
  }
  const conn = await instance.connect();
  for (const sql of SCHEMA) await conn.run(sql);
  // the write-ahead log is folded into the file (a checkpoint, which holds writes up) every 64 MB
  // rather than DuckDB's 16: under steady ingest (bench:soak, 70% of capacity) ack p99 fell from
  // 1.4-1.5 s to 0.6-0.8 s and requests shed for their wait from 8% to 4%; at 256 MB one
  // checkpoint held writes for 2 s
  await conn.run(`SET checkpoint_threshold = '64MB'`);
  let open = true;
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };
  return {
    conn,
    serial,
    isOpen: () => open,
    close: () =>
      serial(() => {
        if (open) {
          open = false;
          conn.closeSync();
          instance.closeSync();
        }
        return Promise.resolve();
      }),
  };
}

/**
 * The embedded store: one DuckDB file. A batch is one transaction (all or nothing) and the
 * promise resolves after COMMIT, when DuckDB has written it to its write-ahead log. One process
 * owns the file: a second `serve` on the same --data gets STORE.LOCKED with advice.
 */
export async function createDuckDbTelemetryStore(
  options: DuckDbStoreOptions,
): Promise<TelemetryStorePort> {
  return duckDbTelemetryStore(await openDuckDb(options.path));
}

export function duckDbTelemetryStore(db: DuckDbHandle): TelemetryStorePort {
  const conn = db.conn;
  const serial = <T>(fn: () => Promise<T>): Promise<T> => db.serial(fn);
  const check = () => {
    if (!db.isOpen()) throw new AppError('STORE.UNAVAILABLE', 'the store is closed');
  };
  /** The spans this store appended, so that fresh spans need no look-up (one process writes the file). */
  const recent = new RecentSpanKeys({ capacity: RECENT_SPAN_KEYS });
  const latestSpanStart = async (): Promise<number | undefined> => {
    const v = (await conn.runAndReadAll('SELECT max(start_ms) FROM spans')).getRows()[0]?.[0];
    return v === null || v === undefined ? undefined : Number(v);
  };
  /** RED per service (and operation) and bucket: counts, errors, discrete p50/p90 of durations. */
  const red = (
    tenant: string,
    q: WindowQuery & { service?: string },
    byOperation: boolean,
  ): Promise<OperationStats[]> =>
    serial(async () => {
      check();
      const w = new Where(tenant);
      w.range('start_ms', q.fromMs, q.toMs);
      w.add('service = $service', 'service', q.service);
      w.values.bucket = q.bucketMs;
      // a span's parent tells a request (called by another service, or from none in the store) from
      // the work done for one (parents within a minute of the range, clock skew included)
      w.values.cfrom = q.fromMs - CHILD_SLACK_MS;
      w.values.cto = q.toMs + CHILD_SLACK_MS;
      const op = byOperation ? 'name' : "''";
      const r = await conn.runAndReadAll(
        `WITH near AS (SELECT DISTINCT trace_id AS parent_trace, span_id AS parent_id, coalesce(service, '') AS parent_service FROM spans WHERE tenant = $tenant AND start_ms >= $cfrom AND start_ms < $cto)
         SELECT coalesce(service, ''), ${op}, floor(start_ms / $bucket) * $bucket AS b, count(*), count(*) FILTER (WHERE status_code = ${SPAN_STATUS.ERROR}),
           count(*) FILTER (WHERE parent_id IS NULL), quantile_disc(end_ms - start_ms, 0.5), quantile_disc(end_ms - start_ms, 0.9), coalesce(sum(end_ms - start_ms) FILTER (WHERE parent_id IS NULL), 0)
         FROM spans LEFT JOIN near ON parent_trace = trace_id AND parent_id = parent_span_id AND parent_service = coalesce(service, '') WHERE ${w.sql} GROUP BY 1, 2, b ORDER BY 1, 2, b`,
        w.values,
      );
      return withFailedRequests(
        r.getRows().map((row) => ({
          service: String(row[0]),
          operation: String(row[1]),
          bucketMs: Number(row[2]),
          count: Number(row[3]),
          errors: Number(row[4]),
          requests: Number(row[5]),
          failedRequests: 0,
          ownFailedRequests: 0,
          requestMs: Number(row[8]),
          p50Ms: Number(row[6]),
          p90Ms: Number(row[7]),
        })),
        w,
        q.service,
        byOperation,
      );
    });
  /**
   * Fills failedRequests and ownFailedRequests of RED rows (inside serial; w holds the tenant, the
   * range with its slack and the bucket): nothing to do when no span failed.
   */
  const withFailedRequests = async (
    rows: OperationStats[],
    w: Where,
    service: string | undefined,
    byOperation: boolean,
  ): Promise<OperationStats[]> => {
    if (rows.every((x) => x.errors === 0)) return rows;
    // failed requests: a failed span and its parents in the same service up to the request; and
    // where failures began: per trace, the services with a failed span none of whose children failed
    const failed = await conn.runAndReadAll(
      `WITH RECURSIVE near AS (SELECT trace_id, span_id, parent_span_id, coalesce(service, '') AS service, name, status_code, start_ms FROM spans WHERE tenant = $tenant AND start_ms >= $cfrom AND start_ms < $cto),
           f AS (SELECT * FROM near WHERE status_code = ${SPAN_STATUS.ERROR}),
           o AS (SELECT DISTINCT f.trace_id AS origin_trace, f.service AS origin_service FROM f LEFT JOIN f c ON c.trace_id = f.trace_id AND c.parent_span_id = f.span_id WHERE c.span_id IS NULL),
           up(trace_id, span_id, parent_span_id, service, name, start_ms) AS (SELECT trace_id, span_id, parent_span_id, service, name, start_ms FROM f
             UNION SELECT n.trace_id, n.span_id, n.parent_span_id, n.service, n.name, n.start_ms FROM near n JOIN up ON n.trace_id = up.trace_id AND n.span_id = up.parent_span_id AND n.service = up.service)
         SELECT up.service, ${byOperation ? 'up.name' : "''"}, floor(up.start_ms / $bucket) * $bucket AS b, count(*), count(*) FILTER (WHERE o.origin_trace IS NOT NULL)
         FROM up LEFT JOIN (SELECT DISTINCT trace_id, span_id, service FROM near) p ON p.trace_id = up.trace_id AND p.span_id = up.parent_span_id AND p.service = up.service
           LEFT JOIN o ON o.origin_trace = up.trace_id AND o.origin_service = up.service
         WHERE p.span_id IS NULL AND up.start_ms >= $from AND up.start_ms < $to ${service === undefined ? '' : 'AND up.service = $service'} GROUP BY 1, 2, b`,
      w.values,
    );
    const byKey = new Map(
      rows.map((x) => [`${x.service}\u0000${x.operation}\u0000${x.bucketMs}`, x]),
    );
    for (const row of failed.getRows()) {
      const x = byKey.get(`${String(row[0])}\u0000${String(row[1])}\u0000${Number(row[2])}`);
      if (x === undefined) continue;
      x.failedRequests = Number(row[3]);
      x.ownFailedRequests = Number(row[4]);
    }
    return rows;
  };

  const self: TelemetryStorePort = {
    append(tenant: string, batch: TelemetryBatch): Promise<AppendResult> {
      return self.appendMany([{ tenant, batch }]);
    },

    appendMany(all: readonly AppendEntry[]): Promise<AppendResult> {
      return serial(async () => {
        check();
        if (all.every((e) => isEmptyBatch(e.batch))) return { repeatedSpans: 0 };
        let repeatedSpans = 0;
        let alreadyWritten: number;
        await conn.run('BEGIN TRANSACTION');
        try {
          // entries with a key written before (or earlier in this write) are left out
          const keys = keysOf(all);
          const fresh = new Set(keys);
          if (keys.length > 0) {
            const seen = await conn.runAndReadAll(
              'SELECT key FROM written_keys WHERE key IN (SELECT unnest($keys))',
              { keys: listValue(keys) },
            );
            for (const r of seen.getRows()) fresh.delete(String(r[0]));
            await appendRows(
              conn,
              'written_keys',
              'vd',
              [...fresh].map((k) => [k, Date.now()]),
            );
          }
          const entries = entriesToWrite(all, fresh);
          alreadyWritten = all.length - entries.length;
          const res = (r: LogResource) => RESOURCE_KEYS.map((k) => r[k]);
          for (const { tenant, batch } of entries) {
            const findings = batch.findings ?? [];
            await appendRows(
              conn,
              'metric_points',
              'vdvvdvvvvvvvddb',
              (batch.metrics ?? []).map((m) => [
                tenant,
                m.timeMs,
                m.name,
                m.kind,
                m.value,
                m.labels,
                ...res(m.resource),
                m.count,
                m.sum,
                m.cumulative === true,
              ]),
            );
            await appendRows(
              conn,
              'logs',
              'vvdivvvvvvvvvvvvvv',
              (batch.logs ?? []).map((l) => [
                tenant,
                l.id,
                l.timeMs,
                l.severity,
                l.severityText,
                l.body,
                ...res(l.resource),
                l.attributes,
                l.traceId,
                l.spanId,
                l.templateId,
                l.template,
                JSON.stringify(l.params),
              ]),
            );
            if (findings.length > 0) {
              const st = await conn.prepare(
                'INSERT INTO findings VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING',
              );
              for (const f of findings) {
                st.bind([
                  tenant,
                  f.id,
                  f.kind,
                  f.timeMs,
                  f.score,
                  f.reason,
                  f.subject.metric,
                  f.subject.labels,
                  JSON.stringify(f.subject.resource),
                  f.detail,
                  JSON.stringify(f.evidence),
                ]);
                await st.run();
              }
            }
          }
          // the spans of each tenant together: one look-up of those already stored per transaction
          const spansOf = new Map<string, Span[]>();
          for (const { tenant, batch } of entries) {
            if (batch.spans === undefined || batch.spans.length === 0) continue;
            let list = spansOf.get(tenant);
            if (list === undefined) spansOf.set(tenant, (list = []));
            for (const sp of batch.spans) list.push(sp);
          }
          if (spansOf.size > 0 && !recent.started) recent.start(await latestSpanStart());
          const appended: [string, Map<string, Span>][] = [];
          for (const [tenant, list] of spansOf) {
            const r = await appendSpans(conn, tenant, list, recent);
            repeatedSpans += r.repeated;
            appended.push([tenant, r.appended]);
          }
          await conn.run('COMMIT');
          for (const [tenant, list] of appended) recent.remember(tenant, list);
        } catch (err) {
          await conn.run('ROLLBACK').catch(() => undefined);
          const message = (err as Error).message;
          // a value no column can hold is the request's: sending it again will not help
          if (isValueError(err))
            throw new AppError(
              'STORE.REJECTED',
              `the store cannot hold a value of this request: ${message}`,
              {},
              err,
            );
          throw new AppError(
            'STORE.UNAVAILABLE',
            `the store could not write the batch: ${message}`,
            {},
            err,
          );
        }
        return alreadyWritten > 0 ? { repeatedSpans, alreadyWritten } : { repeatedSpans };
      });
    },

    findings(tenant: string, q: FindingQuery): Promise<Page<Finding>> {
      return serial(async () => {
        check();
        const w = new Where(tenant);
        w.range('time_ms', q.fromMs, q.toMs);
        w.add('kind = $kind', 'kind', q.kind);
        w.cursor(q.cursor);
        w.values.limit = q.limit + 1;
        const r = await conn.runAndReadAll(
          `SELECT id, kind, time_ms, score, reason, metric, labels, resource, detail, evidence FROM findings WHERE ${w.sql} ORDER BY time_ms DESC, id DESC LIMIT $limit`,
          w.values,
        );
        const rows = r.getRows();
        return pageOf(
          rows.map((row): Finding => ({
            id: String(row[0]),
            kind: String(row[1]) as FindingKind,
            timeMs: Number(row[2]),
            score: Number(row[3]),
            reason: String(row[4]),
            subject: {
              metric: String(row[5]),
              labels: String(row[6]),
              resource: JSON.parse(String(row[7])) as LogResource,
            },
            detail: String(row[8]),
            evidence: JSON.parse(String(row[9])) as Finding['evidence'],
          })),
          q.limit,
          (f) => [f.timeMs, f.id],
        );
      });
    },

    metricPoints(tenant: string, q: MetricQuery): Promise<MetricPoint[]> {
      return serial(async () => {
        check();
        const w = new Where(tenant);
        w.add('name = $name', 'name', q.name);
        w.range('time_ms', q.fromMs, q.toMs);
        w.values.limit = q.limit;
        const r = await conn.runAndReadAll(
          `SELECT time_ms, name, kind, value, labels, service, namespace, pod, container, node, host, count, sum, cumulative FROM metric_points WHERE ${w.sql} ORDER BY time_ms LIMIT $limit`,
          w.values,
        );
        return r.getRows().map((row) => {
          const resource = resourceFrom(row, 5);
          const p: MetricPoint = {
            timeMs: Number(row[0]),
            name: String(row[1]),
            kind: String(row[2]) as MetricKind,
            value: Number(row[3]),
            labels: String(row[4]),
            resource,
          };
          if (row[11] !== null) p.count = Number(row[11]);
          if (row[12] !== null) p.sum = Number(row[12]);
          if (row[13] === true) p.cumulative = true;
          return p;
        });
      });
    },

    logs(tenant: string, q: LogQuery): Promise<Page<StoredLog>> {
      return serial(async () => {
        check();
        const w = new Where(tenant);
        w.range('time_ms', q.fromMs, q.toMs);
        w.add('service = $service', 'service', q.service);
        w.add('severity >= $sev', 'sev', q.minSeverity);
        w.add('template_id = $tid', 'tid', q.templateId);
        w.add('contains(lower(body), lower($text))', 'text', q.text);
        w.cursor(q.cursor);
        w.values.limit = q.limit + 1;
        const r = await conn.runAndReadAll(
          `SELECT id, time_ms, severity, severity_text, body, service, namespace, pod, container, node, host, attributes, trace_id, span_id, template_id, template, params FROM logs WHERE ${w.sql} ORDER BY time_ms DESC, id DESC LIMIT $limit`,
          w.values,
        );
        const rows = r.getRows();
        return pageOf(
          rows.map((row): StoredLog => ({
            id: String(row[0]),
            timeMs: Number(row[1]),
            severity: Number(row[2]),
            severityText: String(row[3]),
            body: String(row[4]),
            resource: resourceFrom(row, 5),
            attributes: String(row[11]),
            traceId: String(row[12]),
            spanId: String(row[13]),
            templateId: String(row[14]),
            template: String(row[15]),
            params: JSON.parse(String(row[16])) as string[],
          })),
          q.limit,
          (l) => [l.timeMs, l.id],
        );
      });
    },

    metricNames(tenant: string, q: MetricNameQuery): Promise<MetricName[]> {
      return serial(async () => {
        check();
        const w = new Where(tenant);
        w.range('time_ms', q.fromMs, q.toMs);
        w.add('service = $service', 'service', q.service);
        w.values.limit = q.limit;
        const r = await conn.runAndReadAll(
          `SELECT name, count(DISTINCT (labels, service, namespace, pod, container, node, host)), count(*), min(time_ms), max(time_ms) FROM metric_points WHERE ${w.sql} GROUP BY name ORDER BY name LIMIT $limit`,
          w.values,
        );
        return r.getRows().map((row) => ({
          name: String(row[0]),
          series: Number(row[1]),
          points: Number(row[2]),
          firstMs: Number(row[3]),
          lastMs: Number(row[4]),
        }));
      });
    },

    spans(tenant: string, q: SpanQuery): Promise<Span[]> {
      return serial(async () => {
        check();
        const w = new Where(tenant);
        w.add('trace_id = $trace', 'trace', q.traceId);
        w.add('service = $service', 'service', q.service);
        w.add('name = $op', 'op', q.operation);
        w.range('start_ms', q.fromMs, q.toMs);
        w.add('end_ms - start_ms >= $minDur', 'minDur', q.minDurationMs);
        if (q.errorsOnly === true) w.add('status_code = $err', 'err', 2);
        w.add('kind = $kind', 'kind', q.kind);
        if (q.peer !== undefined)
          w.add(`kind = ${SPAN_KIND_CLIENT} AND ${PEER_SQL} = $peer`, 'peer', q.peer);
        w.values.limit = q.limit;
        const order =
          q.order === 'duration'
            ? 'end_ms - start_ms DESC, start_ms, span_id'
            : 'start_ms, span_id';
        const r = await conn.runAndReadAll(
          `SELECT trace_id, span_id, parent_span_id, name, kind, start_ms, end_ms, status_code, status_message, service, namespace, pod, container, node, host, attributes FROM spans WHERE ${w.sql} ORDER BY ${order} LIMIT $limit`,
          w.values,
        );
        return r.getRows().map((row): Span => ({
          traceId: String(row[0]),
          spanId: String(row[1]),
          parentSpanId: String(row[2]),
          name: String(row[3]),
          kind: Number(row[4]),
          startMs: Number(row[5]),
          endMs: Number(row[6]),
          statusCode: Number(row[7]),
          statusMessage: String(row[8]),
          resource: resourceFrom(row, 9),
          attributes: String(row[15]),
        }));
      });
    },

    services(tenant: string): Promise<ServiceSummary[]> {
      return serial(async () => {
        check();
        const r = await conn.runAndReadAll(
          `SELECT service, sum(l) AS logs, sum(s) AS spans, sum(m) AS metric_points FROM (
             SELECT service, count(*) AS l, 0 AS s, 0 AS m FROM logs WHERE tenant = $tenant AND service IS NOT NULL GROUP BY service
             UNION ALL SELECT service, 0, count(*), 0 FROM spans WHERE tenant = $tenant AND service IS NOT NULL GROUP BY service
             UNION ALL SELECT service, 0, 0, count(*) FROM metric_points WHERE tenant = $tenant AND service IS NOT NULL GROUP BY service
           ) GROUP BY service ORDER BY service`,
          { tenant },
        );
        return r.getRows().map((row) => ({
          service: String(row[0]),
          logs: Number(row[1]),
          spans: Number(row[2]),
          metricPoints: Number(row[3]),
        }));
      });
    },

    templateCounts(tenant: string, q: TemplateCountQuery): Promise<TemplateCount[]> {
      return serial(async () => {
        check();
        const w = new Where(tenant);
        w.range('time_ms', q.fromMs, q.toMs);
        w.add('service = $service', 'service', q.service);
        w.values.bucket = q.bucketMs;
        w.values.limit = q.limit;
        const r = await conn.runAndReadAll(
          `SELECT template_id, any_value(template), floor(time_ms / $bucket) * $bucket AS b, count(*) AS n, count(*) FILTER (WHERE severity >= ${SEVERITY.ERROR}) FROM logs WHERE ${w.sql} GROUP BY template_id, b ORDER BY b, n DESC, template_id LIMIT $limit`,
          w.values,
        );
        return r.getRows().map((row) => ({
          templateId: String(row[0]),
          template: String(row[1]),
          bucketMs: Number(row[2]),
          count: Number(row[3]),
          errors: Number(row[4]),
        }));
      });
    },

    timeRange(tenant: string): Promise<{ fromMs: number; toMs: number } | undefined> {
      return serial(async () => {
        check();
        const r = await conn.runAndReadAll(
          `SELECT min(a), max(z) FROM (SELECT min(time_ms) a, max(time_ms) z FROM logs WHERE tenant = $tenant UNION ALL SELECT min(start_ms), max(start_ms) FROM spans WHERE tenant = $tenant UNION ALL SELECT min(time_ms), max(time_ms) FROM metric_points WHERE tenant = $tenant)`,
          { tenant },
        );
        const row = r.getRows()[0];
        return row === undefined || row[0] === null
          ? undefined
          : { fromMs: Number(row[0]), toMs: Number(row[1]) };
      });
    },

    serviceTemplateCounts(tenant: string, q: WindowQuery): Promise<ServiceTemplateCount[]> {
      return serial(async () => {
        check();
        const w = new Where(tenant);
        w.range('time_ms', q.fromMs, q.toMs);
        w.values.bucket = q.bucketMs;
        const r = await conn.runAndReadAll(
          `SELECT coalesce(service, ''), template_id, any_value(template), max(severity), floor(time_ms / $bucket) * $bucket AS b, count(*) FROM logs WHERE ${w.sql} GROUP BY 1, 2, b ORDER BY 1, 2, b`,
          w.values,
        );
        return r.getRows().map((row) => ({
          service: String(row[0]),
          templateId: String(row[1]),
          template: String(row[2]),
          severity: Number(row[3]),
          bucketMs: Number(row[4]),
          count: Number(row[5]),
        }));
      });
    },

    serviceMentions(
      tenant: string,
      q: WindowQuery & { names: readonly string[]; minSeverity: number },
    ): Promise<ServiceMention[]> {
      const names = [...new Set(q.names)].filter((n) => n.length >= MIN_MENTION_LENGTH);
      if (names.length === 0) return Promise.resolve([]);
      return serial(async () => {
        check();
        const w = new Where(tenant);
        w.range('time_ms', q.fromMs, q.toMs);
        w.add('severity >= $sev', 'sev', q.minSeverity);
        w.values.bucket = q.bucketMs;
        w.values.names = listValue(names);
        w.values.patterns = listValue(names.map(mentionPattern));
        // contains() first: the regular expression only runs on records that hold the name
        const r = await conn.runAndReadAll(
          `SELECT coalesce(service, ''), template_id, n.name, floor(time_ms / $bucket) * $bucket AS b, count(*)
           FROM logs, (SELECT unnest($names) AS name, unnest($patterns) AS pattern) n
           WHERE ${w.sql} AND coalesce(service, '') <> n.name AND contains(body, n.name) AND regexp_matches(body, n.pattern)
           GROUP BY 1, 2, 3, b ORDER BY 1, 2, 3, b`,
          w.values,
        );
        return r.getRows().map((row) => ({
          service: String(row[0]),
          templateId: String(row[1]),
          named: String(row[2]),
          bucketMs: Number(row[3]),
          count: Number(row[4]),
        }));
      });
    },

    async spanStats(
      tenant: string,
      q: WindowQuery & { service?: string },
    ): Promise<ServiceSpanStats[]> {
      return (await red(tenant, q, false)).map(({ operation, ...r }): ServiceSpanStats => r);
    },

    operationStats(
      tenant: string,
      q: WindowQuery & { service?: string },
    ): Promise<OperationStats[]> {
      return red(tenant, q, true);
    },

    spanAggregates(tenant: string, q: WindowQuery) {
      return serial(async () => {
        check();
        const w = new Where(tenant);
        w.range('start_ms', q.fromMs, q.toMs);
        w.values.bucket = q.bucketMs;
        w.values.cfrom = q.fromMs - CHILD_SLACK_MS;
        w.values.cto = q.toMs + CHILD_SLACK_MS;
        // each span of the range with its parent (looked for a minute past either end) found once:
        // RED counts the spans without a parent of their own service as requests; a call between
        // services is a span whose parent, in the range, is another service's (CALL_PAIRS). Three
        // queries joined the spans three times (two thirds of rca's time on 700,000 spans)
        const r = await conn.runAndReadAll(
          `WITH c AS (SELECT trace_id, span_id, parent_span_id, coalesce(service, '') AS service, status_code, start_ms, end_ms - start_ms AS duration FROM spans WHERE ${w.sql}),
                p AS (SELECT trace_id, span_id, coalesce(service, '') AS service, start_ms, end_ms - start_ms AS duration FROM spans WHERE tenant = $tenant AND start_ms >= $cfrom AND start_ms < $cto),
                j AS MATERIALIZED (SELECT c.*, p.service AS ps, p.start_ms AS pstart, p.duration AS pdur FROM c LEFT JOIN p ON p.trace_id = c.trace_id AND p.span_id = c.parent_span_id),
                calls AS (SELECT * FROM j WHERE parent_span_id <> '' AND ps <> service AND pstart >= $from AND pstart < $to)
           SELECT 0 AS part, service, NULL AS callee, floor(start_ms / $bucket) * $bucket AS b, count(*), count(*) FILTER (WHERE status_code = ${SPAN_STATUS.ERROR}), count(*) FILTER (WHERE ps IS DISTINCT FROM service),
             quantile_disc(duration, 0.5), quantile_disc(duration, 0.9), coalesce(sum(duration) FILTER (WHERE ps IS DISTINCT FROM service), 0) FROM j GROUP BY service, b
           UNION ALL SELECT 1, ps, service, NULL, count(*), count(*) FILTER (WHERE status_code = ${SPAN_STATUS.ERROR}), NULL, NULL, quantile_disc(duration, 0.9), NULL FROM calls GROUP BY ps, service
           UNION ALL SELECT 2, ps, service, floor(pstart / $bucket) * $bucket AS b, count(*), count(*) FILTER (WHERE status_code = ${SPAN_STATUS.ERROR}), NULL, quantile_disc(pdur - duration, 0.5), NULL, sum(duration) FROM calls GROUP BY ps, service, b
           ORDER BY 1, 2, 3, 4`,
          w.values,
        );
        const red: OperationStats[] = [];
        const edges: ServiceEdge[] = [];
        const calls: EdgeStats[] = [];
        for (const row of r.getRows()) {
          const part = Number(row[0]);
          if (part === 0)
            red.push({
              service: String(row[1]),
              operation: '',
              bucketMs: Number(row[3]),
              count: Number(row[4]),
              errors: Number(row[5]),
              requests: Number(row[6]),
              failedRequests: 0,
              ownFailedRequests: 0,
              requestMs: Number(row[9]),
              p50Ms: Number(row[7]),
              p90Ms: Number(row[8]),
            });
          else if (part === 1)
            edges.push({
              caller: String(row[1]),
              callee: String(row[2]),
              calls: Number(row[4]),
              errors: Number(row[5]),
              p90Ms: Number(row[8]),
            });
          else
            calls.push({
              caller: String(row[1]),
              callee: String(row[2]),
              bucketMs: Number(row[3]),
              calls: Number(row[4]),
              errors: Number(row[5]),
              gapP50Ms: Number(row[7]),
              calleeMs: Number(row[9]),
            });
        }
        const spans = (await withFailedRequests(red, w, undefined, false)).map(
          ({ operation, ...x }): ServiceSpanStats => x,
        );
        return { spans, edges, calls };
      });
    },

    serviceEdges(tenant: string, q: { fromMs: number; toMs: number }): Promise<ServiceEdge[]> {
      return serial(async () => {
        check();
        const w = new Where(tenant);
        w.range('start_ms', q.fromMs, q.toMs);
        const r = await conn.runAndReadAll(
          `${crossServiceCalls(w.sql)} SELECT p.service, c.service, count(*), count(*) FILTER (WHERE c.status_code = ${SPAN_STATUS.ERROR}), quantile_disc(c.duration, 0.9) ${CALL_PAIRS} GROUP BY 1, 2 ORDER BY 1, 2`,
          w.values,
        );
        return r.getRows().map((row) => ({
          caller: String(row[0]),
          callee: String(row[1]),
          calls: Number(row[2]),
          errors: Number(row[3]),
          p90Ms: Number(row[4]),
        }));
      });
    },

    edgeStats(tenant: string, q: WindowQuery & { service?: string }): Promise<EdgeStats[]> {
      return serial(async () => {
        check();
        const w = new Where(tenant);
        w.range('start_ms', q.fromMs, q.toMs);
        w.values.bucket = q.bucketMs;
        if (q.service !== undefined) w.values.service = q.service;
        const only =
          q.service === undefined ? '' : 'AND (p.service = $service OR c.service = $service)';
        const r = await conn.runAndReadAll(
          `${crossServiceCalls(w.sql)} SELECT p.service, c.service, floor(p.start_ms / $bucket) * $bucket AS b, count(*), count(*) FILTER (WHERE c.status_code = ${SPAN_STATUS.ERROR}), quantile_disc(p.duration - c.duration, 0.5), sum(c.duration) ${CALL_PAIRS} ${only} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
          w.values,
        );
        return r.getRows().map((row) => ({
          caller: String(row[0]),
          callee: String(row[1]),
          bucketMs: Number(row[2]),
          calls: Number(row[3]),
          errors: Number(row[4]),
          gapP50Ms: Number(row[5]),
          calleeMs: Number(row[6]),
        }));
      });
    },

    serviceMetricStats(tenant: string, q: WindowQuery): Promise<ServiceMetricStats[]> {
      return serial(async () => {
        check();
        // one row per service and metric with its buckets as lists: a row per bucket decoded the
        // service and metric names 200,000 times for a day of 47 pods (a third of rca's time)
        const r = await conn.runAndReadAll(
          `WITH b AS (SELECT service, name, floor(time_ms / $bucket) * $bucket AS b, avg(value) AS v, count(*) AS n FROM metric_points
                      WHERE tenant = $tenant AND time_ms >= $from AND time_ms < $to AND NOT cumulative AND service IS NOT NULL AND service <> '' AND isfinite(value)
                      GROUP BY 1, 2, 3)
           SELECT service, name, list(b ORDER BY b), list(v ORDER BY b), list(n ORDER BY b) FROM b GROUP BY 1, 2 ORDER BY 1, 2`,
          { tenant, from: q.fromMs, to: q.toMs, bucket: q.bucketMs },
        );
        const out: ServiceMetricStats[] = [];
        for (const row of r.getRows()) {
          const service = String(row[0]);
          const name = String(row[1]);
          const [buckets, values, points] = [
            listItems(row[2]),
            listItems(row[3]),
            listItems(row[4]),
          ];
          for (let i = 0; i < buckets.length; i++)
            out.push({
              service,
              name,
              bucketMs: Number(buckets[i]),
              value: Number(values[i]),
              points: Number(points[i]),
            });
        }
        return out;
      });
    },

    peerCalls(tenant: string, q: WindowQuery): Promise<PeerCallStats[]> {
      return serial(async () => {
        check();
        // a call's answer starts after it: children are looked for up to a bucket past the range
        const r = await conn.runAndReadAll(
          `WITH k AS (SELECT trace_id, span_id, coalesce(service, '') AS service, start_ms, end_ms, status_code, ${PEER_SQL} AS peer
                      FROM spans WHERE tenant = $tenant AND kind = ${SPAN_KIND_CLIENT} AND start_ms >= $from AND start_ms < $to),
                a AS (SELECT k.trace_id, k.span_id, min(coalesce(c.service, '')) AS callee FROM k JOIN spans c
                      ON c.tenant = $tenant AND c.trace_id = k.trace_id AND c.parent_span_id = k.span_id AND coalesce(c.service, '') <> k.service
                      WHERE c.start_ms >= $from AND c.start_ms < $to + $bucket GROUP BY 1, 2)
           SELECT k.service, k.peer, coalesce(a.callee, ''), floor(k.start_ms / $bucket) * $bucket AS b, count(*), count(*) FILTER (WHERE k.status_code = ${SPAN_STATUS.ERROR}), quantile_disc(k.end_ms - k.start_ms, 0.9), sum(k.end_ms - k.start_ms)
           FROM k LEFT JOIN a ON a.trace_id = k.trace_id AND a.span_id = k.span_id
           WHERE k.peer IS NOT NULL AND k.peer <> '' GROUP BY 1, 2, 3, b ORDER BY 1, 2, 3, b`,
          { tenant, from: q.fromMs, to: q.toMs, bucket: q.bucketMs },
        );
        return r.getRows().map((row) => ({
          caller: String(row[0]),
          peer: String(row[1]),
          callee: String(row[2]),
          bucketMs: Number(row[3]),
          calls: Number(row[4]),
          errors: Number(row[5]),
          p90Ms: Number(row[6]),
          callMs: Number(row[7]),
        }));
      });
    },

    metricSeries(tenant: string, q: SeriesQuery): Promise<SeriesResult[]> {
      return serial(async () => {
        check();
        const w = new Where(tenant);
        w.add('name = $name', 'name', q.name);
        w.range('time_ms', q.fromMs, q.toMs);
        w.add('service = $service', 'service', q.service);
        Object.entries(q.labels ?? {}).forEach(([k, v], i) => {
          w.add(`json_extract_string(labels, $lk${i}) = $lv${i}`, `lv${i}`, v);
          w.values[`lk${i}`] = `$."${k.replace(/["\\]/g, '')}"`;
        });
        w.values.step = q.stepMs;
        w.values.limit = q.limit;
        const fn = {
          avg: 'avg(value)',
          min: 'min(value)',
          max: 'max(value)',
          sum: 'sum(value)',
          count: 'count(*)',
        }[q.agg];
        const cols = 'labels, service, namespace, pod, container, node, host';
        const same = ['labels', 'service', 'namespace', 'pod', 'container', 'node', 'host']
          .map((c) => `f.${c} IS NOT DISTINCT FROM s.${c}`)
          .join(' AND ');
        const r = await conn.runAndReadAll(
          `WITH f AS (SELECT * FROM metric_points WHERE ${w.sql}),
                s AS (SELECT DISTINCT ${cols} FROM f ORDER BY ALL LIMIT $limit)
           SELECT f.labels, f.service, f.namespace, f.pod, f.container, f.node, f.host, floor(f.time_ms / $step) * $step AS b, ${fn.replace('value', 'f.value')} AS v, count(*) AS n
           FROM f JOIN s ON ${same}
           GROUP BY ALL ORDER BY f.labels, f.service, f.namespace, f.pod, f.container, f.node, f.host, b`,
          w.values,
        );
        const out = new Map<string, SeriesResult>();
        for (const row of r.getRows()) {
          const resource = resourceFrom(row, 1);
          const key = `${String(row[0])}\u0000${JSON.stringify(resource)}`;
          let s = out.get(key);
          if (s === undefined) out.set(key, (s = { labels: String(row[0]), resource, points: [] }));
          s.points.push({ bucketMs: Number(row[7]), value: Number(row[8]), count: Number(row[9]) });
        }
        return [...out.values()];
      });
    },

    deleteBefore(cutoffMs: number) {
      return serial(async () => {
        check();
        await conn.run('BEGIN TRANSACTION');
        try {
          const n = { metrics: 0, logs: 0, spans: 0, findings: 0 };
          n.metrics = Number(
            (
              await conn.runAndReadAll('SELECT count(*) FROM metric_points WHERE time_ms < $cut', {
                cut: cutoffMs,
              })
            ).getRows()[0]![0],
          );
          n.logs = Number(
            (
              await conn.runAndReadAll('SELECT count(*) FROM logs WHERE time_ms < $cut', {
                cut: cutoffMs,
              })
            ).getRows()[0]![0],
          );
          n.spans = Number(
            (
              await conn.runAndReadAll('SELECT count(*) FROM spans WHERE start_ms < $cut', {
                cut: cutoffMs,
              })
            ).getRows()[0]![0],
          );
          n.findings = Number(
            (
              await conn.runAndReadAll('SELECT count(*) FROM findings WHERE time_ms < $cut', {
                cut: cutoffMs,
              })
            ).getRows()[0]![0],
          );
          await conn.run('DELETE FROM metric_points WHERE time_ms < $cut', { cut: cutoffMs });
          await conn.run('DELETE FROM logs WHERE time_ms < $cut', { cut: cutoffMs });
          await conn.run('DELETE FROM spans WHERE start_ms < $cut', { cut: cutoffMs });
          await conn.run('DELETE FROM findings WHERE time_ms < $cut', { cut: cutoffMs });
          await conn.run('DELETE FROM written_keys WHERE at_ms < $cut', { cut: cutoffMs });
          await conn.run('COMMIT');
          recent.forgetBefore(cutoffMs);
          return n;
        } catch (err) {
          await conn.run('ROLLBACK').catch(() => undefined);
          throw new AppError(
            'STORE.UNAVAILABLE',
            `retention could not delete old records: ${(err as Error).message}`,
            {},
            err,
          );
        }
      });
    },

    healthy: () => db.isOpen(),

    close: () => db.close(),
  };
  return self;
}

/**
 * Whether a failed write was the data's fault, not the store's: the binding refusing a value
 * (out of an INTEGER's range, a wrong type) or DuckDB's conversion and range errors.
 */
function isValueError(err: unknown): boolean {
  if (err instanceof TypeError || err instanceof RangeError) return true;
  const m = err instanceof Error ? err.message : '';
  return /^(Conversion|Out of Range|Invalid Input) Error|out of (int32|uint32|int64|integer) range/i.test(
    m,
  );
}
