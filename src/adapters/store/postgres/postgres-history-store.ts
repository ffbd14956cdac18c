/**
 * API keys, enrolment tokens, analyses, incidents and the model layer's cache, usage and records
 * in the shared PostgreSQL store, beside the telemetry: every node sees the same keys and
 * incidents. Same contract as the DuckDB history store.
 */
import type { ApiKeyRecord, KeyOrigin, KeyScope } from '../../../core/domain/api-key.js';
import type { EnrolTokenRecord } from '../../../core/domain/enrolment.js';
import type { Explanation } from '../../../core/domain/explanation.js';
import type { Incident } from '../../../core/domain/incident.js';
import type { LogReport } from '../../../core/domain/log-report.js';
import { AppError } from '../../../core/errors.js';
import type { ExplanationRecord } from '../../../core/ports/explanation-store.port.js';
import type { HistoryStorePort } from '../../../core/ports/history-store.port.js';
import { pageOf, requireCursor } from '../page-cursor.js';
import type { PostgresHandle, Row, SqlValue } from './postgres-db.js';

function toKey(r: Row): ApiKeyRecord {
  const k: ApiKeyRecord = {
    id: String(r.id),
    hash: String(r.hash),
    tenant: String(r.tenant),
    scope: String(r.scope) as KeyScope,
    name: String(r.name),
    createdMs: Number(r.created_ms),
  };
  if (r.revoked_ms !== null) k.revokedMs = Number(r.revoked_ms);
  if (r.origin !== null) k.origin = JSON.parse(String(r.origin)) as KeyOrigin;
  return k;
}

function toToken(r: Row): EnrolTokenRecord {
  const t: EnrolTokenRecord = {
    id: String(r.id),
    verifier: String(r.verifier),
    tenant: String(r.tenant),
    scope: String(r.scope) as KeyScope,
    name: String(r.name),
    createdMs: Number(r.created_ms),
    expiresMs: Number(r.expires_ms),
  };
  if (r.used_ms !== null) t.usedMs = Number(r.used_ms);
  if (r.key_id !== null) t.keyId = String(r.key_id);
  return t;
}

const KEY_COLUMNS = 'id, hash, tenant, scope, name, created_ms, revoked_ms, origin';
const TOKEN_COLUMNS = 'id, verifier, tenant, scope, name, created_ms, expires_ms, used_ms, key_id';
const INSERT_KEY =
  'INSERT INTO api_keys (id, hash, tenant, scope, name, created_ms, origin) VALUES ($id, $hash, $tenant, $scope, $name, $created::float8, $origin)';
const keyValues = (k: ApiKeyRecord): Record<string, SqlValue> => ({
  id: k.id,
  hash: k.hash,
  tenant: k.tenant,
  scope: k.scope,
  name: k.name,
  created: k.createdMs,
  origin: k.origin === undefined ? null : JSON.stringify(k.origin),
});

