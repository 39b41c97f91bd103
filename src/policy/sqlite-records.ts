import type Database from 'better-sqlite3';
import type { AuditEntry, Override, PolicyRecords, ReviewItem, ReviewStatus } from './records.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS policy_audit (
  id TEXT PRIMARY KEY, ts TEXT NOT NULL, account TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS policy_audit_account ON policy_audit(account, id);
CREATE TABLE IF NOT EXISTS policy_reviews (
  id TEXT PRIMARY KEY, status TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS policy_reviews_status ON policy_reviews(status, id);
CREATE TABLE IF NOT EXISTS policy_overrides (account TEXT PRIMARY KEY, body TEXT NOT NULL);
`;

/**
 * Policy records in the embedded SQLite store, beside the gateway's tables (same file). Each
 * record is kept whole as JSON, with the columns the queries filter on.
 */
export class SqliteRecords implements PolicyRecords {
  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
  }

  async addAudit(e: AuditEntry): Promise<void> {
    this.db
      .prepare('INSERT OR IGNORE INTO policy_audit (id, ts, account, body) VALUES (?,?,?,?)')
      .run(e.id, e.ts, e.account, JSON.stringify(e));
  }

  async listAudit(q: { account?: string; limit?: number }): Promise<AuditEntry[]> {
    const where = q.account === undefined ? '' : 'WHERE account = @account';
    const rows = this.db
      .prepare(`SELECT body FROM policy_audit ${where} ORDER BY id DESC LIMIT @limit`)
      .all({ account: q.account, limit: q.limit ?? 100 }) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as AuditEntry);
  }

  async latestAudit(): Promise<AuditEntry[]> {
    const rows = this.db
      .prepare(
        `SELECT body FROM policy_audit WHERE id IN (
           SELECT max(id) FROM policy_audit
           GROUP BY account, CASE WHEN account = '*' THEN json_extract(body, '$.cluster') END)
         ORDER BY id`,
      )
      .all() as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as AuditEntry);
  }

  async addReview(item: ReviewItem): Promise<void> {
    this.db
      .prepare('INSERT OR IGNORE INTO policy_reviews (id, status, body) VALUES (?,?,?)')
      .run(item.id, item.status, JSON.stringify(item));
  }

  async getReview(id: string): Promise<ReviewItem | undefined> {
    const row = this.db.prepare('SELECT body FROM policy_reviews WHERE id = ?').get(id) as
      { body: string } | undefined;
    return row ? (JSON.parse(row.body) as ReviewItem) : undefined;
  }

  async resolveReview(
    id: string,
    patch: Pick<ReviewItem, 'status' | 'analyst' | 'note' | 'resolvedTs'>,
  ): Promise<boolean> {
    const item = await this.getReview(id);
    if (!item) return false;
    const next = { ...item, ...patch };
    this.db
      .prepare('UPDATE policy_reviews SET status = ?, body = ? WHERE id = ?')
      .run(next.status, JSON.stringify(next), id);
    return true;
  }

  async listReviews(q: { status?: ReviewStatus; limit?: number }): Promise<ReviewItem[]> {
    const where = q.status === undefined ? '' : 'WHERE status = @status';
    const rows = this.db
      .prepare(`SELECT body FROM policy_reviews ${where} ORDER BY id DESC LIMIT @limit`)
      .all({ status: q.status, limit: q.limit ?? 100 }) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as ReviewItem);
  }

  async putOverride(o: Override): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO policy_overrides (account, body) VALUES (?, ?)
         ON CONFLICT(account) DO UPDATE SET body = excluded.body`,
      )
      .run(o.account, JSON.stringify(o));
  }

  async deleteOverride(account: string): Promise<boolean> {
    return (
      this.db.prepare('DELETE FROM policy_overrides WHERE account = ?').run(account).changes > 0
    );
  }

  async listOverrides(): Promise<Override[]> {
    const rows = this.db.prepare('SELECT body FROM policy_overrides').all() as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as Override);
  }

  async close(): Promise<void> {}
}
