import type pg from 'pg';
import { log } from '../core/log.js';
import type { Spool, SpoolEntry } from './spool.js';

/** The SQL of each write kind; `$1` is a JSON array of rows. All are idempotent. */
function statements(s: string): Record<string, string> {
  return {
    event: `INSERT INTO ${s}.events (id, ts, account, key_id, tier, route, model, status,
        latency_ms, input_tokens, output_tokens, params, client, input, output, text_expires_at)
      SELECT id, ts, account, key_id, tier, route, model, status, latency_ms, input_tokens,
        output_tokens, params, client, input, output, text_expires_at
      FROM jsonb_to_recordset($1::jsonb) AS x(id text, ts timestamptz, account text,
        key_id text, tier text, route text, model text, status int, latency_ms int,
        input_tokens int, output_tokens int, params jsonb, client jsonb, input jsonb,
        output jsonb, text_expires_at timestamptz)
      ON CONFLICT (id) DO NOTHING`,
    audit: `INSERT INTO ${s}.policy_audit (id, ts, account, body)
      SELECT x->>'id', (x->>'ts')::timestamptz, x->>'account', x
      FROM jsonb_array_elements($1::jsonb) x ON CONFLICT (id) DO NOTHING`,
    review: `INSERT INTO ${s}.policy_reviews (id, status, body)
      SELECT x->>'id', x->>'status', x FROM jsonb_array_elements($1::jsonb) x
      ON CONFLICT (id) DO NOTHING`,
    review_resolve: `UPDATE ${s}.policy_reviews r SET status = x->>'status', body = r.body || x
      FROM jsonb_array_elements($1::jsonb) x WHERE r.id = x->>'id'`,
    override_put: `INSERT INTO ${s}.policy_overrides (account, body)
      SELECT DISTINCT ON (x->>'account') x->>'account', x FROM jsonb_array_elements($1::jsonb) x
      ON CONFLICT (account) DO UPDATE SET body = excluded.body`,
    override_del: `DELETE FROM ${s}.policy_overrides
      WHERE account IN (SELECT jsonb_array_elements_text($1::jsonb))`,
  };
}

/**
 * Batched, idempotent writes to Postgres that survive an outage: a batch that fails goes to the
 * local spool, later writes go straight there while Postgres is down, and a background loop
 * replays the spool once Postgres answers again. Writes are never retried in memory, so a
 * crash loses nothing that was acknowledged to the spool; ids make replays exactly-once.
 */
export class PgWriter {
  private pending: SpoolEntry[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private recovery?: Promise<void>;
  private readonly sql: Record<string, string>;
  private closed = false;
  /** True while Postgres is unreachable and writes go to the spool. */
  down = false;
  stats = { written: 0, spooled: 0, replayed: 0 };

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
    private readonly spool: Spool,
    private readonly options = { flushMs: 50, batchSize: 500, probeMs: 500 },
  ) {
    this.sql = statements(schema);
    if (spool.pending()) this.startRecovery();
  }

  /** Queues writes; they reach Postgres (or the spool) within `flushMs`. */
  push(entries: SpoolEntry[]): void {
    if (this.down) {
      this.toSpool(entries);
      return;
    }
    this.pending.push(...entries);
    if (this.pending.length >= this.options.batchSize) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs);
  }

  /** Writes everything queued; resolves when it is in Postgres or in the spool. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(async () => {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.options.batchSize);
        if (this.down) {
          this.toSpool(batch);
          continue;
        }
        try {
          await this.write(batch);
          this.stats.written += batch.length;
        } catch (err) {
          log.warn({ err: (err as Error).message }, 'postgres write failed, spooling');
          this.toSpool(batch);
          this.down = true;
          this.startRecovery();
        }
      }
    });
    return this.flushing;
  }

  /** Waits until the spool has been replayed (tests, shutdown with Postgres up). */
  async drained(): Promise<void> {
    await this.flush();
    await this.recovery;
  }

  /**
   * Flushes, gives a running recovery up to `graceMs` to replay the spool, then stops it; what
   * is still spooled waits for the next start.
   */
  async close(graceMs = 3000): Promise<void> {
    await this.flush();
    if (this.recovery) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise((r) => (timer = setTimeout(r, graceMs)));
      await Promise.race([this.recovery, deadline]);
      clearTimeout(timer);
    }
    this.closed = true;
  }

  /** Applies one batch in order, grouping runs of the same kind into one statement. */
  private async write(batch: SpoolEntry[]): Promise<void> {
    for (let i = 0; i < batch.length;) {
      let j = i;
      while (j < batch.length && batch[j].kind === batch[i].kind) j++;
      const sql = this.sql[batch[i].kind];
      if (!sql) throw new Error(`unknown write kind ${batch[i].kind}`);
      await this.pool.query(sql, [JSON.stringify(batch.slice(i, j).map((e) => e.row))]);
      i = j;
    }
  }

  private toSpool(entries: SpoolEntry[]): void {
    this.spool.append(entries);
    this.stats.spooled += entries.length;
  }

  private startRecovery(): void {
    if (this.recovery) return;
    this.down = true;
    this.recovery = this.recover().finally(() => {
      this.recovery = undefined;
    });
  }

  private async recover(): Promise<void> {
    while (!this.closed) {
      try {
        await this.pool.query('SELECT 1');
        while (this.spool.pending()) {
          this.stats.replayed += await this.spool.replay((b) => this.write(b));
        }
        this.down = false;
        log.info({ replayed: this.stats.replayed }, 'postgres back, spool replayed');
        return;
      } catch (err) {
        log.debug({ err: (err as Error).message }, 'postgres still unreachable');
        await new Promise((r) => setTimeout(r, this.options.probeMs).unref());
      }
    }
  }
}
