import { mapping, onlyKeys, str } from '../check.js';
import type { Section } from '../section.js';

/** Where the embedded store lives. */
export interface StoreConfig {
  /** SQLite file; relative paths are under MOAT_HOME. Default `moat.db`. */
  path: string;
}

/** The `store` section. */
export const storeSection: Section<StoreConfig> = {
  name: 'store',
  parse(raw, path) {
    const m = mapping(raw, path);
    onlyKeys(m, path, ['path']);
    return { path: str(m, 'path', path, 'moat.db') };
  },
};
