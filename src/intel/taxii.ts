import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MoatError } from '../core/errors.js';
import { log } from '../core/log.js';
import { uuidv5 } from './hashing.js';
import type { StixObject } from './stix.js';
import { MAX_OBJECTS, objectProblem } from './stix-check.js';
import {
  STIX_MEDIA_TYPE,
  TAXII_MEDIA_TYPE,
  acceptsTaxii,
  isTaxiiContent,
  readBody,
  sendTaxii,
  sendTaxiiError,
  tokenMatches,
} from './taxii-http.js';
import { TaxiiObjectStore, versionOf } from './taxii-store.js';
import { readObjectQuery, sendManifest, sendObjects } from './taxii-objects.js';

/** A request handler the gateway mounts: true when it answered (the path was under /taxii2/). */
export type TaxiiHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** A TAXII collection as served. */
export interface CollectionInfo {
  id: string;
  title: string;
  description?: string;
  alias?: string;
  canRead: boolean;
  canWrite: boolean;
}

/** How the TAXII server is set up; see `intel` in moat.yaml. */
export interface TaxiiOptions {
  /** Bearer token every request must carry; null refuses every request (401). */
  token: string | null;
  /** SQLite database holding collections' objects and status resources. */
  db: Database.Database;
  /** API root name, served at `/taxii2/<apiRoot>/` (default `moat`). */
  apiRoot?: string;
  title?: string;
  /** Most objects per page (default 100). */
  pageSize?: number;
  /** Largest POST body in bytes (default 10 MiB). */
  maxContentLength?: number;
  /** Collections served (default: one read-write collection of campaign signatures). */
  collections?: CollectionInfo[];
  /** Called with the objects a POST added, e.g. to import signatures into the intel table. */
  onAdded?: (objects: StixObject[]) => void;
  /** Clock in milliseconds (tests). */
  now?: () => number;
}

/** The default collection: campaign signatures, readable and writable by token holders. */
export const DEFAULT_COLLECTION: CollectionInfo = {
  id: uuidv5('taxii-collection|campaigns'),
  title: 'Moat campaign signatures',
  description: 'Harvesting campaign signatures in STIX 2.1 (hashes and figures only).',
  alias: 'campaigns',
  canRead: true,
  canWrite: true,
};

const PREFIX = '/taxii2/';

function collectionResource(c: CollectionInfo): Record<string, unknown> {
  return {
    id: c.id,
    title: c.title,
    ...(c.description ? { description: c.description } : {}),
    ...(c.alias ? { alias: c.alias } : {}),
    can_read: c.canRead,
    can_write: c.canWrite,
    media_types: [STIX_MEDIA_TYPE],
  };
}

function allow(method: string | undefined, allowed: string[]): void {
  if (allowed.includes(method ?? '')) return;
  throw new MoatError('MOAT_ERR_METHOD_NOT_ALLOWED', `Allowed: ${allowed.join(', ')}.`, {
    param: allowed.join(', '),
  });
}

function notFound(what: string): MoatError {
  return new MoatError('MOAT_ERR_NOT_FOUND', what);
}

/**
 * The TAXII 2.1 server: discovery at `/taxii2/`, one API root, its collections with `objects`
 * (GET with `added_after`, `limit`, `next` and `match[...]`; POST of an envelope answered with a
 * status resource), single objects and their versions, `manifest` and `status/{id}`. Every
 * request needs the bearer token; answers use the TAXII media type; a wrong Accept is 406, a
 * wrong Content-Type 415; errors are TAXII error messages. Paths outside `/taxii2/` return false.
 */
