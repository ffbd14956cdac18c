/**
 * The shared store: telemetry in PostgreSQL, so that several Bifrost nodes write and any of them
 * answers the REST API (`bifrost serve --store postgres://…`). Record tables are partitioned by
 * day (retention drops whole days), appends go through COPY, and a span sent again is stored once
 * (a unique key on tenant, trace, span and start, whichever node wrote it first). The queries
 * answer as the DuckDB store does; the store contract checks both against the engine's reference
 * computations (src/core/engine/aggregates).
 */
import type { Finding, FindingKind } from '../../../core/domain/finding.js';
import type { LogResource } from '../../../core/domain/log-record.js';
import type { MetricKind, MetricPoint } from '../../../core/domain/metric-point.js';
import { MIN_MENTION_LENGTH, mentionPattern } from '../../../core/domain/mention.js';
import { SEVERITY } from '../../../core/domain/severity.js';
import { SPAN_KIND_CLIENT, SPAN_STATUS, peerOf, spanCopyKey } from '../../../core/domain/span.js';
import type { Span } from '../../../core/domain/span.js';
import type { StoredLog, TemplateCount } from '../../../core/domain/stored-log.js';
import { CHILD_SLACK_MS } from '../../../core/engine/aggregates/spans.js';
import { AppError } from '../../../core/errors.js';
import type {
  AppendResult,
  EdgeStats,
  FindingQuery,
  LogQuery,
  MetricName,
  MetricNameQuery,
  MetricQuery,
  OperationStats,
  Page,
  PeerCallStats,
  SeriesQuery,
  SeriesResult,
  ServiceEdge,
  ServiceMention,
  ServiceMetricStats,
  ServiceSpanStats,
  ServiceSummary,
  ServiceTemplateCount,
  SpanQuery,
  TelemetryStorePort,
  TemplateCountQuery,
  WindowQuery,
} from '../../../core/ports/telemetry-store.port.js';
import { pageOf, requireCursor } from '../page-cursor.js';
import { entriesToWrite, isEmptyBatch, keysOf } from '../append-entries.js';
import { RECORD_TABLES, isDataError } from './postgres-db.js';
import type { PostgresHandle, RecordTable, Row, SqlValue, Transaction } from './postgres-db.js';

const RESOURCE_KEYS = ['service', 'namespace', 'pod', 'container', 'node', 'host'] as const;

function resourceOf(row: Row): LogResource {
  const resource: LogResource = {};
  for (const k of RESOURCE_KEYS) {
    const v = row[k];
    if (v !== null && v !== undefined) resource[k] = String(v);
  }
  return resource;
}

/** WHERE clauses and values built together, so every value is a bound parameter. */
class Where {
  readonly parts: string[] = ['tenant = $tenant'];
  readonly values: Record<string, SqlValue>;
  constructor(tenant: string) {
    this.values = { tenant };
  }
  add(sql: string, name: string, value: SqlValue | undefined): void {
    if (value === undefined) return;
    this.parts.push(sql);
    this.values[name] = value;
  }
  range(column: string, fromMs: number | undefined, toMs: number | undefined): void {
    this.add(`${column} >= $from::float8`, 'from', fromMs);
    this.add(`${column} < $to::float8`, 'to', toMs);
  }
  cursor(cursor: string | undefined): void {
    if (cursor === undefined) return;
    const c = requireCursor(cursor);
    this.parts.push('(time_ms < $ct::float8 OR (time_ms = $ct::float8 AND id < $cid))');
    this.values.ct = c.timeMs;
    this.values.cid = c.id;
  }
  get sql(): string {
    return this.parts.join(' AND ');
  }
}

const SPAN_COLUMNS = [
  'tenant',
  'trace_id',
  'span_id',
  'parent_span_id',
  'name',
  'kind',
  'start_ms',
  'end_ms',
  'status_code',
  'status_message',
  ...RESOURCE_KEYS,
  'attributes',
  'peer',
] as const;

