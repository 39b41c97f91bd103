import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the installed package (the folder holding package.json). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Moat's state directory: `MOAT_HOME`, else `./.moat`. */
export function moatHome(): string {
  return resolve(process.env.MOAT_HOME ?? '.moat');
}

/**
 * The real benchmark data folder: `MOAT_DATA` when set, else `../shared/data` beside the
 * package when it exists, else null (a fresh clone: callers fall back to the built-in corpus).
 */
export function dataDir(): string | null {
  const fromEnv = process.env.MOAT_DATA;
  if (fromEnv) return existsSync(fromEnv) ? resolve(fromEnv) : null;
  const beside = join(PACKAGE_ROOT, '..', 'shared', 'data');
  return existsSync(beside) ? beside : null;
}
