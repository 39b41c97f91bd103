import type Database from 'better-sqlite3';
import { hash, randomBytes } from 'node:crypto';
import { newId } from '../core/ids.js';

/** An API key as stored: never the secret, only its SHA-256. */
export interface KeyRecord {
  id: string;
  account: string;
  tier: string;
  createdAt: string;
  revokedAt: string | null;
}

/** What the gateway's key index holds per active key. */
export interface ActiveKey {
  id: string;
  hash: string;
  account: string;
  tier: string;
}

/** Prefix of every Moat-issued secret, so leaked keys are easy to recognise and scan for. */
export const KEY_PREFIX = 'moat_sk_';

/**
 * The hash under which a key is stored and looked up. Keys carry 256 random bits, so a fast
 * hash is enough: there is nothing to brute-force.
 */
export function hashKey(secret: string): string {
  // One-shot hash: no Hash object per call (it runs on every authenticated request).
  return hash('sha256', secret, 'hex');
}

/** Accounts and API keys. */
export class KeyTable {
  private readonly byHash: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.byHash = db.prepare(
      'SELECT id, hash, account, tier FROM api_keys WHERE hash = ? AND revoked_at IS NULL',
    );
  }

  /** Issues a key for an account (created if new); returns the secret, which is not kept. */
  create(account: string, tier: string, now = new Date()): { id: string; secret: string } {
    const secret = KEY_PREFIX + randomBytes(32).toString('base64url');
    const id = newId('key');
    const ts = now.toISOString();
    const insert = this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO accounts (id, tier, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        )
        .run(account, tier, ts);
      this.db
        .prepare('INSERT INTO api_keys (id, hash, account, tier, created_at) VALUES (?,?,?,?,?)')
        .run(id, hashKey(secret), account, tier, ts);
    });
    insert();
    return { id, secret };
  }

  /** Revokes a key by id; false when no such active key exists. */
  revoke(id: string, now = new Date()): boolean {
    const r = this.db
      .prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(now.toISOString(), id);
    return r.changes === 1;
  }

  /** Every key, newest first, optionally of one account. */
  list(account?: string): KeyRecord[] {
    const where = account === undefined ? '' : 'WHERE account = ?';
    const rows = this.db
      .prepare(
        `SELECT id, account, tier, created_at AS createdAt, revoked_at AS revokedAt
         FROM api_keys ${where} ORDER BY id DESC`,
      )
      .all(...(account === undefined ? [] : [account]));
    return rows as KeyRecord[];
  }

  /** Every key that is not revoked, for the gateway's in-memory index. */
  active(): ActiveKey[] {
    return this.db
      .prepare('SELECT id, hash, account, tier FROM api_keys WHERE revoked_at IS NULL')
      .all() as ActiveKey[];
  }

  /** One active key by hash (an indexed lookup). */
  findActive(hash: string): ActiveKey | undefined {
    return this.byHash.get(hash) as ActiveKey | undefined;
  }
}
