import type Database from 'better-sqlite3';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { log } from '../core/log.js';
import type { IntelConfig } from './config.js';
import { importBundle } from './import.js';
import { uuidv5 } from './hashing.js';
import { IntelTable } from './store.js';
import { createTaxiiHandler } from './taxii.js';
import { sendTaxiiError } from './taxii-http.js';
import { MoatError } from '../core/errors.js';

/** What the gateway mounts: a path prefix and a handler for every request under it. */
export interface IntelMount {
  prefix: '/taxii2';
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** The signatures received so far (also filled by TAXII POSTs from other providers). */
  table: IntelTable;
}

/**
 * The TAXII 2.1 server as the gateway mounts it, configured from the `intel` section and kept in
 * the gateway's SQLite database. Campaign signatures that other providers POST are imported into
 * the intel table as they arrive, so `moat intel match` and the console see them at once.
 */
export function createIntelMount(intel: IntelConfig, db: Database.Database): IntelMount {
  const table = new IntelTable(db);
  const taxii = createTaxiiHandler({
    token: intel.token,
    db,
    apiRoot: intel.apiRoot,
    pageSize: intel.pageSize,
    maxContentLength: intel.maxContentLength,
    onAdded(objects) {
      const id = `bundle--${uuidv5(`received|${objects.map((o) => o.id).join('|')}`)}`;
      const r = importBundle({ type: 'bundle', id, objects }, table);
      if (r.signatures.length)
        log.info({ added: r.added, updated: r.updated }, 'signatures received');
    },
  });
  return {
    prefix: '/taxii2',
    table,
    async handler(req, res) {
      const handled = await taxii(req, res);
      if (!handled) sendTaxiiError(res, new MoatError('MOAT_ERR_NOT_FOUND', req.url ?? ''));
    },
  };
}
