import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { MoatError } from '../core/errors.js';
import { parseDetectConfig, type DetectConfig } from './config.js';

/**
 * The `detect:` section of a moat.yaml file, validated, or the defaults when no file is given.
 * Only this section is read, so the engine runs offline without a gateway configuration.
 */
export function loadDetectConfig(file?: string): DetectConfig {
  if (!file) return parseDetectConfig(undefined);
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new MoatError('MOAT_ERR_CONFIG', `${file}: ${(err as Error).message}`, { cause: err });
  }
  const detect =
    raw && typeof raw === 'object' ? (raw as Record<string, unknown>).detect : undefined;
  return parseDetectConfig(detect);
}
