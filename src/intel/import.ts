import { log } from '../core/log.js';
import { openStore, type SqliteStore } from '../store/sqlite.js';
import type { StixBundle } from './stix.js';
import { parseBundle } from './stix-check.js';
import { signaturesFromBundle, type ReceivedSignature } from './stix-read.js';
import { IntelTable } from './store.js';

/** What an import did. */
export interface ImportResult {
  objects: number;
  signatures: ReceivedSignature[];
  added: number;
  updated: number;
  unchanged: number;
}

/**
 * Stores the Moat campaign signatures of a checked bundle in the intel table. Objects that are
 * not Moat signatures are counted but not kept; a signature older than the stored one is skipped.
 */
export function importBundle(bundle: StixBundle, table: IntelTable): ImportResult {
  const signatures = signaturesFromBundle(bundle);
  const result: ImportResult = {
    objects: bundle.objects.length,
    signatures,
    added: 0,
    updated: 0,
    unchanged: 0,
  };
  for (const sig of signatures) result[table.upsert(sig)]++;
  log.debug(
    { objects: result.objects, added: result.added, updated: result.updated },
    'intel bundle imported',
  );
  return result;
}

/** Parses, checks and imports bundle text; invalid text throws MOAT_ERR_INTEL_BUNDLE first. */
export function importBundleText(text: string, table: IntelTable): ImportResult {
  return importBundle(parseBundle(text), table);
}

/** Opens the store under MOAT_HOME (or at `path`) with the intel table ready. */
export function openIntel(path = 'moat.db'): { store: SqliteStore; table: IntelTable } {
  const store = openStore(path);
  return { store, table: new IntelTable(store.db) };
}
