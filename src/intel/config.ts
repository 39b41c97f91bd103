import { configError, int, join, mapping, oneOf, onlyKeys, str } from '../config/check.js';
import type { Section } from '../config/section.js';
import type { Tlp } from './stix.js';

/** The validated `intel` section of moat.yaml. */
export interface IntelConfig {
  /** Name of the provider in exported STIX (`identity`); never a customer's name. */
  producer: string;
  /** Salt shared inside the sharing community; null disables client hashes. */
  salt: Buffer | null;
  /** Bearer token that TAXII clients must present; null leaves the TAXII server closed. */
  token: string | null;
  /** TLP level of exported bundles. */
  tlp: Tlp;
  /** Name of the TAXII API root, served at `/taxii2/<api_root>/`. */
  apiRoot: string;
  /** Objects per page of TAXII `objects` and `manifest` answers at most. */
  pageSize: number;
  /** Largest TAXII POST body accepted, in bytes. */
  maxContentLength: number;
  /** Campaigns below this risk are not exported. */
  minRisk: number;
}

/** Shortest salt and token accepted, in bytes. */
export const MIN_SECRET_BYTES = 16;

function secret(raw: string | undefined, path: string): string | null {
  if (raw === undefined) return null;
  let text = raw;
  if (raw.startsWith('env:')) {
    const name = raw.slice(4);
    const value = process.env[name];
    if (!value) throw configError(path, `environment variable ${name} is not set`);
    text = value;
  }
  if (Buffer.byteLength(text) < MIN_SECRET_BYTES) {
    throw configError(path, `must be at least ${MIN_SECRET_BYTES} bytes (use 32 random bytes)`);
  }
  return text;
}

/**
 * Validates the `intel` section: `producer`, `salt` and `token` (literals of 16+ bytes or
 * `env:NAME`), `tlp` (white, green, amber, red), `api_root`, `page_size`, `max_content_length`,
 * `min_risk` (campaigns below it are not exported; default 0.8).
 */
export function parseIntelConfig(raw: unknown, path = 'intel'): IntelConfig {
  const m = mapping(raw, path);
  onlyKeys(m, path, [
    'producer',
    'salt',
    'token',
    'tlp',
    'api_root',
    'page_size',
    'max_content_length',
    'min_risk',
  ]);
  const minRisk = m.min_risk ?? 0.8;
  if (typeof minRisk !== 'number' || !(minRisk >= 0 && minRisk <= 1)) {
    throw configError(join(path, 'min_risk'), 'must be a number in [0, 1]');
  }
  const apiRoot = str(m, 'api_root', path, 'moat');
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(apiRoot)) {
    throw configError(join(path, 'api_root'), 'must be 1-64 of a-z, 0-9, _ and -');
  }
  const salt = secret(str(m, 'salt', path), join(path, 'salt'));
  return {
    producer: str(m, 'producer', path, 'Moat'),
    salt: salt === null ? null : Buffer.from(salt, 'utf8'),
    token: secret(str(m, 'token', path), join(path, 'token')),
    tlp: oneOf(m, 'tlp', path, ['white', 'green', 'amber', 'red'] as const, 'green'),
    apiRoot,
    pageSize: int(m, 'page_size', path, 100, 1, 10_000),
    maxContentLength: int(m, 'max_content_length', path, 10 * 1024 * 1024, 1024),
    minRisk,
  };
}

/** The `intel` section of moat.yaml. */
export const intelSection: Section<IntelConfig> = {
  name: 'intel',
  parse: (raw, path) => parseIntelConfig(raw, path),
};