export function postgresHistoryStore(db: PostgresHandle): HistoryStorePort {
  const rows = (sql: string, values: Record<string, SqlValue> = {}) => db.rows(sql, values);
  return {
    async getCachedExplanation(key, nowMs) {
      const r = (
        await rows('SELECT body FROM llm_cache WHERE key = $key AND expires_ms > $now::float8', {
          key,
          now: nowMs,
        })
      )[0];
      return r === undefined ? undefined : (JSON.parse(String(r.body)) as Explanation);
    },
    async putCachedExplanation(key, value, expiresMs) {
      await rows('DELETE FROM llm_cache WHERE expires_ms <= $now::float8', { now: Date.now() });
      await rows(
        'INSERT INTO llm_cache VALUES ($key, $expires::float8, $body) ON CONFLICT (key) DO UPDATE SET expires_ms = excluded.expires_ms, body = excluded.body',
        { key, expires: expiresMs, body: JSON.stringify(value) },
      );
    },
    async llmTokensUsed(day) {
      const r = (await rows('SELECT tokens FROM llm_usage WHERE day = $day', { day }))[0];
      return r === undefined ? 0 : Number(r.tokens);
    },
    async addLlmTokens(day, tokens) {
      await rows(
        'INSERT INTO llm_usage VALUES ($day, $tokens::bigint) ON CONFLICT (day) DO UPDATE SET tokens = llm_usage.tokens + excluded.tokens',
        { day, tokens },
      );
    },
    async addExplanation(rec) {
      await rows(
        'INSERT INTO explanations VALUES ($tenant, $id, $subject, $created::float8, $body) ON CONFLICT (tenant, id) DO UPDATE SET subject = excluded.subject, created_ms = excluded.created_ms, body = excluded.body',
        {
          tenant: rec.tenant,
          id: rec.id,
          subject: rec.subject,
          created: rec.createdMs,
          body: JSON.stringify(rec.explanation),
        },
      );
    },
    async listExplanations(tenant, subject, limit) {
      const found = await rows(
        'SELECT id, created_ms, body FROM explanations WHERE tenant = $tenant AND subject = $subject ORDER BY created_ms DESC, id DESC LIMIT $limit',
        { tenant, subject, limit },
      );
      return found.map((r): ExplanationRecord => ({
        id: String(r.id),
        tenant,
        subject,
        createdMs: Number(r.created_ms),
        explanation: JSON.parse(String(r.body)) as Explanation,
      }));
    },
    async putIncident(tenant, i) {
      await rows(
        'INSERT INTO incidents VALUES ($tenant, $id, $first::float8, $status, $body) ON CONFLICT (tenant, id) DO UPDATE SET first_ms = excluded.first_ms, status = excluded.status, body = excluded.body',
        { tenant, id: i.id, first: i.firstSymptomMs, status: i.status, body: JSON.stringify(i) },
      );
    },
    async getIncident(tenant, id) {
      const r = (
        await rows('SELECT body FROM incidents WHERE tenant = $tenant AND id = $id', { tenant, id })
      )[0];
      return r === undefined ? undefined : (JSON.parse(String(r.body)) as Incident);
    },
    async listIncidents(tenant, q) {
      let where = 'tenant = $tenant';
      const values: Record<string, SqlValue> = { tenant, limit: q.limit + 1 };
      if (q.status !== undefined) {
        where += ' AND status = $status';
        values.status = q.status;
      }
      if (q.fromMs !== undefined) {
        where += ' AND first_ms >= $from::float8';
        values.from = q.fromMs;
      }
      if (q.toMs !== undefined) {
        where += ' AND first_ms < $to::float8';
        values.to = q.toMs;
      }
      if (q.cursor !== undefined) {
        const c = requireCursor(q.cursor);
        where += ' AND (first_ms < $ct::float8 OR (first_ms = $ct::float8 AND id < $cid))';
        values.ct = c.timeMs;
        values.cid = c.id;
      }
      const found = await rows(
        `SELECT body FROM incidents WHERE ${where} ORDER BY first_ms DESC, id DESC LIMIT $limit`,
        values,
      );
      return pageOf(
        found.map((r) => JSON.parse(String(r.body)) as Incident),
        q.limit,
        (i) => [i.firstSymptomMs, i.id],
      );
    },
    async addAnalysis(a) {
      await rows(
        'INSERT INTO analyses VALUES ($tenant, $id, $created::float8, $name, $lines::bigint, $findings::integer, $report)',
        {
          tenant: a.tenant,
          id: a.id,
          created: a.createdMs,
          name: a.name,
          lines: a.report.summary.lines,
          findings: a.report.findings.length,
          report: JSON.stringify(a.report),
        },
      );
    },
    async getAnalysis(tenant, id) {
      const r = (
        await rows(
          'SELECT id, tenant, created_ms, name, report FROM analyses WHERE tenant = $tenant AND id = $id',
          { tenant, id },
        )
      )[0];
      return r === undefined
        ? undefined
        : {
            id: String(r.id),
            tenant: String(r.tenant),
            createdMs: Number(r.created_ms),
            name: String(r.name),
            report: JSON.parse(String(r.report)) as LogReport,
          };
    },
    async listAnalyses(tenant, q) {
      let where = 'tenant = $tenant';
      const values: Record<string, SqlValue> = { tenant, limit: q.limit + 1 };
      if (q.cursor !== undefined) {
        const c = requireCursor(q.cursor);
        where += ' AND (created_ms < $ct::float8 OR (created_ms = $ct::float8 AND id < $cid))';
        values.ct = c.timeMs;
        values.cid = c.id;
      }
      const found = await rows(
        `SELECT id, created_ms, name, lines, findings FROM analyses WHERE ${where} ORDER BY created_ms DESC, id DESC LIMIT $limit`,
        values,
      );
      return pageOf(
        found.map((r) => ({
          id: String(r.id),
          createdMs: Number(r.created_ms),
          name: String(r.name),
          lines: Number(r.lines),
          findings: Number(r.findings),
        })),
        q.limit,
        (a) => [a.createdMs, a.id],
      );
    },
    async deleteAnalysis(tenant, id) {
      const gone = await rows(
        'DELETE FROM analyses WHERE tenant = $tenant AND id = $id RETURNING id',
        { tenant, id },
      );
      return gone.length > 0;
    },
    async addKey(k) {
      await rows(INSERT_KEY, keyValues(k));
    },
    async findKey(id) {
      const r = (await rows(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $id`, { id }))[0];
      return r === undefined ? undefined : toKey(r);
    },
    async listKeys() {
      return (await rows(`SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY created_ms, id`)).map(toKey);
    },
    async revokeKey(id, atMs) {
      const found = await rows(
        'UPDATE api_keys SET revoked_ms = coalesce(revoked_ms, $at::float8) WHERE id = $id RETURNING id',
        { id, at: atMs },
      );
      return found.length > 0;
    },
    async addEnrolToken(t) {
      await rows(
        'INSERT INTO enrol_tokens (id, verifier, tenant, scope, name, created_ms, expires_ms) VALUES ($id, $verifier, $tenant, $scope, $name, $created::float8, $expires::float8)',
        {
          id: t.id,
          verifier: t.verifier,
          tenant: t.tenant,
          scope: t.scope,
          name: t.name,
          created: t.createdMs,
          expires: t.expiresMs,
        },
      );
    },
    async findEnrolToken(id) {
      const r = (await rows(`SELECT ${TOKEN_COLUMNS} FROM enrol_tokens WHERE id = $id`, { id }))[0];
      return r === undefined ? undefined : toToken(r);
    },
    async listEnrolTokens() {
      return (await rows(`SELECT ${TOKEN_COLUMNS} FROM enrol_tokens ORDER BY created_ms, id`)).map(
        toToken,
      );
    },
    async redeemEnrolToken(id, atMs, key) {
      if (!db.isOpen()) throw new AppError('STORE.UNAVAILABLE', 'the store is closed');
      // spent once, whichever node is asked: the UPDATE takes the token only while it is open
      return db.transaction(async (tx) => {
        const spent = await tx.query(
          'UPDATE enrol_tokens SET used_ms = $at::float8, key_id = $key WHERE id = $id AND used_ms IS NULL AND expires_ms > $at::float8 RETURNING id',
          { id, at: atMs, key: key.id },
        );
        if (spent.rowCount !== 1) return false;
        await tx.query(INSERT_KEY, keyValues(key));
        return true;
      });
    },
  };
}
