import type Database from 'better-sqlite3';

/** Schema of the per-account totals, kept beside the events they sum. */
export const ACCOUNT_TOTALS_SCHEMA = `
CREATE TABLE IF NOT EXISTS account_totals (
  account TEXT PRIMARY KEY,
  tier TEXT,
  events INTEGER NOT NULL,
  refused INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  first_ts TEXT NOT NULL,
  last_ts TEXT NOT NULL
);
`;

/** What one batch adds to one account's totals. */
interface BatchTotals {
  tier: string | null;
  events: number;
  refused: number;
  inputTokens: number;
  outputTokens: number;
  firstTs: string;
  lastTs: string;
}

/**
 * Sums the events of one batch per account, in JS, so the totals cost one write per account
 * and batch rather than one per event. Feed it only the events the store actually inserted.
 */
export class BatchTotalsBuilder {
  readonly byAccount = new Map<string, BatchTotals>();

  /** Adds one inserted event; the latest by time (the later-added on a tie) sets the tier. */
  add(
    account: string,
    ts: string,
    tier: string | null,
    status: number,
    inputTokens: number,
    outputTokens: number,
  ): void {
    const t = this.byAccount.get(account);
    if (t === undefined) {
      this.byAccount.set(account, {
        tier,
        events: 1,
        refused: status >= 400 ? 1 : 0,
        inputTokens,
        outputTokens,
        firstTs: ts,
        lastTs: ts,
      });
      return;
    }

    t.events++;
    if (status >= 400) t.refused++;
    t.inputTokens += inputTokens;
    t.outputTokens += outputTokens;
    if (ts < t.firstTs) t.firstTs = ts;
    if (ts >= t.lastTs) {
      t.lastTs = ts;
      t.tier = tier;
    }
  }
}

/**
 * Per-account totals of the events table (count, refused calls, tokens, first and last time,
 * tier of the latest event), so the console reads one row per account instead of summing
 * every event on each load. The event writer adds to them in the same transaction as the
 * inserts; `backfill` builds them once for a store written before they existed.
 */
export class AccountTotals {
  private readonly update: Database.Statement;
  private readonly insert: Database.Statement;

  constructor(private readonly db: Database.Database) {
    // SET reads the row as it was: the batch's tier wins when its latest event is at least as
    // late as the stored one, as the later-inserted of two events at one time is the one the
    // events table's (account, ts) index gives first from the end.
    this.update = db.prepare(
      `UPDATE account_totals SET
         tier = CASE WHEN ? >= last_ts THEN ? ELSE tier END,
         events = events + ?, refused = refused + ?,
         input_tokens = input_tokens + ?, output_tokens = output_tokens + ?,
         first_ts = min(first_ts, ?), last_ts = max(last_ts, ?)
       WHERE account = ?`,
    );
    this.insert = db.prepare(
      `INSERT INTO account_totals (account, tier, events, refused, input_tokens, output_tokens,
         first_ts, last_ts) VALUES (?,?,?,?,?,?,?,?)`,
    );
  }

  /**
   * Adds a batch's sums; call it inside the transaction that inserted the events (which then
   * holds the write lock, so no other connection adds the account in between). An UPDATE that
   * finds the account, else an INSERT, measured cheaper than an UPSERT for the common case.
   */
  apply(batch: BatchTotalsBuilder): void {
    for (const [account, t] of batch.byAccount) {
      const updated = this.update.run(
        t.lastTs,
        t.tier,
        t.events,
        t.refused,
        t.inputTokens,
        t.outputTokens,
        t.firstTs,
        t.lastTs,
        account,
      );
      if (updated.changes > 0) continue;
      this.insert.run(
        account,
        t.tier,
        t.events,
        t.refused,
        t.inputTokens,
        t.outputTokens,
        t.firstTs,
        t.lastTs,
      );
    }
  }

  /**
   * Builds the totals from the events table with one pass, if the totals are empty while
   * events exist (a store made before the totals did). Returns how many accounts it added.
   * The check is repeated inside an immediate transaction, so two connections opening the store
   * at once build it once; a store that needs nothing takes no write lock.
   */
  backfill(): number {
    if (!this.needsBackfill()) return 0;
    const run = this.db.transaction((): number => {
      if (!this.needsBackfill()) return 0;
      return this.db
        .prepare(
          `INSERT INTO account_totals (account, tier, events, refused, input_tokens,
             output_tokens, first_ts, last_ts)
           SELECT account,
             (SELECT tier FROM events e2 WHERE e2.account = events.account
               ORDER BY ts DESC, rowid DESC LIMIT 1),
             count(*), sum(status >= 400), sum(input_tokens), sum(output_tokens),
             min(ts), max(ts)
           FROM events GROUP BY account`,
        )
        .run().changes;
    });
    return run.immediate();
  }

  private needsBackfill(): boolean {
    if (this.db.prepare('SELECT 1 FROM account_totals LIMIT 1').get()) return false;
    return this.db.prepare('SELECT 1 FROM events LIMIT 1').get() !== undefined;
  }
}
