import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { newId } from '../core/ids.js';
import { log } from '../core/log.js';
import {
  activeKeyFrom,
  checkKeyClient,
  hashKey,
  KEY_PREFIX,
  type ActiveKey,
  type ActiveKeyRow,
  type KeyClient,
  type KeyRecord,
} from '../store/keys.js';

/**
 * API keys shared by a fleet, in Postgres. The gateway's key index reads them synchronously
 * from a cache that is reloaded every `refreshMs`; a key issued on one replica works on the
 * others after the next reload (on the issuing replica, at once).
 */
export class PgKeys {
  private cache = new Map<string, ActiveKey>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {}

  /** Loads the cache, then keeps reloading it. */
  async start(refreshMs = 2000): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => {
      this.reload().catch((err: Error) => log.warn({ err: err.message }, 'key reload failed'));
    }, refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  active(): ActiveKey[] {
    return [...this.cache.values()];
  }

  findActive(hash: string): ActiveKey | undefined {
    return this.cache.get(hash);
  }

  /**
   * Issues a key, with the account's payment fingerprint and sign-up time when given; the
   * secret is returned once and only its hash is stored.
   */
  async create(
    account: string,
    tier: string,
    client?: KeyClient,
  ): Promise<{ id: string; secret: string }> {
    const facts = checkKeyClient(client);
    const secret = KEY_PREFIX + randomBytes(32).toString('base64url');
    const key: ActiveKey = { id: newId('key'), hash: hashKey(secret), account, tier };
    if (facts) key.client = facts;
    await this.pool.query(
      `INSERT INTO ${this.schema}.api_keys
         (id, hash, account, tier, created_at, payment_fp, signup_ts)
       VALUES ($1, $2, $3, $4, now(), $5, $6)`,
      [key.id, key.hash, account, tier, facts?.payment_fp ?? null, facts?.signup_ts ?? null],
    );
    this.cache.set(key.hash, key);
    return { id: key.id, secret };
  }

  async revoke(id: string): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE ${this.schema}.api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`,
      [id],
    );
    for (const [hash, k] of this.cache) if (k.id === id) this.cache.delete(hash);
    return r.rowCount === 1;
  }

  async list(account?: string): Promise<KeyRecord[]> {
    const where = account === undefined ? '' : 'WHERE account = $1';
    const r = await this.pool.query(
      `SELECT id, account, tier, created_at AS "createdAt", revoked_at AS "revokedAt"
       FROM ${this.schema}.api_keys ${where} ORDER BY id DESC`,
      account === undefined ? [] : [account],
    );
    return r.rows as KeyRecord[];
  }

  private async reload(): Promise<void> {
    const r = await this.pool.query(
      `SELECT id, hash, account, tier, payment_fp, signup_ts FROM ${this.schema}.api_keys
       WHERE revoked_at IS NULL`,
    );
    this.cache = new Map(
      (r.rows as ActiveKeyRow[]).map((row) => {
        const k = activeKeyFrom(row);
        return [k.hash, k];
      }),
    );
  }
}
