import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MoatError } from '../core/errors.js';

/**
 * A small JSON Schema validator: the subset of draft 2020-12 that the OASIS STIX 2.1 schemas
 * use (type, enum, const, pattern, lengths, bounds, required, properties, patternProperties,
 * additionalProperties, propertyNames, minProperties, items, minItems, contains, allOf, anyOf,
 * oneOf, not, if/then/else, $ref across files and into `#/definitions`, format date-time, uri
 * and email). A keyword outside that subset is reported as an error, never skipped in silence.
 */

type Schema = Record<string, unknown> | boolean;

/** One reason a value does not conform, with the JSON path of the offending part. */
export interface SchemaError {
  path: string;
  message: string;
}

interface Ctx {
  /** `$id` of the file the current subschema sits in: base for relative `$ref`s. */
  base: string;
}

const ANNOTATIONS = new Set([
  '$id',
  '$schema',
  'title',
  'description',
  'definitions',
  '$defs',
  '$comment',
  'examples',
  'default',
]);

const KEYWORDS = new Set([
  'type',
  'enum',
  'const',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'required',
  'properties',
  'patternProperties',
  'additionalProperties',
  'propertyNames',
  'minProperties',
  'items',
  'minItems',
  'contains',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  '$ref',
  'format',
]);

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every schema of a folder (searched recursively), registered by `$id`. */
export class SchemaSet {
  private readonly byId = new Map<string, Record<string, unknown>>();
  private readonly regexes = new Map<string, RegExp>();

  /** Registers one schema document under its `$id`. */
  add(doc: Record<string, unknown>): void {
    if (typeof doc.$id !== 'string')
      throw new MoatError('MOAT_ERR_SCHEMA_SET', 'a schema has no $id');
    this.byId.set(doc.$id, doc);
  }

