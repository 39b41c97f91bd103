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

/**
 * Facts about the account that the provider recorded when it issued the key: its payment
 * fingerprint and sign-up time. They go on the key's events, as the trusted headers' do.
 */
export interface KeyClient {
  payment_fp?: string;
  signup_ts?: string;
}

/** What the gateway's key index holds per active key. */
export interface ActiveKey {
  id: string;
  hash: string;
  account: string;
  tier: string;
  client?: KeyClient;
}

/** A fact given with a new key that cannot be kept; `field` names it. */
export class KeyClientError extends Error {
  constructor(
    readonly field: keyof KeyClient,
    readonly detail: string,
  ) {
    super(`${field} ${detail}`);
  }
}

/** Longest payment fingerprint accepted with a key. */
const MAX_FP_LENGTH = 256;

/**
 * Checks facts given with a new key; throws a KeyClientError naming the bad one. A sign-up time is
 * kept as given when it parses as a date.
 */
export function checkKeyClient(client: KeyClient | undefined): KeyClient | undefined {
  if (!client) return undefined;
  const out: KeyClient = {};
  const fp = client.payment_fp;
  if (fp !== undefined) {
    if (typeof fp !== 'string' || fp === '' || fp.length > MAX_FP_LENGTH) {
      const detail = `must be a non-empty string of at most ${MAX_FP_LENGTH} chars`;
      throw new KeyClientError('payment_fp', detail);
    }
    out.payment_fp = fp;
  }
  const signup = client.signup_ts;
  if (signup !== undefined) {
    if (typeof signup !== 'string' || Number.isNaN(Date.parse(signup))) {
      throw new KeyClientError('signup_ts', 'must be a date and time (ISO 8601)');
    }
    out.signup_ts = signup;
  }
  return out.payment_fp === undefined && out.signup_ts === undefined ? undefined : out;
}

/** An active key as a table row holds it (SQLite and Postgres alike); null facts were not given. */
export interface ActiveKeyRow {
  id: string;
  hash: string;
  account: string;
  tier: string;
  payment_fp: string | null;
  signup_ts: string | null;
}

/** The active key of a row, with its facts when it has any. */
export function activeKeyFrom(row: ActiveKeyRow): ActiveKey {
  const key: ActiveKey = { id: row.id, hash: row.hash, account: row.account, tier: row.tier };
  if (row.payment_fp !== null || row.signup_ts !== null) {
    key.client = {};
    if (row.payment_fp !== null) key.client.payment_fp = row.payment_fp;
    if (row.signup_ts !== null) key.client.signup_ts = row.signup_ts;
  }
  return key;
}

const ACTIVE_COLUMNS = 'id, hash, account, tier, payment_fp, signup_ts';

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
      `SELECT ${ACTIVE_COLUMNS} FROM api_keys WHERE hash = ? AND revoked_at IS NULL`,
    );
  }

  /**
   * Issues a key for an account (created if new), with the account's payment fingerprint and
   * sign-up time when given; returns the secret, which is not kept.
   */
  create(
    account: string,
    tier: string,
    client?: KeyClient,
    now = new Date(),
  ): { id: string; secret: string } {
    const facts = checkKeyClient(client);
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
        .prepare(
          `INSERT INTO api_keys (id, hash, account, tier, created_at, payment_fp, signup_ts)
           VALUES (?,?,?,?,?,?,?)`,
        )
        .run(
          id,
          hashKey(secret),
          account,
          tier,
          ts,
          facts?.payment_fp ?? null,
          facts?.signup_ts ?? null,
        );
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
    const rows = this.db
      .prepare(`SELECT ${ACTIVE_COLUMNS} FROM api_keys WHERE revoked_at IS NULL`)
      .all() as ActiveKeyRow[];
    return rows.map(activeKeyFrom);
  }

  /** One active key by hash (an indexed lookup). */
  findActive(hash: string): ActiveKey | undefined {
    const row = this.byHash.get(hash) as ActiveKeyRow | undefined;
    return row && activeKeyFrom(row);
  }
}