export function createTaxiiHandler(opts: TaxiiOptions): TaxiiHandler {
  const store = new TaxiiObjectStore(opts.db);
  const root = opts.apiRoot ?? 'moat';
  const collections = opts.collections ?? [DEFAULT_COLLECTION];
  const pageSize = opts.pageSize ?? 100;
  const maxContent = opts.maxContentLength ?? 10 * 1024 * 1024;
  const now = opts.now ?? Date.now;

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!tokenMatches(req.headers.authorization, opts.token)) {
      throw new MoatError('MOAT_ERR_TAXII_UNAUTHORIZED');
    }
    const parts = url.pathname
      .slice(PREFIX.length)
      .split('/')
      .filter(Boolean)
      .map(decodeURIComponent);
    if (!acceptsTaxii(req.headers.accept)) throw new MoatError('MOAT_ERR_TAXII_NOT_ACCEPTABLE');

    if (parts.length === 0) {
      allow(req.method, ['GET']);
      const base = `${baseUrl(req)}${PREFIX}${root}/`;
      return sendTaxii(res, 200, {
        title: opts.title ?? 'Moat TAXII server',
        description: 'Campaign signatures of model-output harvesting.',
        default: base,
        api_roots: [base],
      });
    }
    if (parts[0] !== root) throw notFound(`No API root "${parts[0]}".`);
    const [, section, id, sub, objectId, tail] = parts;

    if (!section) {
      allow(req.method, ['GET']);
      return sendTaxii(res, 200, {
        title: opts.title ?? 'Moat TAXII server',
        versions: [TAXII_MEDIA_TYPE],
        max_content_length: maxContent,
      });
    }
    if (section === 'status' && id && !sub) {
      allow(req.method, ['GET']);
      const status = store.getStatus(id);
      if (!status) throw notFound(`No status "${id}".`);
      return sendTaxii(res, 200, status);
    }
    if (section !== 'collections') throw notFound(`No resource "${section}".`);
    if (!id) {
      allow(req.method, ['GET']);
      return sendTaxii(res, 200, { collections: collections.map(collectionResource) });
    }

    const c = collections.find((x) => x.id === id || x.alias === id);
    if (!c) throw notFound(`No collection "${id}".`);
    if (!sub) {
      allow(req.method, ['GET']);
      return sendTaxii(res, 200, collectionResource(c));
    }
    if (sub === 'manifest' && !objectId) {
      allow(req.method, ['GET']);
      readable(c);
      return sendManifest(res, store, readObjectQuery(url, c.id, pageSize));
    }
    if (sub !== 'objects') throw notFound(`No resource "${sub}".`);
    if (!objectId) {
      allow(req.method, ['GET', 'POST']);
      if (req.method === 'POST') return addObjects(req, res, c);
      readable(c);
      return sendObjects(res, store, readObjectQuery(url, c.id, pageSize));
    }

    allow(req.method, ['GET']);
    readable(c);
    const q = readObjectQuery(url, c.id, pageSize);
    q.ids = [objectId];
    if (tail === 'versions') return sendManifest(res, store, { ...q, versions: 'all' }, 'versions');
    if (tail) throw notFound(`No resource "${tail}".`);
    return sendObjects(res, store, q, true);
  }

  function readable(c: CollectionInfo): void {
    if (!c.canRead) throw new MoatError('MOAT_ERR_TAXII_FORBIDDEN', `"${c.id}" is write-only.`);
  }

  async function addObjects(req: IncomingMessage, res: ServerResponse, c: CollectionInfo) {
    if (!c.canWrite) throw new MoatError('MOAT_ERR_TAXII_FORBIDDEN', `"${c.id}" is read-only.`);
    if (!isTaxiiContent(req.headers['content-type'])) {
      throw new MoatError('MOAT_ERR_TAXII_MEDIA_TYPE');
    }
    const envelope = parseEnvelope(await readBody(req, maxContent));

    const requestedAt = new Date(now());
    const successes: object[] = [];
    const failures: object[] = [];
    const added: StixObject[] = [];
    for (const raw of envelope) {
      const problem = objectProblem(raw);
      const o = raw as StixObject;
      if (problem) {
        failures.push({ id: String(o?.id ?? 'unknown'), message: problem });
        continue;
      }
      const fresh = store.add(c.id, o, now());
      successes.push({ id: o.id, version: versionOf(o, requestedAt.toISOString()) });
      if (fresh) added.push(o);
    }

    const status = {
      id: randomUUID(),
      status: 'complete',
      request_timestamp: requestedAt.toISOString(),
      total_count: envelope.length,
      success_count: successes.length,
      ...(successes.length ? { successes } : {}),
      failure_count: failures.length,
      ...(failures.length ? { failures } : {}),
      pending_count: 0,
    };
    store.putStatus(status.id, status, requestedAt);
    log.info(
      { collection: c.id, added: added.length, failed: failures.length },
      'taxii objects added',
    );
    if (added.length) opts.onAdded?.(added);
    sendTaxii(res, 202, status);
  }

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://taxii.invalid');
    if (url.pathname !== '/taxii2' && !url.pathname.startsWith(PREFIX)) return false;
    try {
      await route(req, res, url);
    } catch (err) {
      if (!(err instanceof MoatError)) log.error({ err }, 'taxii request failed');
      if (!res.headersSent) sendTaxiiError(res, err);
      else res.destroy();
    }
    return true;
  };
}

function parseEnvelope(text: string): unknown[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', `Not JSON: ${(err as Error).message}`);
  }
  const objects = (body as { objects?: unknown } | null)?.objects;
  if (typeof body !== 'object' || body === null || !Array.isArray(objects)) {
    throw new MoatError(
      'MOAT_ERR_MALFORMED_REQUEST',
      'The body must be an envelope {"objects": [...]}.',
    );
  }
  if (objects.length > MAX_OBJECTS) {
    throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', `More than ${MAX_OBJECTS} objects.`);
  }
  return objects;
}

function baseUrl(req: IncomingMessage): string {
  const forwarded = req.headers['x-forwarded-proto'];
  const proto =
    typeof forwarded === 'string'
      ? forwarded.split(',')[0].trim()
      : 'encrypted' in req.socket
        ? 'https'
        : 'http';
  return `${proto}://${req.headers.host ?? 'localhost'}`;
}
