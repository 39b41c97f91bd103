import type Database from 'better-sqlite3';
import type { StixObject } from './stix.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS taxii_objects (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  collection TEXT NOT NULL,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  version TEXT NOT NULL,
  version_us INTEGER NOT NULL,
  date_added TEXT NOT NULL,
  added_us INTEGER NOT NULL,
  object TEXT NOT NULL,
  UNIQUE (collection, id, version_us)
);
CREATE INDEX IF NOT EXISTS taxii_objects_added ON taxii_objects(collection, added_us);
CREATE TABLE IF NOT EXISTS taxii_status (
  id TEXT PRIMARY KEY,
  created TEXT NOT NULL,
  status TEXT NOT NULL
);
`;

/** One stored version of an object, as the manifest describes it. */
export interface StoredVersion {
  seq: number;
  id: string;
  version: string;
  date_added: string;
  object: StixObject;
}

/** Which stored objects a TAXII request selects (the `match[...]` filters and paging). */
export interface ObjectQuery {
  collection: string;
  /** Only objects added strictly after this many microseconds since the epoch. */
  addedAfterUs?: number;
  /** Continue after this sequence number (the `next` token). */
  afterSeq?: number;
  ids?: string[];
  types?: string[];
  /** `last` (default), `first`, `all`, or a list of version timestamps. */
  versions?: 'last' | 'first' | 'all' | string[];
  limit: number;
}

/** Microseconds since the epoch of an RFC 3339 timestamp; NaN when it is not one. */
export function toMicros(ts: string): number {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(\.(\d+))?Z$/.exec(ts);
  if (!m) return NaN;
  const seconds = Date.parse(`${m[1]}Z`);
  const fraction = (m[3] ?? '').padEnd(6, '0').slice(0, 6);
  return seconds * 1000 + Number(fraction);
}

/** An RFC 3339 timestamp with microseconds from a count of microseconds since the epoch. */
export function fromMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, -1)}${String(us % 1000).padStart(3, '0')}Z`;
}

/** The version of an object: `modified`, else `created`, else the time it was added. */
export function versionOf(o: StixObject, addedAt: string): string {
  if (typeof o.modified === 'string') return o.modified;
  if (typeof o.created === 'string') return o.created;
  return addedAt;
}

/**
 * The objects of TAXII collections and the status of POST requests, in SQLite. Every stored
 * version gets a distinct, increasing `date_added` (microsecond steps), so that `added_after`
 * paging never skips or repeats an object.
 */
export class TaxiiObjectStore {
  private lastAddedUs: number;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    const row = db.prepare('SELECT max(added_us) AS m FROM taxii_objects').get() as { m: number };
    this.lastAddedUs = row.m ?? 0;
  }

  /** Adds a version of an object; false when that version is already in the collection. */
  add(collection: string, object: StixObject, nowMs: number): boolean {
    const addedUs = Math.max(nowMs * 1000, this.lastAddedUs + 1);
    const dateAdded = fromMicros(addedUs);
    const version = versionOf(object, dateAdded);
    const info = this.db
      .prepare(
        `INSERT OR IGNORE INTO taxii_objects
           (collection, id, type, version, version_us, date_added, added_us, object)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        collection,
        object.id,
        object.type,
        version,
        toMicros(version),
        dateAdded,
        addedUs,
        JSON.stringify(object),
      );
    if (info.changes === 0) return false;
    this.lastAddedUs = addedUs;
    return true;
  }

  /** One page of the versions a query selects, in the order they were added. */
  query(q: ObjectQuery): { rows: StoredVersion[]; more: boolean } {
    const where = ['o.collection = @collection'];
    const params: Record<string, unknown> = { collection: q.collection, limit: q.limit + 1 };
    if (q.addedAfterUs !== undefined) {
      where.push('o.added_us > @after');
      params.after = q.addedAfterUs;
    }
    if (q.afterSeq !== undefined) {
      where.push('o.seq > @seq');
      params.seq = q.afterSeq;
    }
    inList(where, params, 'o.id', 'id', q.ids);
    inList(where, params, 'o.type', 'type', q.types);
    const versions = q.versions ?? 'last';
    if (versions === 'last' || versions === 'first') {
      const fn = versions === 'last' ? 'max' : 'min';
      where.push(`o.version_us = (SELECT ${fn}(v.version_us) FROM taxii_objects v
        WHERE v.collection = o.collection AND v.id = o.id)`);
    } else if (Array.isArray(versions)) {
      inList(where, params, 'o.version_us', 'ver', versions.map(toMicros));
    }

    const rows = this.db
      .prepare(
        `SELECT seq, id, version, date_added, object FROM taxii_objects o
         WHERE ${where.join(' AND ')} ORDER BY o.seq LIMIT @limit`,
      )
      .all(params) as (Omit<StoredVersion, 'object'> & { object: string })[];
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit).map((r) => ({ ...r, object: JSON.parse(r.object) }));
    return { rows: page as StoredVersion[], more };
  }

  /** Saves a status resource. */
  putStatus(id: string, status: object, now: Date): void {
    this.db
      .prepare('INSERT OR REPLACE INTO taxii_status (id, created, status) VALUES (?, ?, ?)')
      .run(id, now.toISOString(), JSON.stringify(status));
  }

  /** A saved status resource, or undefined. */
  getStatus(id: string): object | undefined {
    const row = this.db.prepare('SELECT status FROM taxii_status WHERE id = ?').get(id) as
      { status: string } | undefined;
    return row ? (JSON.parse(row.status) as object) : undefined;
  }
}

function inList(
  where: string[],
  params: Record<string, unknown>,
  column: string,
  name: string,
  values: (string | number)[] | undefined,
): void {
  if (!values || values.length === 0) return;
  const names = values.map((v, i) => {
    params[`${name}${i}`] = v;
    return `@${name}${i}`;
  });
  where.push(`${column} IN (${names.join(', ')})`);
}
