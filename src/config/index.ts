import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { MoatError } from '../core/errors.js';
import { configError, join, mapping } from './check.js';
import { registeredSections, registerSection, type Section } from './section.js';
import { authSection, type AuthConfig } from './sections/auth.js';
import { eventsSection, type EventsConfig } from './sections/events.js';
import { serverSection, type ServerConfig } from './sections/server.js';
import { storeSection, type StoreConfig } from './sections/store.js';
import { tiersSection, type TiersConfig } from './sections/tiers.js';
import { upstreamSection, type UpstreamConfig } from './sections/upstream.js';
import { policySection } from '../policy/config.js';
import { adminSection, webhooksSection } from '../admin/config.js';
import { fleetSection } from '../fleet/config.js';
import { watermarkSection } from '../watermark/config.js';
import { intelSection } from '../intel/config.js';
import { detectSection } from '../detect/config.js';

// Every section Moat knows, one line each. Other areas add their section here.
registerSection(serverSection);
registerSection(upstreamSection);
registerSection(authSection);
registerSection(tiersSection);
registerSection(eventsSection);
registerSection(storeSection);
registerSection(policySection);
registerSection(adminSection);
registerSection(webhooksSection);
registerSection(fleetSection);
registerSection(watermarkSection);
registerSection(intelSection);
registerSection(detectSection);

export type { Section } from './section.js';
export { registerSection } from './section.js';
export type { AuthConfig, EventsConfig, ServerConfig, StoreConfig, TiersConfig, UpstreamConfig };
export type { TierConfig, WatermarkMode } from './sections/tiers.js';

/** The validated configuration: the gateway's sections typed, every section by name. */
export interface MoatConfig {
  server: ServerConfig;
  upstream: UpstreamConfig;
  auth: AuthConfig;
  tiers: TiersConfig;
  events: EventsConfig;
  store: StoreConfig;
  /** Parsed value of every registered section, by name (defaults when absent from the file). */
  sections: Map<string, unknown>;
  /** The file it came from, or `(defaults)`. */
  source: string;
}

/**
 * Validates a parsed YAML document against every registered section. An unknown top-level key
 * or a wrong value throws MOAT_ERR_CONFIG naming the key, so start-up stops with the reason.
 */
export function parseConfig(doc: unknown, source = '(inline)'): MoatConfig {
  const root = mapping(doc, '');
  const sections = registeredSections();
  const known = sections.map((s) => s.name);
  for (const key of Object.keys(root)) {
    if (known.includes(key)) continue;
    throw configError(key, `unknown section in ${source} (known: ${known.join(', ')})`);
  }

  const parsed = new Map<string, unknown>();
  for (const s of sections) parsed.set(s.name, s.parse(root[s.name], s.name));

  const config: MoatConfig = {
    server: parsed.get('server') as ServerConfig,
    upstream: parsed.get('upstream') as UpstreamConfig,
    auth: parsed.get('auth') as AuthConfig,
    tiers: parsed.get('tiers') as TiersConfig,
    events: parsed.get('events') as EventsConfig,
    store: parsed.get('store') as StoreConfig,
    sections: parsed,
    source,
  };
  checkAcrossSections(config);
  return config;
}

function checkAcrossSections(config: MoatConfig): void {
  const header = config.auth.trustedHeader;
  if (header && !config.tiers[header.defaultTier]) {
    throw configError(
      join('auth.trusted_header', 'default_tier'),
      `names tier "${header.defaultTier}", which is not defined under tiers`,
    );
  }
  if (!config.auth.keys && !header) {
    throw configError('auth', 'keys is false and no trusted_header is set: nobody could call');
  }
}

/** Reads and validates a YAML config file. */
export function loadConfig(file: string): MoatConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new MoatError('MOAT_ERR_CONFIG', `cannot read ${file}: ${(err as Error).message}`);
  }

  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new MoatError('MOAT_ERR_CONFIG', `${file} is not valid YAML: ${(err as Error).message}`);
  }
  return parseConfig(doc ?? {}, file);
}

/** The configuration with every default (one `standard` tier, no upstream URL). */
export function defaultConfig(): MoatConfig {
  return parseConfig({}, '(defaults)');
}

/** A registered section's parsed value, typed by its Section. */
export function sectionOf<T>(config: MoatConfig, section: Section<T>): T {
  if (config.sections.has(section.name)) return config.sections.get(section.name) as T;
  return section.parse(undefined, section.name);
}
