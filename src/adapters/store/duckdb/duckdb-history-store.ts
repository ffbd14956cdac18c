import type { DuckDBValue } from '@duckdb/node-api';
import type { ApiKeyRecord, KeyOrigin, KeyScope } from '../../../core/domain/api-key.js';
import type { EnrolTokenRecord } from '../../../core/domain/enrolment.js';
import type { Explanation } from '../../../core/domain/explanation.js';
import type { Incident } from '../../../core/domain/incident.js';
import { AppError } from '../../../core/errors.js';
import type { LogReport } from '../../../core/domain/log-report.js';
import type { ExplanationRecord } from '../../../core/ports/explanation-store.port.js';
import type { HistoryStorePort } from '../../../core/ports/history-store.port.js';
import { pageOf, requireCursor } from '../page-cursor.js';
import type { DuckDbHandle } from './duckdb-telemetry-store.js';

function toKey(row: readonly DuckDBValue[]): ApiKeyRecord {
  const k: ApiKeyRecord = {
    id: String(row[0]),
    hash: String(row[1]),
    tenant: String(row[2]),
    scope: String(row[3]) as KeyScope,
    name: String(row[4]),
    createdMs: Number(row[5]),
  };
  if (row[6] !== null) k.revokedMs = Number(row[6]);
  if (row[7] !== null && row[7] !== undefined) k.origin = JSON.parse(String(row[7])) as KeyOrigin;
  return k;
}

function toToken(row: readonly DuckDBValue[]): EnrolTokenRecord {
  const t: EnrolTokenRecord = {
    id: String(row[0]),
    verifier: String(row[1]),
    tenant: String(row[2]),
    scope: String(row[3]) as KeyScope,
    name: String(row[4]),
    createdMs: Number(row[5]),
    expiresMs: Number(row[6]),
  };
  if (row[7] !== null) t.usedMs = Number(row[7]);
  if (row[8] !== null) t.keyId = String(row[8]);
  return t;
}

