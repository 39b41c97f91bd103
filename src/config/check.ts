import { MoatError } from '../core/errors.js';

/** A YAML mapping as read from the config file. */
export type Mapping = Record<string, unknown>;

/** A config error that names the offending key by its dotted path (`tiers.free.max_concurrent`). */
export function configError(path: string, what: string): MoatError {
  return new MoatError('MOAT_ERR_CONFIG', `${path}: ${what}`);
}

function isMapping(v: unknown): v is Mapping {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at `path` as a mapping; missing or null is an empty mapping. */
export function mapping(raw: unknown, path: string): Mapping {
  if (raw === undefined || raw === null) return {};
  if (!isMapping(raw)) throw configError(path, 'must be a mapping of keys to values');
  return raw;
}

/** Refuses any key not in `allowed`, naming the first one found and what is allowed. */
export function onlyKeys(obj: Mapping, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    throw configError(join(path, key), `unknown key (allowed here: ${allowed.join(', ')})`);
  }
}

/** `a.b` from a parent path and a key; the root has an empty path. */
export function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** A string value, or the fallback when the key is absent. */
export function str(obj: Mapping, key: string, path: string, fallback: string): string;
export function str(obj: Mapping, key: string, path: string): string | undefined;
export function str(obj: Mapping, key: string, path: string, fallback?: string) {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string' || v === '') {
    throw configError(join(path, key), 'must be a non-empty string');
  }
  return v;
}

/** An integer within [min, max], or the fallback when the key is absent. */
export function int(
  obj: Mapping,
  key: string,
  path: string,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw configError(join(path, key), `must be a whole number ${range} (got ${show(v)})`);
  }
  return v;
}

/** A boolean, or the fallback when the key is absent. */
export function bool(obj: Mapping, key: string, path: string, fallback: boolean): boolean {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') {
    throw configError(join(path, key), `must be true or false (got ${show(v)})`);
  }
  return v;
}

/** One of a fixed set of strings, or the fallback when the key is absent. */
export function oneOf<T extends string>(
  obj: Mapping,
  key: string,
  path: string,
  choices: readonly T[],
  fallback: T,
): T {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string' || !choices.includes(v as T)) {
    throw configError(join(path, key), `must be one of ${choices.join(', ')} (got ${show(v)})`);
  }
  return v as T;
}

function show(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
