import type { ServerResponse } from 'node:http';
import { MoatError } from '../core/errors.js';
import { STIX_MEDIA_TYPE, sendTaxii } from './taxii-http.js';
import { type ObjectQuery, type TaxiiObjectStore, toMicros } from './taxii-store.js';

/**
 * The GET side of a TAXII collection: the query string (`added_after`, `limit`, `next`,
 * `match[id|type|version|spec_version]`) and the paged `objects`, `manifest` and `versions`
 * answers with their X-TAXII-Date-Added-First/Last headers.
 */

function bad(detail: string): MoatError {
  return new MoatError('MOAT_ERR_MALFORMED_REQUEST', detail);
}

function list(url: URL, name: string): string[] | undefined {
  const v = url.searchParams.get(name);
  return v === null
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

/** The query a GET asks for; a malformed parameter is a 400 naming it. */
export function readObjectQuery(url: URL, collection: string, pageSize: number): ObjectQuery {
  const q: ObjectQuery = { collection, limit: pageSize };

  const limit = url.searchParams.get('limit');
  if (limit !== null) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1) throw bad('"limit" must be a positive whole number.');
    q.limit = Math.min(n, pageSize);
  }
  const after = url.searchParams.get('added_after');
  if (after !== null) {
    const us = toMicros(after);
    if (Number.isNaN(us)) throw bad('"added_after" must be an RFC 3339 UTC timestamp.');
    q.addedAfterUs = us;
  }
  const next = url.searchParams.get('next');
  if (next !== null) {
    if (!/^[0-9]{1,15}$/.test(next)) throw bad('"next" is not a token this server issued.');
    q.afterSeq = Number(next);
  }

  q.ids = list(url, 'match[id]');
  q.types = list(url, 'match[type]');
  const versions = list(url, 'match[version]');
  if (versions && versions.length) {
    const word = versions.find((v) => v === 'last' || v === 'first' || v === 'all');
    if (word) q.versions = word as 'last' | 'first' | 'all';
    else if (versions.some((v) => Number.isNaN(toMicros(v)))) {
      throw bad('"match[version]" takes last, first, all or timestamps.');
    } else q.versions = versions;
  }
  const spec = list(url, 'match[spec_version]');
  if (spec && !spec.includes('2.1')) q.ids = ['(none)'];
  return q;
}

function pageHeaders(rows: { date_added: string }[]): Record<string, string> {
  if (rows.length === 0) return {};
  return {
    'x-taxii-date-added-first': rows[0].date_added,
    'x-taxii-date-added-last': rows[rows.length - 1].date_added,
  };
}

/** Answers with an envelope of the objects the query selects. */
export function sendObjects(
  res: ServerResponse,
  store: TaxiiObjectStore,
  q: ObjectQuery,
  single = false,
): void {
  const { rows, more } = store.query(q);
  if (single && rows.length === 0 && q.afterSeq === undefined) {
    throw new MoatError('MOAT_ERR_NOT_FOUND', `No object "${q.ids?.[0]}" in this collection.`);
  }
  const envelope: Record<string, unknown> = { more };
  if (more) envelope.next = String(rows[rows.length - 1].seq);
  if (rows.length) envelope.objects = rows.map((r) => r.object);
  sendTaxii(res, 200, envelope, pageHeaders(rows));
}

/** Answers with the manifest (or an object's version list) of what the query selects. */
export function sendManifest(
  res: ServerResponse,
  store: TaxiiObjectStore,
  q: ObjectQuery,
  shape: 'manifest' | 'versions' = 'manifest',
): void {
  const { rows, more } = store.query(q);
  if (shape === 'versions' && rows.length === 0 && q.afterSeq === undefined) {
    throw new MoatError('MOAT_ERR_NOT_FOUND', `No object "${q.ids?.[0]}" in this collection.`);
  }
  const body: Record<string, unknown> = { more };
  if (more) body.next = String(rows[rows.length - 1].seq);
  if (shape === 'versions') {
    if (rows.length) body.versions = rows.map((r) => r.version);
  } else if (rows.length) {
    body.objects = rows.map((r) => ({
      id: r.id,
      date_added: r.date_added,
      version: r.version,
      media_type: STIX_MEDIA_TYPE,
    }));
  }
  sendTaxii(res, 200, body, pageHeaders(rows));
}
