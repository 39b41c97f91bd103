/**
 * One top-level section of `moat.yaml`. Each area of Moat (gateway, policy, watermark, detect,
 * admin, fleet...) owns its sections: a name and a parser that validates the raw YAML value and
 * returns typed, defaulted settings. Parsers throw `configError` naming the exact key.
 */
export interface Section<T> {
  /** The top-level key in the YAML file. */
  name: string;
  /** Validates the raw value (undefined when the section is absent) and applies defaults. */
  parse(raw: unknown, path: string): T;
}

const REGISTRY = new Map<string, Section<unknown>>();

/**
 * Makes a section known to the loader. Registration happens when `src/config/index.ts` is
 * imported (one line per section), so every section is known before any file is validated and
 * an unknown top-level key can be refused by name.
 */
export function registerSection<T>(section: Section<T>): Section<T> {
  REGISTRY.set(section.name, section as Section<unknown>);
  return section;
}

/** All registered sections, in registration order. */
export function registeredSections(): Section<unknown>[] {
  return [...REGISTRY.values()];
}
