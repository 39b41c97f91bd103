import { configError, join, mapping, onlyKeys, str } from '../config/check.js';
import type { Section } from '../config/section.js';
import type { WatermarkKey } from './keyring.js';

/** The validated `watermark` section. */
export interface WatermarkConfig {
  /** Id of the key that marks new responses; undefined when no key is configured. */
  activeKey?: string;
  /** Every key, the active one and older ones kept for verification. */
  keys: WatermarkKey[];
  /** Share of opportunities marked, in (0, 1]; lower is subtler and gives weaker proof. */
  strength: number;
}

/** Shortest secret accepted, in bytes. */
export const MIN_SECRET_BYTES = 16;

function secretOf(raw: string, path: string): Buffer {
  let text = raw;
  if (raw.startsWith('env:')) {
    const name = raw.slice(4);
    const value = process.env[name];
    if (!value) throw configError(path, `environment variable ${name} is not set`);
    text = value;
  }
  const secret = Buffer.from(text, 'utf8');
  if (secret.length < MIN_SECRET_BYTES) {
    throw configError(path, `must be at least ${MIN_SECRET_BYTES} bytes (use 32 random bytes)`);
  }
  return secret;
}

function parseKeys(raw: unknown, path: string): WatermarkKey[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw configError(path, 'must be a list of { id, secret }');
  const keys: WatermarkKey[] = [];
  raw.forEach((entry, i) => {
    const at = `${path}[${i}]`;
    const m = mapping(entry, at);
    onlyKeys(m, at, ['id', 'secret']);
    const id = str(m, 'id', at);
    const secret = str(m, 'secret', at);
    if (!id || !/^[A-Za-z0-9._-]{1,64}$/.test(id)) {
      throw configError(join(at, 'id'), 'must be 1-64 letters, digits, dot, _ or -');
    }
    if (!secret) throw configError(join(at, 'secret'), 'is required (a literal or env:NAME)');
    if (keys.some((k) => k.id === id)) throw configError(join(at, 'id'), `duplicate id "${id}"`);
    keys.push({ id, secret: secretOf(secret, join(at, 'secret')) });
  });
  return keys;
}

/**
 * Validates the `watermark` section: `keys` (list of `{id, secret}`; a secret is a literal of at
 * least 16 bytes or `env:NAME`), `active_key` (defaults to the last key listed) and `strength`.
 */
export function parseWatermarkConfig(raw: unknown, path = 'watermark'): WatermarkConfig {
  const m = mapping(raw, path);
  onlyKeys(m, path, ['keys', 'active_key', 'strength']);
  const keys = parseKeys(m.keys, join(path, 'keys'));

  const strength = m.strength ?? 1;
  if (typeof strength !== 'number' || !(strength > 0 && strength <= 1)) {
    throw configError(join(path, 'strength'), 'must be a number in (0, 1]');
  }

  const activeKey = str(m, 'active_key', path) ?? keys[keys.length - 1]?.id;
  if (activeKey !== undefined && !keys.some((k) => k.id === activeKey)) {
    throw configError(join(path, 'active_key'), `no key with id "${activeKey}" in keys`);
  }
  return { activeKey, keys, strength };
}

/** The `watermark` section of moat.yaml. */
export const watermarkSection: Section<WatermarkConfig> = {
  name: 'watermark',
  parse: (raw, path) => parseWatermarkConfig(raw, path),
};
