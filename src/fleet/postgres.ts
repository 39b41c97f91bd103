import pg from 'pg';
import { MoatError } from '../core/errors.js';
import type {
  AuditEntry,
  Override,
  PolicyRecords,
  ReviewItem,
  ReviewStatus,
} from '../policy/records.js';
import type { PgWriter } from './pg-writer.js';

/** Creates Moat's tables in `schema` if they are missing. */
export async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`
    CREATE SCHEMA IF NOT EXISTS ${schema};
    CREATE TABLE IF NOT EXISTS ${schema}.events (
      id text PRIMARY KEY, ts timestamptz NOT NULL, account text NOT NULL, key_id text,
      tier text, route text NOT NULL, model text NOT NULL, status int NOT NULL,
      latency_ms int, input_tokens int NOT NULL, output_tokens int NOT NULL,
      params jsonb NOT NULL, client jsonb NOT NULL, input jsonb, output jsonb,
      text_expires_at timestamptz);
    CREATE INDEX IF NOT EXISTS events_account_ts ON ${schema}.events (account, ts);
    CREATE TABLE IF NOT EXISTS ${schema}.policy_audit (
      id text PRIMARY KEY, ts timestamptz NOT NULL, account text NOT NULL, body jsonb NOT NULL);
    CREATE INDEX IF NOT EXISTS policy_audit_account ON ${schema}.policy_audit (account, id);
    CREATE TABLE IF NOT EXISTS ${schema}.policy_reviews (
      id text PRIMARY KEY, status text NOT NULL, body jsonb NOT NULL);
    CREATE TABLE IF NOT EXISTS ${schema}.policy_overrides (
      account text PRIMARY KEY, body jsonb NOT NULL);
    CREATE TABLE IF NOT EXISTS ${schema}.api_keys (
      id text PRIMARY KEY, hash text NOT NULL UNIQUE, account text NOT NULL,
      tier text NOT NULL, created_at timestamptz NOT NULL, revoked_at timestamptz);
    ALTER TABLE ${schema}.api_keys ADD COLUMN IF NOT EXISTS payment_fp text;
    ALTER TABLE ${schema}.api_keys ADD COLUMN IF NOT EXISTS signup_ts text;
  `);
}

/** Opens a connection pool that fails fast while Postgres is away. */
export function connectPostgres(url: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: 1000,
    idleTimeoutMillis: 10_000,
    query_timeout: 5000,
  });
  pool.on('error', () => undefined); // an idle client lost its server; the next query reports it
  return pool;
}

async function read<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw new MoatError('MOAT_ERR_STORE', (err as Error).message, { cause: err });
  }
}

/**
 * Policy records in Postgres for a fleet. Writes go through the PgWriter (batched, spooled
 * during an outage, replayed after); reads query Postgres and fail with 503 while it is away.
 */
export class PgRecords implements PolicyRecords {
  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly writer: PgWriter,
  ) {}

  async addAudit(entry: AuditEntry): Promise<void> {
    this.writer.push([{ kind: 'audit', row: entry }]);
  }

  async listAudit(q: { account?: string; limit?: number }): Promise<AuditEntry[]> {
    const where = q.account === undefined ? '' : 'WHERE account = $2';
    const params: unknown[] = [q.limit ?? 100];
    if (q.account !== undefined) params.push(q.account);
    const sql = `SELECT body FROM ${this.schema}.policy_audit ${where} ORDER BY id DESC LIMIT $1`;
    const r = await read(() => this.pool.query(sql, params));
    return r.rows.map((row) => row.body as AuditEntry);
  }

  async latestAudit(): Promise<AuditEntry[]> {
    const t = `${this.schema}.policy_audit`;
    const sql = `SELECT body FROM ${t} WHERE id IN (
        SELECT max(id) FROM ${t}
        GROUP BY account, CASE WHEN account = '*' THEN body->>'cluster' END)
      ORDER BY id`;
    const r = await read(() => this.pool.query(sql));
    return r.rows.map((row) => row.body as AuditEntry);
  }

  async addReview(item: ReviewItem): Promise<void> {
    this.writer.push([{ kind: 'review', row: item }]);
  }

  async getReview(id: string): Promise<ReviewItem | undefined> {
    const sql = `SELECT body FROM ${this.schema}.policy_reviews WHERE id = $1`;
    const r = await read(() => this.pool.query(sql, [id]));
    return r.rows[0]?.body as ReviewItem | undefined;
  }

  async resolveReview(
    id: string,
    patch: Pick<ReviewItem, 'status' | 'analyst' | 'note' | 'resolvedTs'>,
  ): Promise<boolean> {
    if (!(await this.getReview(id))) return false;
    this.writer.push([{ kind: 'review_resolve', row: { id, ...patch } }]);
    await this.writer.flush();
    return true;
  }

  async listReviews(q: { status?: ReviewStatus; limit?: number }): Promise<ReviewItem[]> {
    const where = q.status === undefined ? '' : 'WHERE status = $2';
    const params: unknown[] = [q.limit ?? 100];
    if (q.status !== undefined) params.push(q.status);
    const sql = `SELECT body FROM ${this.schema}.policy_reviews ${where} ORDER BY id DESC LIMIT $1`;
    const r = await read(() => this.pool.query(sql, params));
    return r.rows.map((row) => row.body as ReviewItem);
  }

  async putOverride(override: Override): Promise<void> {
    this.writer.push([{ kind: 'override_put', row: override }]);
  }

  async deleteOverride(account: string): Promise<boolean> {
    this.writer.push([{ kind: 'override_del', row: account }]);
    return true;
  }

  async listOverrides(): Promise<Override[]> {
    const r = await read(() => this.pool.query(`SELECT body FROM ${this.schema}.policy_overrides`));
    return r.rows.map((row) => row.body as Override);
  }

  async close(): Promise<void> {
    await this.writer.close();
  }
}
