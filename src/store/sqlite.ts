import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { MoatError } from '../core/errors.js';
import { moatHome } from '../core/paths.js';
import { ACCOUNT_TOTALS_SCHEMA, AccountTotals } from './account-totals.js';
import { EventTable } from './events.js';
import { KeyTable } from './keys.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS accounts (
  id TEXT PRIMARY KEY,
  tier TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  account TEXT NOT NULL REFERENCES accounts(id),
  tier TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  payment_fp TEXT,
  signup_ts TEXT
);
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  ts TEXT NOT NULL,
  account TEXT NOT NULL,
  key_id TEXT,
  tier TEXT,
  route TEXT NOT NULL,
  model TEXT NOT NULL,
  status INTEGER NOT NULL,
  latency_ms INTEGER,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  params TEXT NOT NULL,
  client TEXT NOT NULL,
  input TEXT,
  output TEXT,
  text_expires_at TEXT
);
CREATE INDEX IF NOT EXISTS events_account_ts ON events(account, ts);
-- No query reads events by time alone (each names an account), so ts has no index of its own:
-- it cost every insert one more B-tree update. A store made earlier loses it here.
DROP INDEX IF EXISTS events_ts;
CREATE INDEX IF NOT EXISTS events_text_expiry ON events(text_expires_at)
  WHERE text_expires_at IS NOT NULL;
`;

/** Resolves the store file: absolute as given, relative under MOAT_HOME. */
export function storePath(path: string): string {
  return isAbsolute(path) ? path : join(moatHome(), path);
}

/**
 * The embedded store: one SQLite file in WAL mode holding accounts, API keys (hashes only),
 * events and per-account totals of the events. All calls are synchronous (better-sqlite3); the
 * gateway never calls it on the request path except for a key lookup on an index miss.
 */
export class SqliteStore {
  readonly db: Database.Database;
  readonly keys: KeyTable;
  readonly events: EventTable;
  readonly totals: AccountTotals;

  constructor(readonly file: string) {
    try {
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(SCHEMA);
      addKeyClientColumns(this.db);
      this.db.exec(ACCOUNT_TOTALS_SCHEMA);
      this.totals = new AccountTotals(this.db);
      // A store written before the totals existed gets them once, from its events.
      this.totals.backfill();
    } catch (err) {
      throw new MoatError('MOAT_ERR_STORE', `cannot open ${file}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.keys = new KeyTable(this.db);
    this.events = new EventTable(this.db, this.totals);
  }

  /** Closes the database; further calls throw. */
  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Opens (creating if needed) the store at `path` (relative paths are under MOAT_HOME). */
export function openStore(path = 'moat.db'): SqliteStore {
  return new SqliteStore(path === ':memory:' ? path : storePath(path));
}

/**
 * Adds the key facts columns to a store made before they existed. Another connection may add
 * them at the same moment; the check after a failed ALTER tells that apart from a real error.
 */
function addKeyClientColumns(db: Database.Database): void {
  for (const column of ['payment_fp', 'signup_ts']) {
    const has = () =>
      (db.prepare('PRAGMA table_info(api_keys)').all() as { name: string }[]).some(
        (c) => c.name === column,
      );
    if (has()) continue;
    try {
      db.exec(`ALTER TABLE api_keys ADD COLUMN ${column} TEXT`);
    } catch (err) {
      if (!has()) throw err;
    }
  }
}