/** Spans of [from, to) as `s`, and CALL_PAIRS: each span `c` with its parent `p` of another service (both in `s`). */
const CALLS_CTE = `WITH s AS (SELECT trace_id, span_id, parent_span_id, coalesce(service, '') AS service, status_code, start_ms, end_ms - start_ms AS duration FROM spans WHERE tenant = $tenant AND start_ms >= $from::float8 AND start_ms < $to::float8)`;
const CALL_PAIRS = `FROM s c JOIN s p ON p.trace_id = c.trace_id AND p.span_id = c.parent_span_id WHERE c.parent_span_id <> '' AND p.service <> c.service`;
const bucketOf = (column: string) => `floor(${column} / $bucket::float8) * $bucket::float8`;
const disc = (q: number, x: string) => `percentile_disc(${q}) WITHIN GROUP (ORDER BY ${x})`;

export function postgresTelemetryStore(db: PostgresHandle): TelemetryStorePort {
  const check = () => {
    if (!db.isOpen()) throw new AppError('STORE.UNAVAILABLE', 'the store is closed');
  };
  const rows = (sql: string, values: Record<string, SqlValue> = {}) => db.rows(sql, values);

  /** RED per service (and operation) and bucket; failed requests filled in when a span failed. */
  const red = async (
    tenant: string,
    q: WindowQuery & { service?: string },
    byOperation: boolean,
  ): Promise<OperationStats[]> => {
    const w = new Where(tenant);
    w.range('start_ms', q.fromMs, q.toMs);
    w.add('service = $service', 'service', q.service);
    w.values.bucket = q.bucketMs;
    w.values.cfrom = q.fromMs - CHILD_SLACK_MS;
    w.values.cto = q.toMs + CHILD_SLACK_MS;
    const op = byOperation ? 'name' : "''";
    const found = await rows(
      `WITH near AS (SELECT DISTINCT trace_id AS parent_trace, span_id AS parent_id, coalesce(service, '') AS parent_service FROM spans WHERE tenant = $tenant AND start_ms >= $cfrom::float8 AND start_ms < $cto::float8)
       SELECT coalesce(service, '') AS service, ${op} AS operation, ${bucketOf('start_ms')} AS b, count(*) AS n, count(*) FILTER (WHERE status_code = ${SPAN_STATUS.ERROR}) AS errors,
         count(*) FILTER (WHERE parent_id IS NULL) AS requests, ${disc(0.5, 'end_ms - start_ms')} AS p50, ${disc(0.9, 'end_ms - start_ms')} AS p90,
         coalesce(sum(end_ms - start_ms) FILTER (WHERE parent_id IS NULL), 0) AS request_ms
       FROM spans LEFT JOIN near ON parent_trace = trace_id AND parent_id = parent_span_id AND parent_service = coalesce(service, '')
       WHERE ${w.sql} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      w.values,
    );
    const out: OperationStats[] = found.map((r) => ({
      service: String(r.service),
      operation: String(r.operation),
      bucketMs: Number(r.b),
      count: Number(r.n),
      errors: Number(r.errors),
      requests: Number(r.requests),
      failedRequests: 0,
      ownFailedRequests: 0,
      requestMs: Number(r.request_ms),
      p50Ms: Number(r.p50),
      p90Ms: Number(r.p90),
    }));
    if (out.every((x) => x.errors === 0)) return out;
    // failed requests: a failed span and its parents in the same service up to the request; and
    // where failures began: per trace, the services with a failed span none of whose children failed
    const failed = await rows(
      `WITH RECURSIVE near AS (SELECT trace_id, span_id, parent_span_id, coalesce(service, '') AS service, name, status_code, start_ms FROM spans WHERE tenant = $tenant AND start_ms >= $cfrom::float8 AND start_ms < $cto::float8),
         f AS (SELECT * FROM near WHERE status_code = ${SPAN_STATUS.ERROR}),
         o AS (SELECT DISTINCT f.trace_id AS origin_trace, f.service AS origin_service FROM f LEFT JOIN f c ON c.trace_id = f.trace_id AND c.parent_span_id = f.span_id WHERE c.span_id IS NULL),
         up(trace_id, span_id, parent_span_id, service, name, start_ms) AS (SELECT trace_id, span_id, parent_span_id, service, name, start_ms FROM f
           UNION SELECT n.trace_id, n.span_id, n.parent_span_id, n.service, n.name, n.start_ms FROM near n JOIN up ON n.trace_id = up.trace_id AND n.span_id = up.parent_span_id AND n.service = up.service)
       SELECT up.service AS service, ${byOperation ? 'up.name' : "''"} AS operation, ${bucketOf('up.start_ms')} AS b, count(*) AS n, count(*) FILTER (WHERE o.origin_trace IS NOT NULL) AS own
       FROM up LEFT JOIN (SELECT DISTINCT trace_id, span_id, service FROM near) p ON p.trace_id = up.trace_id AND p.span_id = up.parent_span_id AND p.service = up.service
         LEFT JOIN o ON o.origin_trace = up.trace_id AND o.origin_service = up.service
       WHERE p.span_id IS NULL AND up.start_ms >= $from::float8 AND up.start_ms < $to::float8 ${q.service === undefined ? '' : 'AND up.service = $service'} GROUP BY 1, 2, 3`,
      w.values,
    );
    const byKey = new Map(
      out.map((x) => [`${x.service}\u0000${x.operation}\u0000${x.bucketMs}`, x]),
    );
    for (const r of failed) {
      const x = byKey.get(`${String(r.service)}\u0000${String(r.operation)}\u0000${Number(r.b)}`);
      if (x === undefined) continue;
      x.failedRequests = Number(r.n);
      x.ownFailedRequests = Number(r.own);
    }
    return out;
  };

  const edgeStats = async (
    tenant: string,
    q: WindowQuery & { service?: string },
  ): Promise<EdgeStats[]> => {
    const values: Record<string, SqlValue> = {
      tenant,
      from: q.fromMs,
      to: q.toMs,
      bucket: q.bucketMs,
    };
    if (q.service !== undefined) values.service = q.service;
    const only =
      q.service === undefined ? '' : 'AND (p.service = $service OR c.service = $service)';
    const found = await rows(
      `${CALLS_CTE} SELECT p.service AS caller, c.service AS callee, ${bucketOf('p.start_ms')} AS b, count(*) AS calls, count(*) FILTER (WHERE c.status_code = ${SPAN_STATUS.ERROR}) AS errors,
         ${disc(0.5, 'p.duration - c.duration')} AS gap, sum(c.duration) AS callee_ms ${CALL_PAIRS} ${only} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      values,
    );
    return found.map((r) => ({
      caller: String(r.caller),
      callee: String(r.callee),
      bucketMs: Number(r.b),
      calls: Number(r.calls),
      errors: Number(r.errors),
      gapP50Ms: Number(r.gap),
      calleeMs: Number(r.callee_ms),
    }));
  };

  const serviceEdges = async (
    tenant: string,
    q: { fromMs: number; toMs: number },
  ): Promise<ServiceEdge[]> => {
    const found = await rows(
      `${CALLS_CTE} SELECT p.service AS caller, c.service AS callee, count(*) AS calls, count(*) FILTER (WHERE c.status_code = ${SPAN_STATUS.ERROR}) AS errors, ${disc(0.9, 'c.duration')} AS p90 ${CALL_PAIRS} GROUP BY 1, 2 ORDER BY 1, 2`,
      { tenant, from: q.fromMs, to: q.toMs },
    );
    return found.map((r) => ({
      caller: String(r.caller),
      callee: String(r.callee),
      calls: Number(r.calls),
      errors: Number(r.errors),
      p90Ms: Number(r.p90),
    }));
  };

  /** Appends spans once each: the batch's first copy, and none the store already holds (whoever wrote it). */
  const appendSpans = async (tx: Transaction, tenant: string, spans: readonly Span[]) => {
    const fresh = new Map<string, Span>();
    for (const sp of spans) {
      const key = spanCopyKey(sp);
      if (!fresh.has(key)) fresh.set(key, sp);
    }
    await tx.query(
      'CREATE TEMP TABLE IF NOT EXISTS span_stage (LIKE spans INCLUDING DEFAULTS) ON COMMIT DELETE ROWS',
    );
    await tx.copy(
      'span_stage',
      SPAN_COLUMNS,
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
        sp.kind === SPAN_KIND_CLIENT ? peerOf(sp.attributes) : undefined,
      ]),
    );
    const r = await tx.query(
      `INSERT INTO spans (${SPAN_COLUMNS.join(', ')}) SELECT ${SPAN_COLUMNS.join(', ')} FROM span_stage ON CONFLICT DO NOTHING`,
    );
    await tx.query('TRUNCATE span_stage');
    return spans.length - (r.rowCount ?? 0);
  };

  const self: TelemetryStorePort = {
    append(tenant, batch) {
      return self.appendMany([{ tenant, batch }]);
    },

    async appendMany(all): Promise<AppendResult> {
      check();
      const times: Record<RecordTable, number[]> = { logs: [], spans: [], metric_points: [] };
      for (const { batch } of all) {
        for (const m of batch.metrics ?? []) times.metric_points.push(m.timeMs);
        for (const l of batch.logs ?? []) times.logs.push(l.timeMs);
        for (const sp of batch.spans ?? []) times.spans.push(sp.startMs);
      }
      if (all.every((e) => isEmptyBatch(e.batch))) return { repeatedSpans: 0 };
      try {
        for (const table of Object.keys(RECORD_TABLES) as RecordTable[])
          await db.ensurePartitions(table, times[table]);
        return await db.transaction(async (tx): Promise<AppendResult> => {
          // the keys first: a second writer of a key waits here for the first one's transaction,
          // then finds it written; entries with a key written before (or earlier in this write) go
          const keys = keysOf(all);
          const fresh = new Set<string>();
          if (keys.length > 0) {
            const r = await tx.query(
              'INSERT INTO written_keys SELECT unnest($keys::text[]), $at::float8 ON CONFLICT DO NOTHING RETURNING key',
              { keys, at: Date.now() },
            );
            for (const row of r.rows as Row[]) fresh.add(String(row.key));
          }
          const entries = entriesToWrite(all, fresh);
          const alreadyWritten = all.length - entries.length;
          let repeatedSpans = 0;
          const res = (r: LogResource) => RESOURCE_KEYS.map((k) => r[k]);
          for (const { tenant, batch } of entries) {
            await tx.copy(
              'metric_points',
              [
                'tenant',
                'time_ms',
                'name',
                'kind',
                'value',
                'labels',
                ...RESOURCE_KEYS,
                'count',
                'sum',
                'cumulative',
              ],
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
            await tx.copy(
              'logs',
              [
                'tenant',
                'id',
                'time_ms',
                'severity',
                'severity_text',
                'body',
                ...RESOURCE_KEYS,
                'attributes',
                'trace_id',
                'span_id',
                'template_id',
                'template',
                'params',
              ],
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
            const findings = batch.findings ?? [];
            if (findings.length > 0)
              await tx.query(
                `INSERT INTO findings SELECT $tenant::text, * FROM unnest($id::text[], $kind::text[], $time::float8[], $score::float8[], $reason::text[], $metric::text[], $labels::text[], $resource::text[], $detail::text[], $evidence::text[]) ON CONFLICT DO NOTHING`,
                {
                  tenant,
                  id: findings.map((f) => f.id),
                  kind: findings.map((f) => f.kind),
                  time: findings.map((f) => f.timeMs),
                  score: findings.map((f) => f.score),
                  reason: findings.map((f) => f.reason),
                  metric: findings.map((f) => f.subject.metric),
                  labels: findings.map((f) => f.subject.labels),
                  resource: findings.map((f) => JSON.stringify(f.subject.resource)),
                  detail: findings.map((f) => f.detail),
                  evidence: findings.map((f) => JSON.stringify(f.evidence)),
                },
              );
          }
          // each tenant's spans together: a span twice in one appendMany is stored once
          const spansOf = new Map<string, Span[]>();
          for (const { tenant, batch } of entries)
            for (const sp of batch.spans ?? []) {
              let list = spansOf.get(tenant);
              if (list === undefined) spansOf.set(tenant, (list = []));
              list.push(sp);
            }
          for (const [tenant, list] of spansOf)
            repeatedSpans += await appendSpans(tx, tenant, list);
          return alreadyWritten > 0 ? { repeatedSpans, alreadyWritten } : { repeatedSpans };
        });
      } catch (err) {
        const message = (err as Error).message;
        // a value no column can hold is the request's: sending it again will not help
        if (isDataError(err) || err instanceof RangeError)
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
    },

    async findings(tenant: string, q: FindingQuery): Promise<Page<Finding>> {
      const w = new Where(tenant);
      w.range('time_ms', q.fromMs, q.toMs);
      w.add('kind = $kind', 'kind', q.kind);
      w.cursor(q.cursor);
      w.values.limit = q.limit + 1;
      const found = await rows(
        `SELECT id, kind, time_ms, score, reason, metric, labels, resource, detail, evidence FROM findings WHERE ${w.sql} ORDER BY time_ms DESC, id DESC LIMIT $limit`,
        w.values,
      );
      return pageOf(
        found.map((r): Finding => ({
          id: String(r.id),
          kind: String(r.kind) as FindingKind,
          timeMs: Number(r.time_ms),
          score: Number(r.score),
          reason: String(r.reason),
          subject: {
            metric: String(r.metric),
            labels: String(r.labels),
            resource: JSON.parse(String(r.resource)) as LogResource,
          },
          detail: String(r.detail),
          evidence: JSON.parse(String(r.evidence)) as Finding['evidence'],
        })),
        q.limit,
        (f) => [f.timeMs, f.id],
      );
    },

    async metricPoints(tenant: string, q: MetricQuery): Promise<MetricPoint[]> {
      const w = new Where(tenant);
      w.add('name = $name', 'name', q.name);
      w.range('time_ms', q.fromMs, q.toMs);
      w.values.limit = q.limit;
      const found = await rows(
        `SELECT time_ms, name, kind, value, labels, service, namespace, pod, container, node, host, count, sum, cumulative FROM metric_points WHERE ${w.sql} ORDER BY time_ms LIMIT $limit`,
        w.values,
      );
      return found.map((r) => {
        const p: MetricPoint = {
          timeMs: Number(r.time_ms),
          name: String(r.name),
          kind: String(r.kind) as MetricKind,
          value: Number(r.value),
          labels: String(r.labels),
          resource: resourceOf(r),
        };
        if (r.count !== null) p.count = Number(r.count);
        if (r.sum !== null) p.sum = Number(r.sum);
        if (r.cumulative === true) p.cumulative = true;
        return p;
      });
    },

    async metricSeries(tenant: string, q: SeriesQuery): Promise<SeriesResult[]> {
      const w = new Where(tenant);
      w.add('name = $name', 'name', q.name);
      w.range('time_ms', q.fromMs, q.toMs);
      w.add('service = $service', 'service', q.service);
      Object.entries(q.labels ?? {}).forEach(([k, v], i) => {
        w.add(`labels::jsonb ->> $lk${i} = $lv${i}`, `lv${i}`, v);
        w.values[`lk${i}`] = k;
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
      const cols = ['labels', ...RESOURCE_KEYS].join(', ');
      // the first `limit` series in their order, numbered by a window (IS NOT DISTINCT FROM, which
      // a join on the series would need for NULL resource fields, cannot be hashed: a nested loop)
      const found = await rows(
        `WITH f AS (SELECT *, dense_rank() OVER (ORDER BY ${cols}) AS series FROM metric_points WHERE ${w.sql})
         SELECT ${cols}, floor(time_ms / $step::float8) * $step::float8 AS b, ${fn} AS v, count(*) AS n
         FROM f WHERE series <= $limit GROUP BY ${cols}, b ORDER BY ${cols}, b`,
        w.values,
      );
      const out = new Map<string, SeriesResult>();
      for (const r of found) {
        const resource = resourceOf(r);
        const key = `${String(r.labels)}\u0000${JSON.stringify(resource)}`;
        let s = out.get(key);
        if (s === undefined) out.set(key, (s = { labels: String(r.labels), resource, points: [] }));
        s.points.push({ bucketMs: Number(r.b), value: Number(r.v), count: Number(r.n) });
      }
      return [...out.values()];
    },

    async logs(tenant: string, q: LogQuery): Promise<Page<StoredLog>> {
      const w = new Where(tenant);
      w.range('time_ms', q.fromMs, q.toMs);
      w.add('service = $service', 'service', q.service);
      w.add('severity >= $sev', 'sev', q.minSeverity);
      w.add('template_id = $tid', 'tid', q.templateId);
      w.add('strpos(lower(body), lower($text)) > 0', 'text', q.text);
      w.cursor(q.cursor);
      w.values.limit = q.limit + 1;
      const found = await rows(
        `SELECT id, time_ms, severity, severity_text, body, service, namespace, pod, container, node, host, attributes, trace_id, span_id, template_id, template, params FROM logs WHERE ${w.sql} ORDER BY time_ms DESC, id DESC LIMIT $limit`,
        w.values,
      );
      return pageOf(
        found.map((r): StoredLog => ({
          id: String(r.id),
          timeMs: Number(r.time_ms),
          severity: Number(r.severity),
          severityText: String(r.severity_text),
          body: String(r.body),
          resource: resourceOf(r),
          attributes: String(r.attributes),
          traceId: String(r.trace_id),
          spanId: String(r.span_id),
          templateId: String(r.template_id),
          template: String(r.template),
          params: JSON.parse(String(r.params)) as string[],
        })),
        q.limit,
        (l) => [l.timeMs, l.id],
      );
    },

    async metricNames(tenant: string, q: MetricNameQuery): Promise<MetricName[]> {
      const w = new Where(tenant);
      w.range('time_ms', q.fromMs, q.toMs);
      w.add('service = $service', 'service', q.service);
      w.values.limit = q.limit;
      const found = await rows(
        `SELECT name, count(DISTINCT (labels, service, namespace, pod, container, node, host)) AS series, count(*) AS points, min(time_ms) AS first, max(time_ms) AS last
         FROM metric_points WHERE ${w.sql} GROUP BY name ORDER BY name LIMIT $limit`,
        w.values,
      );
      return found.map((r) => ({
        name: String(r.name),
        series: Number(r.series),
        points: Number(r.points),
        firstMs: Number(r.first),
        lastMs: Number(r.last),
      }));
    },

    async spans(tenant: string, q: SpanQuery): Promise<Span[]> {
      const w = new Where(tenant);
      w.add('trace_id = $trace', 'trace', q.traceId);
      w.add('service = $service', 'service', q.service);
      w.add('name = $op', 'op', q.operation);
      w.range('start_ms', q.fromMs, q.toMs);
      w.add('end_ms - start_ms >= $minDur::float8', 'minDur', q.minDurationMs);
      if (q.errorsOnly === true) w.add('status_code = $err', 'err', SPAN_STATUS.ERROR);
      w.add('kind = $kind', 'kind', q.kind);
      w.add(`kind = ${SPAN_KIND_CLIENT} AND peer = $peer`, 'peer', q.peer);
      w.values.limit = q.limit;
      const order =
        q.order === 'duration' ? 'end_ms - start_ms DESC, start_ms, span_id' : 'start_ms, span_id';
      const found = await rows(
        `SELECT trace_id, span_id, parent_span_id, name, kind, start_ms, end_ms, status_code, status_message, service, namespace, pod, container, node, host, attributes FROM spans WHERE ${w.sql} ORDER BY ${order} LIMIT $limit`,
        w.values,
      );
      return found.map((r): Span => ({
        traceId: String(r.trace_id),
        spanId: String(r.span_id),
        parentSpanId: String(r.parent_span_id),
        name: String(r.name),
        kind: Number(r.kind),
        startMs: Number(r.start_ms),
        endMs: Number(r.end_ms),
        statusCode: Number(r.status_code),
        statusMessage: String(r.status_message),
        resource: resourceOf(r),
        attributes: String(r.attributes),
      }));
    },

    async services(tenant: string): Promise<ServiceSummary[]> {
      const found = await rows(
        `SELECT service, sum(l) AS logs, sum(s) AS spans, sum(m) AS metric_points FROM (
           SELECT service, count(*) AS l, 0 AS s, 0 AS m FROM logs WHERE tenant = $tenant AND service IS NOT NULL GROUP BY service
           UNION ALL SELECT service, 0, count(*), 0 FROM spans WHERE tenant = $tenant AND service IS NOT NULL GROUP BY service
           UNION ALL SELECT service, 0, 0, count(*) FROM metric_points WHERE tenant = $tenant AND service IS NOT NULL GROUP BY service
         ) x GROUP BY service ORDER BY service`,
        { tenant },
      );
      return found.map((r) => ({
        service: String(r.service),
        logs: Number(r.logs),
        spans: Number(r.spans),
        metricPoints: Number(r.metric_points),
      }));
    },

    async templateCounts(tenant: string, q: TemplateCountQuery): Promise<TemplateCount[]> {
      const w = new Where(tenant);
      w.range('time_ms', q.fromMs, q.toMs);
      w.add('service = $service', 'service', q.service);
      w.values.bucket = q.bucketMs;
      w.values.limit = q.limit;
      const found = await rows(
        `SELECT template_id, min(template) AS template, ${bucketOf('time_ms')} AS b, count(*) AS n, count(*) FILTER (WHERE severity >= ${SEVERITY.ERROR}) AS errors
         FROM logs WHERE ${w.sql} GROUP BY template_id, b ORDER BY b, n DESC, template_id LIMIT $limit`,
        w.values,
      );
      return found.map((r) => ({
        templateId: String(r.template_id),
        template: String(r.template),
        bucketMs: Number(r.b),
        count: Number(r.n),
        errors: Number(r.errors),
      }));
    },

    async timeRange(tenant: string) {
      const found = await rows(
        `SELECT min(a) AS a, max(z) AS z FROM (SELECT min(time_ms) a, max(time_ms) z FROM logs WHERE tenant = $tenant UNION ALL SELECT min(start_ms), max(start_ms) FROM spans WHERE tenant = $tenant UNION ALL SELECT min(time_ms), max(time_ms) FROM metric_points WHERE tenant = $tenant) x`,
        { tenant },
      );
      const r = found[0];
      return r === undefined || r.a === null
        ? undefined
        : { fromMs: Number(r.a), toMs: Number(r.z) };
    },

    async serviceTemplateCounts(tenant: string, q: WindowQuery): Promise<ServiceTemplateCount[]> {
      const w = new Where(tenant);
      w.range('time_ms', q.fromMs, q.toMs);
      w.values.bucket = q.bucketMs;
      const found = await rows(
        `SELECT coalesce(service, '') AS service, template_id, min(template) AS template, max(severity) AS severity, ${bucketOf('time_ms')} AS b, count(*) AS n
         FROM logs WHERE ${w.sql} GROUP BY 1, 2, 5 ORDER BY 1, 2, 5`,
        w.values,
      );
      return found.map((r) => ({
        service: String(r.service),
        templateId: String(r.template_id),
        template: String(r.template),
        severity: Number(r.severity),
        bucketMs: Number(r.b),
        count: Number(r.n),
      }));
    },

    async serviceMentions(tenant, q): Promise<ServiceMention[]> {
      const names = [...new Set(q.names)].filter((n) => n.length >= MIN_MENTION_LENGTH);
      if (names.length === 0) return [];
      const w = new Where(tenant);
      w.range('time_ms', q.fromMs, q.toMs);
      w.add('severity >= $sev', 'sev', q.minSeverity);
      w.values.bucket = q.bucketMs;
      w.values.names = names;
      w.values.patterns = names.map(mentionPattern);
      // strpos first: the regular expression only runs on records that hold the name
      const found = await rows(
        `SELECT coalesce(service, '') AS service, template_id, n.name AS named, ${bucketOf('time_ms')} AS b, count(*) AS n
         FROM logs, unnest($names::text[], $patterns::text[]) AS n(name, pattern)
         WHERE ${w.sql} AND coalesce(service, '') <> n.name AND strpos(body, n.name) > 0 AND body ~ n.pattern
         GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, n.name COLLATE "C", 4`,
        w.values,
      );
      return found.map((r) => ({
        service: String(r.service),
        templateId: String(r.template_id),
        named: String(r.named),
        bucketMs: Number(r.b),
        count: Number(r.n),
      }));
    },

    async spanStats(tenant, q): Promise<ServiceSpanStats[]> {
      return (await red(tenant, q, false)).map(({ operation, ...r }): ServiceSpanStats => r);
    },

    operationStats(tenant, q): Promise<OperationStats[]> {
      return red(tenant, q, true);
    },

    serviceEdges,
    edgeStats,

    async spanAggregates(tenant, q) {
      const [spans, edges, calls] = [
        await self.spanStats(tenant, q),
        await serviceEdges(tenant, q),
        await edgeStats(tenant, q),
      ];
      return { spans, edges, calls };
    },

    async peerCalls(tenant: string, q: WindowQuery): Promise<PeerCallStats[]> {
      // a call's answer starts after it: children are looked for up to a bucket past the range
      const found = await rows(
        `WITH k AS (SELECT trace_id, span_id, coalesce(service, '') AS service, start_ms, end_ms, status_code, peer
                    FROM spans WHERE tenant = $tenant AND kind = ${SPAN_KIND_CLIENT} AND peer IS NOT NULL AND peer <> '' AND start_ms >= $from::float8 AND start_ms < $to::float8),
              a AS (SELECT k.trace_id, k.span_id, min(coalesce(c.service, '')) AS callee FROM k JOIN spans c
                    ON c.tenant = $tenant AND c.trace_id = k.trace_id AND c.parent_span_id = k.span_id AND coalesce(c.service, '') <> k.service
                    WHERE c.start_ms >= $from::float8 AND c.start_ms < $to::float8 + $bucket::float8 GROUP BY 1, 2)
         SELECT k.service AS caller, k.peer, coalesce(a.callee, '') AS callee, ${bucketOf('k.start_ms')} AS b, count(*) AS calls, count(*) FILTER (WHERE k.status_code = ${SPAN_STATUS.ERROR}) AS errors,
           ${disc(0.9, 'k.end_ms - k.start_ms')} AS p90, sum(k.end_ms - k.start_ms) AS call_ms
         FROM k LEFT JOIN a ON a.trace_id = k.trace_id AND a.span_id = k.span_id GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
        { tenant, from: q.fromMs, to: q.toMs, bucket: q.bucketMs },
      );
      return found.map((r) => ({
        caller: String(r.caller),
        peer: String(r.peer),
        callee: String(r.callee),
        bucketMs: Number(r.b),
        calls: Number(r.calls),
        errors: Number(r.errors),
        p90Ms: Number(r.p90),
        callMs: Number(r.call_ms),
      }));
    },

    async serviceMetricStats(tenant: string, q: WindowQuery): Promise<ServiceMetricStats[]> {
      const found = await rows(
        `SELECT service, name, ${bucketOf('time_ms')} AS b, avg(value) AS v, count(*) AS n FROM metric_points
         WHERE tenant = $tenant AND time_ms >= $from::float8 AND time_ms < $to::float8 AND NOT cumulative AND service IS NOT NULL AND service <> ''
           AND value NOT IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)
         GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
        { tenant, from: q.fromMs, to: q.toMs, bucket: q.bucketMs },
      );
      return found.map((r) => ({
        service: String(r.service),
        name: String(r.name),
        bucketMs: Number(r.b),
        value: Number(r.v),
        points: Number(r.n),
      }));
    },

    async deleteBefore(cutoffMs: number) {
      check();
      try {
        const n = { metrics: 0, logs: 0, spans: 0, findings: 0 };
        const key = { logs: 'logs', spans: 'spans', metric_points: 'metrics' } as const;
        for (const table of Object.keys(RECORD_TABLES) as RecordTable[]) {
          const column = RECORD_TABLES[table];
          // whole days go at once; the rest row by row
          for (const part of await db.partitionsBefore(table, cutoffMs)) {
            const c = await db.query(`SELECT count(*) AS n FROM ${part}`);
            n[key[table]] += Number((c.rows[0] as Row).n);
            await db.query(`DROP TABLE IF EXISTS ${part}`);
          }
          const d = await db.query(`DELETE FROM ${table} WHERE ${column} < $cut::float8`, {
            cut: cutoffMs,
          });
          n[key[table]] += d.rowCount ?? 0;
        }
        const f = await db.query('DELETE FROM findings WHERE time_ms < $cut::float8', {
          cut: cutoffMs,
        });
        await db.query('DELETE FROM written_keys WHERE at_ms < $cut::float8', { cut: cutoffMs });
        n.findings = f.rowCount ?? 0;
        return n;
      } catch (err) {
        throw new AppError(
          'STORE.UNAVAILABLE',
          `retention could not delete old records: ${(err as Error).message}`,
          {},
          err,
        );
      }
    },

    healthy: () => db.isOpen(),

    close: () => db.close(),
  };
  return self;
}
