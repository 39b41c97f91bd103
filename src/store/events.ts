import type Database from 'better-sqlite3';
import type { MoatEvent } from '../core/event.js';
import { AccountTotals, BatchTotalsBuilder } from './account-totals.js';

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
 * One event as the values of an events row, in column order, with the JSON columns (params,
 * client, input, output) still objects: compact to hand to another thread, encoded on insert.
 */
export type EventRowValues = [
  id: string,
  ts: string,
  account: string,
  keyId: string | null,
  tier: string | null,
  route: string,
  model: string,
  status: number,
  latencyMs: number | null,
  inputTokens: number,
  outputTokens: number,
  params: object,
  client: object,
  input: object | null,
  output: object | null,
  textExpiresAt: string | null,
];

/** The row values of an event as given (retention is the caller's choice, as for `write`). */
export function eventRow(e: MoatEvent, expiresAt: string | null): EventRowValues {
  return [
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
    e.params,
    e.client,
    e.input ?? null,
    e.output ?? null,
    expiresAt,
  ];
}

/**
 * Batched event writes. The caller decides retention: an event whose text must not be kept is
 * passed without `input`/`output.text`; one kept is passed with an expiry time. Each batch also
 * adds to the per-account totals, in the same transaction, counting only the events inserted.
 */
export class EventTable {
  private readonly insert: Database.Statement;
  private readonly insertMany: (rows: EventRowValues[]) => void;

  constructor(
    private readonly db: Database.Database,
    totals = new AccountTotals(db),
  ) {
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO events (id, ts, account, key_id, tier, route, model, status,
         latency_ms, input_tokens, output_tokens, params, client, input, output, text_expires_at)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    this.insertMany = db.transaction((rows: EventRowValues[]) => {
      const batch = new BatchTotalsBuilder();
      for (const r of rows) {
        const { changes } = this.insert.run(
          r[0],
          r[1],
          r[2],
          r[3],
          r[4],
          r[5],
          r[6],
          r[7],
          r[8],
          r[9],
          r[10],
          JSON.stringify(r[11]),
          JSON.stringify(r[12]),
          r[13] ? JSON.stringify(r[13]) : null,
          r[14] ? JSON.stringify(r[14]) : null,
          r[15],
        );
        // An id already stored (a spill replayed twice) inserts nothing and adds nothing.
        if (changes > 0) batch.add(r[2], r[1], r[4], r[7], r[9], r[10]);
      }
      totals.apply(batch);
    });
  }

  /** Writes a batch in one transaction; an event id already stored is skipped. */
  write(batch: { event: MoatEvent; expiresAt: string | null }[]): void {
    if (batch.length > 0) this.insertMany(batch.map((b) => eventRow(b.event, b.expiresAt)));
  }

  /** Writes rows made by `eventRow` in one transaction; an event id already stored is skipped. */
  writeRows(rows: EventRowValues[]): void {
    if (rows.length > 0) this.insertMany(rows);
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