  /** Loads every `*.json` file under `dir` that declares a `$id`. */
  static fromDir(dir: string): SchemaSet {
    const set = new SchemaSet();
    const walk = (d: string): void => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name.endsWith('.json')) {
          const doc = JSON.parse(readFileSync(p, 'utf8')) as unknown;
          if (isObject(doc) && typeof doc.$id === 'string') set.add(doc);
        }
      }
    };
    walk(dir);
    return set;
  }

  /** The `$id` of the registered schema whose id ends with `suffix` (`common/bundle.json`). */
  idOf(suffix: string): string {
    for (const id of this.byId.keys()) if (id.endsWith(`/${suffix}`)) return id;
    throw new MoatError('MOAT_ERR_SCHEMA_SET', `no schema ending in ${suffix}`);
  }

  /** Validates `value` against the schema registered as `id`; an empty list means valid. */
  validate(id: string, value: unknown): SchemaError[] {
    const errors: SchemaError[] = [];
    this.check({ $ref: id }, value, { base: id }, '$', errors);
    return errors;
  }

  private resolve(ref: string, ctx: Ctx): { schema: Schema; ctx: Ctx } {
    const url = new URL(ref, ctx.base);
    const fragment = decodeURIComponent(url.hash.slice(1));
    url.hash = '';
    const docId = url.href;
    const doc = this.byId.get(docId);
    if (!doc) throw new MoatError('MOAT_ERR_SCHEMA_SET', `unresolved $ref ${ref} from ${ctx.base}`);
    let node: unknown = doc;
    for (const part of fragment.split('/').filter(Boolean)) {
      node = isObject(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    }
    if (!isObject(node) && typeof node !== 'boolean') {
      throw new MoatError('MOAT_ERR_SCHEMA_SET', `$ref ${ref} points at nothing`);
    }
    return { schema: node as Schema, ctx: { base: docId } };
  }

  private regex(pattern: string): RegExp {
    let re = this.regexes.get(pattern);
    if (!re) {
      re = new RegExp(pattern);
      this.regexes.set(pattern, re);
    }
    return re;
  }

  private passes(schema: Schema, value: unknown, ctx: Ctx, path: string): SchemaError[] {
    const errors: SchemaError[] = [];
    this.check(schema, value, ctx, path, errors);
    return errors;
  }

  private check(schema: Schema, value: unknown, ctx: Ctx, path: string, out: SchemaError[]) {
    if (schema === true) return;
    if (schema === false) return void out.push({ path, message: 'no value allowed here' });

    for (const key of Object.keys(schema)) {
      if (!KEYWORDS.has(key) && !ANNOTATIONS.has(key)) {
        out.push({ path, message: `schema keyword "${key}" is not supported by this validator` });
      }
    }

    if (typeof schema.$ref === 'string') {
      const target = this.resolve(schema.$ref, ctx);
      this.check(target.schema, value, target.ctx, path, out);
    }
    this.checkType(schema, value, path, out);
    this.checkScalar(schema, value, path, out);
    if (isObject(value)) this.checkObject(schema, value, ctx, path, out);
    if (Array.isArray(value)) this.checkArray(schema, value, ctx, path, out);
    this.checkCombinators(schema, value, ctx, path, out);
  }

  private checkType(
    schema: Record<string, unknown>,
    value: unknown,
    path: string,
    out: SchemaError[],
  ) {
    if (schema.type === undefined) return;
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const ok = types.some((t) => {
      if (t === 'object') return isObject(value);
      if (t === 'array') return Array.isArray(value);
      if (t === 'integer') return Number.isInteger(value);
      if (t === 'number') return typeof value === 'number' && Number.isFinite(value);
      if (t === 'null') return value === null;
      return typeof value === t;
    });
    if (!ok) out.push({ path, message: `must be of type ${types.join(' or ')}` });
  }

  private checkScalar(
    schema: Record<string, unknown>,
    value: unknown,
    path: string,
    out: SchemaError[],
  ) {
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => deepEqual(e, value))) {
      out.push({ path, message: `must be one of ${JSON.stringify(schema.enum)}` });
    }
    if ('const' in schema && !deepEqual(schema.const, value)) {
      out.push({ path, message: `must equal ${JSON.stringify(schema.const)}` });
    }
    if (typeof value === 'string') {
      const len = [...value].length;
      if (typeof schema.pattern === 'string' && !this.regex(schema.pattern).test(value)) {
        out.push({ path, message: `must match /${schema.pattern}/` });
      }
      if (typeof schema.minLength === 'number' && len < schema.minLength) {
        out.push({ path, message: `must be at least ${schema.minLength} characters` });
      }
      if (typeof schema.maxLength === 'number' && len > schema.maxLength) {
        out.push({ path, message: `must be at most ${schema.maxLength} characters` });
      }
      if (typeof schema.format === 'string' && !formatOk(schema.format, value)) {
        out.push({ path, message: `must be a valid ${schema.format}` });
      }
    }
    if (typeof value === 'number') {
      if (typeof schema.minimum === 'number' && value < schema.minimum) {
        out.push({ path, message: `must be >= ${schema.minimum}` });
      }
      if (typeof schema.maximum === 'number' && value > schema.maximum) {
        out.push({ path, message: `must be <= ${schema.maximum}` });
      }
    }
  }

  private checkObject(
    schema: Record<string, unknown>,
    value: Record<string, unknown>,
    ctx: Ctx,
    path: string,
    out: SchemaError[],
  ) {
    if (Array.isArray(schema.required)) {
      for (const name of schema.required as string[]) {
        if (!(name in value)) out.push({ path, message: `property "${name}" is required` });
      }
    }
    const keys = Object.keys(value);
    if (typeof schema.minProperties === 'number' && keys.length < schema.minProperties) {
      out.push({ path, message: `must have at least ${schema.minProperties} properties` });
    }

    const props = isObject(schema.properties) ? schema.properties : {};
    const patterns = isObject(schema.patternProperties) ? schema.patternProperties : {};
    for (const key of keys) {
      const at = `${path}.${key}`;
      let matched = false;
      if (key in props) {
        matched = true;
        this.check(props[key] as Schema, value[key], ctx, at, out);
      }
      for (const [p, sub] of Object.entries(patterns)) {
        if (!this.regex(p).test(key)) continue;
        matched = true;
        this.check(sub as Schema, value[key], ctx, at, out);
      }
      if (!matched && schema.additionalProperties !== undefined) {
        this.check(schema.additionalProperties as Schema, value[key], ctx, at, out);
      }
      if (schema.propertyNames !== undefined) {
        this.check(schema.propertyNames as Schema, key, ctx, `${at}(name)`, out);
      }
    }
  }

  private checkArray(
    schema: Record<string, unknown>,
    value: unknown[],
    ctx: Ctx,
    path: string,
    out: SchemaError[],
  ) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      out.push({ path, message: `must have at least ${schema.minItems} items` });
    }
    if (schema.items !== undefined) {
      value.forEach((item, i) =>
        this.check(schema.items as Schema, item, ctx, `${path}[${i}]`, out),
      );
    }
    if (schema.contains !== undefined) {
      const any = value.some(
        (v) => this.passes(schema.contains as Schema, v, ctx, path).length === 0,
      );
      if (!any) out.push({ path, message: 'no item matches "contains"' });
    }
  }

  private checkCombinators(
    schema: Record<string, unknown>,
    value: unknown,
    ctx: Ctx,
    path: string,
    out: SchemaError[],
  ) {
    if (Array.isArray(schema.allOf)) {
      for (const sub of schema.allOf) this.check(sub as Schema, value, ctx, path, out);
    }
    if (Array.isArray(schema.anyOf)) {
      const results = schema.anyOf.map((s) => this.passes(s as Schema, value, ctx, path));
      if (!results.some((r) => r.length === 0)) {
        out.push({ path, message: `matches none of anyOf (${closest(results)})` });
      }
    }
    if (Array.isArray(schema.oneOf)) {
      const results = schema.oneOf.map((s) => this.passes(s as Schema, value, ctx, path));
      const n = results.filter((r) => r.length === 0).length;
      if (n === 0) out.push({ path, message: `matches none of oneOf (${closest(results)})` });
      if (n > 1) out.push({ path, message: `matches ${n} branches of oneOf, exactly one allowed` });
    }
    if (
      schema.not !== undefined &&
      this.passes(schema.not as Schema, value, ctx, path).length === 0
    ) {
      out.push({ path, message: 'matches a schema it must not match' });
    }
    if (schema.if !== undefined) {
      const branch =
        this.passes(schema.if as Schema, value, ctx, path).length === 0 ? 'then' : 'else';
      if (schema[branch] !== undefined) this.check(schema[branch] as Schema, value, ctx, path, out);
    }
  }
}

/** The fewest errors of any failed branch, to say why a combinator failed. */
function closest(results: SchemaError[][]): string {
  const best = results.reduce((a, b) => (b.length < a.length ? b : a));
  return best
    .slice(0, 3)
    .map((e) => `${e.path}: ${e.message}`)
    .join('; ');
}

function formatOk(format: string, value: string): boolean {
  if (format === 'date-time') return DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
  if (format === 'email') return EMAIL.test(value);
  if (format === 'uri') {
    try {
      return new URL(value).protocol.length > 1;
    } catch {
      return false;
    }
  }
  return true;
}
