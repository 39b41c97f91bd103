import { MoatError } from '../core/errors.js';
import type { StixBundle, StixObject } from './stix.js';

/**
 * The checks Moat applies to STIX it receives (`moat intel import`, TAXII POST): the key
 * constraints of the OASIS STIX 2.1 schemas, restated here because the schemas are not shipped
 * with Moat. The tests hold Moat's own output to the full schemas.
 */

const TYPE = /^([a-z][a-z0-9]*)+(-[a-z0-9]+)*-?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const TIMESTAMP =
  /^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?Z$/;
const MILLIS = /T\d{2}:\d{2}:\d{2}\.\d{3,}Z$/;
const PROPERTY = /^[a-z][a-z0-9_]{2,249}$/;

/** Most objects accepted in one bundle or envelope. */
export const MAX_OBJECTS = 10_000;

const SCO_TYPES = new Set([
  'artifact',
  'autonomous-system',
  'directory',
  'domain-name',
  'email-addr',
  'email-message',
  'file',
  'ipv4-addr',
  'ipv6-addr',
  'mac-addr',
  'mutex',
  'network-traffic',
  'process',
  'software',
  'url',
  'user-account',
  'windows-registry-key',
  'x509-certificate',
]);

const REQUIRED: Record<string, string[]> = {
  campaign: ['name'],
  identity: ['name'],
  indicator: ['pattern', 'pattern_type', 'valid_from'],
  relationship: ['relationship_type', 'source_ref', 'target_ref'],
  sighting: ['sighting_of_ref'],
  'marking-definition': [],
};

const TIMESTAMP_PROPS = [
  'valid_from',
  'valid_until',
  'first_seen',
  'last_seen',
  'start_time',
  'stop_time',
];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when `id` is `<type>--<RFC 4122 UUID>`. */
export function isStixId(id: unknown, type?: string): id is string {
  if (typeof id !== 'string') return false;
  const at = id.indexOf('--');
  if (at < 0) return false;
  if (type !== undefined && id.slice(0, at) !== type) return false;
  return TYPE.test(id.slice(0, at)) && UUID.test(id.slice(at + 2));
}

function checkTimes(o: Record<string, unknown>, sdo: boolean): string | null {
  for (const name of ['created', 'modified']) {
    const v = o[name];
    if (v === undefined) {
      if (sdo && (name === 'created' || o.type !== 'marking-definition')) {
        return `property "${name}" is required`;
      }
      continue;
    }
    if (typeof v !== 'string' || !TIMESTAMP.test(v) || !MILLIS.test(v)) {
      return `"${name}" must be an RFC 3339 UTC timestamp with milliseconds`;
    }
  }
  for (const name of TIMESTAMP_PROPS) {
    const v = o[name];
    if (v !== undefined && (typeof v !== 'string' || !TIMESTAMP.test(v))) {
      return `"${name}" must be an RFC 3339 UTC timestamp`;
    }
  }
  return null;
}

function checkProperties(o: Record<string, unknown>): string | null {
  for (const [name, value] of Object.entries(o)) {
    if (name !== 'id' && !PROPERTY.test(name)) {
      return `property name "${name}" must be 3-250 characters of a-z, 0-9 and _`;
    }
    if (value === null) return `property "${name}" is null (omit it instead)`;
    if (Array.isArray(value) && value.length === 0) return `property "${name}" is an empty list`;
  }
  return null;
}

/** Why a STIX 2.1 object is invalid, or null when it passes Moat's checks. */
export function objectProblem(raw: unknown): string | null {
  if (!isObject(raw)) return 'not a JSON object';
  if (typeof raw.type !== 'string' || !TYPE.test(raw.type) || raw.type.length < 3) {
    return '"type" must be 3-250 characters of a-z, 0-9 and -';
  }
  if (raw.type === 'bundle') return 'a bundle cannot be an object of a bundle';
  if (!isStixId(raw.id, raw.type)) return `"id" must be "${raw.type}--" followed by a UUID`;

  const sco = SCO_TYPES.has(raw.type);
  if (!sco && raw.spec_version !== '2.1') return '"spec_version" must be "2.1"';
  const times = checkTimes(raw, !sco);
  if (times) return times;
  for (const name of REQUIRED[raw.type] ?? []) {
    if (raw[name] === undefined) return `property "${name}" is required for ${raw.type}`;
  }
  for (const ref of ['created_by_ref', 'source_ref', 'target_ref']) {
    if (raw[ref] !== undefined && !isStixId(raw[ref])) return `"${ref}" must be a STIX id`;
  }
  const markings = raw.object_marking_refs;
  if (markings !== undefined) {
    if (!Array.isArray(markings) || !markings.every((m) => isStixId(m, 'marking-definition'))) {
      return '"object_marking_refs" must list marking-definition ids';
    }
  }
  return checkProperties(raw);
}

/** The object as a typed STIX object after `objectProblem` found nothing. */
export function asStixObject(raw: unknown, where: string): StixObject {
  const problem = objectProblem(raw);
  if (problem) throw new MoatError('MOAT_ERR_INTEL_BUNDLE', `${where}: ${problem}`);
  return raw as StixObject;
}

/**
 * Parses and checks a STIX 2.1 bundle. Throws MOAT_ERR_INTEL_BUNDLE naming the first bad object
 * (by index and id) and what is wrong with it; nothing is imported from a bundle that fails.
 */
export function parseBundle(text: string): StixBundle {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new MoatError('MOAT_ERR_INTEL_BUNDLE', `not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(raw) || raw.type !== 'bundle') {
    throw new MoatError('MOAT_ERR_INTEL_BUNDLE', 'the document is not a STIX bundle');
  }
  if (!isStixId(raw.id, 'bundle')) {
    throw new MoatError('MOAT_ERR_INTEL_BUNDLE', 'bundle "id" must be "bundle--" and a UUID');
  }
  const objects = raw.objects ?? [];
  if (!Array.isArray(objects)) {
    throw new MoatError('MOAT_ERR_INTEL_BUNDLE', 'bundle "objects" must be a list');
  }
  if (objects.length > MAX_OBJECTS) {
    throw new MoatError('MOAT_ERR_INTEL_BUNDLE', `more than ${MAX_OBJECTS} objects`);
  }
  const checked = objects.map((o, i) => {
    const id = isObject(o) && typeof o.id === 'string' ? ` (${o.id})` : '';
    return asStixObject(o, `object ${i}${id}`);
  });
  return { type: 'bundle', id: raw.id, objects: checked };
}