/** API keys in the same DuckDB file as the telemetry (table api_keys). */
export function duckDbHistoryStore(db: DuckDbHandle): HistoryStorePort {
  const conn = db.conn;
  const serial = <T>(fn: () => Promise<T>): Promise<T> => db.serial(fn);
  const check = () => {
    if (!db.isOpen()) throw new AppError('STORE.UNAVAILABLE', 'the store is closed');
  };
  const cols = 'id, hash, tenant, scope, name, created_ms, revoked_ms, origin';
  const tokenCols = 'id, verifier, tenant, scope, name, created_ms, expires_ms, used_ms, key_id';
  const insertKey = (k: ApiKeyRecord) =>
    conn.run('INSERT INTO api_keys VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)', [
      k.id,
      k.hash,
      k.tenant,
      k.scope,
      k.name,
      k.createdMs,
      k.origin === undefined ? null : JSON.stringify(k.origin),
    ]);
  return {
    getCachedExplanation: (key, nowMs) =>
      serial(async () => {
        check();
        const r = (
          await conn.runAndReadAll(
            'SELECT body FROM llm_cache WHERE key = $1 AND expires_ms > $2',
            [key, nowMs],
          )
        ).getRows()[0];
        return r === undefined ? undefined : (JSON.parse(String(r[0])) as Explanation);
      }),
    putCachedExplanation: (key, value, expiresMs) =>
      serial(async () => {
        check();
        // expired entries go when a new one comes: the cache stays as small as a day's answers
        await conn.run('DELETE FROM llm_cache WHERE expires_ms <= $1', [Date.now()]);
        await conn.run('INSERT OR REPLACE INTO llm_cache VALUES ($1, $2, $3)', [
          key,
          expiresMs,
          JSON.stringify(value),
        ]);
      }),
    llmTokensUsed: (day) =>
      serial(async () => {
        check();
        const r = (
          await conn.runAndReadAll('SELECT tokens FROM llm_usage WHERE day = $1', [day])
        ).getRows()[0];
        return r === undefined ? 0 : Number(r[0]);
      }),
    addLlmTokens: (day, tokens) =>
      serial(async () => {
        check();
        await conn.run(
          'INSERT INTO llm_usage VALUES ($1, $2) ON CONFLICT (day) DO UPDATE SET tokens = tokens + excluded.tokens',
          [day, tokens],
        );
      }),
    addExplanation: (rec) =>
      serial(async () => {
        check();
        await conn.run('INSERT OR REPLACE INTO explanations VALUES ($1, $2, $3, $4, $5)', [
          rec.tenant,
          rec.id,
          rec.subject,
          rec.createdMs,
          JSON.stringify(rec.explanation),
        ]);
      }),
    listExplanations: (tenant, subject, limit) =>
      serial(async () => {
        check();
        const rows = (
          await conn.runAndReadAll(
            'SELECT id, created_ms, body FROM explanations WHERE tenant = $1 AND subject = $2 ORDER BY created_ms DESC, id DESC LIMIT $3',
            [tenant, subject, limit],
          )
        ).getRows();
        return rows.map((r): ExplanationRecord => ({
          id: String(r[0]),
          tenant,
          subject,
          createdMs: Number(r[1]),
          explanation: JSON.parse(String(r[2])) as Explanation,
        }));
      }),
    putIncident: (tenant, i) =>
      serial(async () => {
        check();
        await conn.run('INSERT OR REPLACE INTO incidents VALUES ($1, $2, $3, $4, $5)', [
          tenant,
          i.id,
          i.firstSymptomMs,
          i.status,
          JSON.stringify(i),
        ]);
      }),
    getIncident: (tenant, id) =>
      serial(async () => {
        check();
        const r = (
          await conn.runAndReadAll('SELECT body FROM incidents WHERE tenant = $1 AND id = $2', [
            tenant,
            id,
          ])
        ).getRows()[0];
        return r === undefined ? undefined : (JSON.parse(String(r[0])) as Incident);
      }),
    listIncidents: (tenant, q) =>
      serial(async () => {
        check();
        let where = 'tenant = $tenant';
        const values: Record<string, DuckDBValue> = { tenant, limit: q.limit + 1 };
        if (q.status !== undefined) {
          where += ' AND status = $status';
          values.status = q.status;
        }
        if (q.fromMs !== undefined) {
          where += ' AND first_ms >= $from';
          values.from = q.fromMs;
        }
        if (q.toMs !== undefined) {
          where += ' AND first_ms < $to';
          values.to = q.toMs;
        }
        if (q.cursor !== undefined) {
          const c = requireCursor(q.cursor);
          where += ' AND (first_ms < $ct OR (first_ms = $ct AND id < $cid))';
          values.ct = c.timeMs;
          values.cid = c.id;
        }
        const rows = (
          await conn.runAndReadAll(
            `SELECT body FROM incidents WHERE ${where} ORDER BY first_ms DESC, id DESC LIMIT $limit`,
            values,
          )
        ).getRows();
        return pageOf(
          rows.map((r) => JSON.parse(String(r[0])) as Incident),
          q.limit,
          (i) => [i.firstSymptomMs, i.id],
        );
      }),
    addAnalysis: (a) =>
      serial(async () => {
        check();
        await conn.run('INSERT INTO analyses VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          a.tenant,
          a.id,
          a.createdMs,
          a.name,
          a.report.summary.lines,
          a.report.findings.length,
          JSON.stringify(a.report),
        ]);
      }),
    getAnalysis: (tenant, id) =>
      serial(async () => {
        check();
        const rows = (
          await conn.runAndReadAll(
            'SELECT id, tenant, created_ms, name, report FROM analyses WHERE tenant = $1 AND id = $2',
            [tenant, id],
          )
        ).getRows();
        const r = rows[0];
        return r === undefined
          ? undefined
          : {
              id: String(r[0]),
              tenant: String(r[1]),
              createdMs: Number(r[2]),
              name: String(r[3]),
              report: JSON.parse(String(r[4])) as LogReport,
            };
      }),
    listAnalyses: (tenant, q) =>
      serial(async () => {
        check();
        let where = 'tenant = $tenant';
        const values: Record<string, DuckDBValue> = { tenant, limit: q.limit + 1 };
        if (q.cursor !== undefined) {
          const c = requireCursor(q.cursor);
          where += ' AND (created_ms < $ct OR (created_ms = $ct AND id < $cid))';
          values.ct = c.timeMs;
          values.cid = c.id;
        }
        const rows = (
          await conn.runAndReadAll(
            `SELECT id, created_ms, name, lines, findings FROM analyses WHERE ${where} ORDER BY created_ms DESC, id DESC LIMIT $limit`,
            values,
          )
        ).getRows();
        return pageOf(
          rows.map((r) => ({
            id: String(r[0]),
            createdMs: Number(r[1]),
            name: String(r[2]),
            lines: Number(r[3]),
            findings: Number(r[4]),
          })),
          q.limit,
          (a) => [a.createdMs, a.id],
        );
      }),
    deleteAnalysis: (tenant, id) =>
      serial(async () => {
        check();
        const found =
          (
            await conn.runAndReadAll('SELECT 1 FROM analyses WHERE tenant = $1 AND id = $2', [
              tenant,
              id,
            ])
          ).getRows().length > 0;
        if (found)
          await conn.run('DELETE FROM analyses WHERE tenant = $1 AND id = $2', [tenant, id]);
        return found;
      }),
    addKey: (k) =>
      serial(async () => {
        check();
        await insertKey(k);
      }),
    findKey: (id) =>
      serial(async () => {
        check();
        const rows = (
          await conn.runAndReadAll(`SELECT ${cols} FROM api_keys WHERE id = $1`, [id])
        ).getRows();
        return rows.length === 0 ? undefined : toKey(rows[0]!);
      }),
    listKeys: () =>
      serial(async () => {
        check();
        return (await conn.runAndReadAll(`SELECT ${cols} FROM api_keys ORDER BY created_ms, id`))
          .getRows()
          .map(toKey);
      }),
    revokeKey: (id, atMs) =>
      serial(async () => {
        check();
        const found =
          (await conn.runAndReadAll('SELECT 1 FROM api_keys WHERE id = $1', [id])).getRows()
            .length > 0;
        if (found)
          await conn.run(
            'UPDATE api_keys SET revoked_ms = coalesce(revoked_ms, $2) WHERE id = $1',
            [id, atMs],
          );
        return found;
      }),
    addEnrolToken: (t) =>
      serial(async () => {
        check();
        await conn.run('INSERT INTO enrol_tokens VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)', [
          t.id,
          t.verifier,
          t.tenant,
          t.scope,
          t.name,
          t.createdMs,
          t.expiresMs,
        ]);
      }),
    findEnrolToken: (id) =>
      serial(async () => {
        check();
        const rows = (
          await conn.runAndReadAll(`SELECT ${tokenCols} FROM enrol_tokens WHERE id = $1`, [id])
        ).getRows();
        return rows.length === 0 ? undefined : toToken(rows[0]!);
      }),
    listEnrolTokens: () =>
      serial(async () => {
        check();
        return (
          await conn.runAndReadAll(`SELECT ${tokenCols} FROM enrol_tokens ORDER BY created_ms, id`)
        )
          .getRows()
          .map(toToken);
      }),
    redeemEnrolToken: (id, atMs, key) =>
      serial(async () => {
        check();
        // serial: no other statement of this process runs between the check and the writes
        await conn.run('BEGIN TRANSACTION');
        try {
          const open =
            (
              await conn.runAndReadAll(
                'SELECT 1 FROM enrol_tokens WHERE id = $1 AND used_ms IS NULL AND expires_ms > $2',
                [id, atMs],
              )
            ).getRows().length > 0;
          if (!open) {
            await conn.run('ROLLBACK');
            return false;
          }
          await conn.run('UPDATE enrol_tokens SET used_ms = $2, key_id = $3 WHERE id = $1', [
            id,
            atMs,
            key.id,
          ]);
          await insertKey(key);
          await conn.run('COMMIT');
          return true;
        } catch (err) {
          await conn.run('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }),
  };
}
