import type Database from 'better-sqlite3';
import type { MoatEvent } from '../core/event.js';

/** Row shape of the events table, as read back (JSON columns still encoded). */
export interface EventRow {
  id: string;
  ts: string;
  account: string;
  key_id: string | null;
  tier: string | null;
  route: string;
  model: string;
  status: number;
  latency_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  params: string;
  client: string;
  input: string | null;
  output: string | null;
  text_expires_at: string | null;
}

/**
 * Batched event writes. The caller decides retention: an event whose text must not be kept is
 * passed without `input`/`output.text`; one kept is passed with an expiry time.
 */
export class EventTable {
  private readonly insert: Database.Statement;
  private readonly insertMany: (batch: { event: MoatEvent; expiresAt: string | null }[]) => void;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO events (id, ts, account, key_id, tier, route, model, status,
         latency_ms, input_tokens, output_tokens, params, client, input, output, text_expires_at)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    this.insertMany = db.transaction((batch) => {
      for (const { event: e, expiresAt } of batch) {
        this.insert.run(
          e.id,
          e.ts,
          e.account,
          e.key ?? null,
          e.tier ?? null,
          e.route,
          e.model,
          e.status,
          e.latency_ms ?? null,
          e.usage.input_tokens,
          e.usage.output_tokens,
          JSON.stringify(e.params),
          JSON.stringify(e.client),
          e.input ? JSON.stringify(e.input) : null,
          e.output ? JSON.stringify(e.output) : null,
          expiresAt,
        );
      }
    });
  }

  /** Writes a batch in one transaction; an event id already stored is skipped. */
  write(batch: { event: MoatEvent; expiresAt: string | null }[]): void {
    if (batch.length > 0) this.insertMany(batch);
  }

  /** Removes retained text whose time to live has passed; returns how many events changed. */
  purgeExpiredText(now = new Date()): number {
    const r = this.db
      .prepare(
        `UPDATE events SET input = NULL,
           output = CASE WHEN output IS NULL THEN NULL
                    ELSE json_remove(output, '$.text') END,
           text_expires_at = NULL
         WHERE text_expires_at IS NOT NULL AND text_expires_at <= ?`,
      )
      .run(now.toISOString());
    return r.changes;
  }

  /** Events in time order, optionally of one account (for tests, tools and the console). */
  list(opts: { account?: string; limit?: number } = {}): EventRow[] {
    const where = opts.account === undefined ? '' : 'WHERE account = @account';
    return this.db
      .prepare(`SELECT * FROM events ${where} ORDER BY ts, id LIMIT @limit`)
      .all({ account: opts.account, limit: opts.limit ?? 1_000_000 }) as EventRow[];
  }

  /** Number of stored events. */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }
}
