import type Database from 'better-sqlite3';
import type { ReceivedSignature } from './stix-read.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS intel_signatures (
  stix_id TEXT PRIMARY KEY,
  producer TEXT NOT NULL,
  modified TEXT NOT NULL,
  hash_alg TEXT NOT NULL,
  salt_id TEXT,
  signature TEXT NOT NULL,
  imported_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS intel_hashes (
  hash TEXT NOT NULL,
  kind TEXT NOT NULL,
  stix_id TEXT NOT NULL REFERENCES intel_signatures(stix_id) ON DELETE CASCADE,
  PRIMARY KEY (hash, stix_id)
);
CREATE INDEX IF NOT EXISTS intel_hashes_stix ON intel_hashes(stix_id);
`;

/** What storing one received signature did. */
export type UpsertResult = 'added' | 'updated' | 'unchanged';

/**
 * Campaign signatures received from other providers, in Moat's SQLite store: one row per STIX
 * campaign (its newest version wins) and an index of its template and client hashes, so the
 * gateway or `moat intel match` can look a hash up without reading every signature.
 */
export class IntelTable {
  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
  }

  /** Stores a signature unless a version at least as new is already there. */
  upsert(sig: ReceivedSignature, now = new Date()): UpsertResult {
    const row = this.db
      .prepare('SELECT modified FROM intel_signatures WHERE stix_id = ?')
      .get(sig.stix_id) as { modified: string } | undefined;
    if (row && Date.parse(row.modified) >= Date.parse(sig.modified)) return 'unchanged';

    const write = this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO intel_signatures
             (stix_id, producer, modified, hash_alg, salt_id, signature, imported_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(stix_id) DO UPDATE SET producer = excluded.producer,
             modified = excluded.modified, hash_alg = excluded.hash_alg,
             salt_id = excluded.salt_id, signature = excluded.signature,
             imported_at = excluded.imported_at`,
        )
        .run(
          sig.stix_id,
          sig.producer,
          sig.modified,
          sig.hash_info.alg,
          sig.hash_info.salt_id,
          JSON.stringify(sig),
          now.toISOString(),
        );
      this.db.prepare('DELETE FROM intel_hashes WHERE stix_id = ?').run(sig.stix_id);
      const insert = this.db.prepare(
        'INSERT OR IGNORE INTO intel_hashes (hash, kind, stix_id) VALUES (?, ?, ?)',
      );
      for (const t of sig.templates ?? []) insert.run(t.hash, t.kind, sig.stix_id);
      for (const n of sig.networks ?? []) insert.run(n.hash, 'net', sig.stix_id);
      for (const u of sig.user_agents ?? []) insert.run(u.hash, 'ua', sig.stix_id);
    });
    write();
    return row ? 'updated' : 'added';
  }

  /** Every stored signature, newest import first. */
  all(): ReceivedSignature[] {
    const rows = this.db
      .prepare('SELECT signature FROM intel_signatures ORDER BY imported_at DESC, stix_id')
      .all() as { signature: string }[];
    return rows.map((r) => JSON.parse(r.signature) as ReceivedSignature);
  }

  /** The campaigns (STIX ids) whose signatures contain `hash`. */
  campaignsWith(hash: string): string[] {
    const rows = this.db
      .prepare('SELECT stix_id FROM intel_hashes WHERE hash = ? ORDER BY stix_id')
      .all(hash) as { stix_id: string }[];
    return rows.map((r) => r.stix_id);
  }

  /** Number of stored signatures. */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM intel_signatures').get() as { n: number }).n;
  }
}
