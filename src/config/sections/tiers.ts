import { bool, configError, int, join, mapping, oneOf, onlyKeys } from '../check.js';
import type { Section } from '../section.js';

/** When a tier's responses are watermarked: always, never, or as the policy decides. */
export type WatermarkMode = 'always' | 'policy' | 'never';

/** What an account of one tier may do. */
export interface TierConfig {
  requestsPerMinute: number;
  tokensPerMinute: number;
  maxConcurrent: number;
  /** Whether `logprobs` / `top_logprobs` may be requested. */
  logprobs: boolean;
  /** Whether a non-empty `logit_bias` may be sent. */
  logitBias: boolean;
  watermark: WatermarkMode;
  /** Keep prompt and response text in the store (opt-in), for `retainTextHours`. */
  retainText: boolean;
  retainTextHours: number;
  /** Output tokens assumed for admission when the request sets no max_tokens. */
  defaultOutputTokens: number;
}

export type TiersConfig = Record<string, TierConfig>;

const KEYS = [
  'requests_per_minute',
  'tokens_per_minute',
  'max_concurrent',
  'logprobs',
  'logit_bias',
  'watermark',
  'retain_text',
  'retain_text_hours',
  'default_output_tokens',
];

/** One tier's settings; every key has a default so `tiers: { free: {} }` is valid. */
export function parseTier(raw: unknown, path: string): TierConfig {
  const m = mapping(raw, path);
  onlyKeys(m, path, KEYS);
  return {
    requestsPerMinute: int(m, 'requests_per_minute', path, 600, 1),
    tokensPerMinute: int(m, 'tokens_per_minute', path, 1_000_000, 1),
    maxConcurrent: int(m, 'max_concurrent', path, 32, 1),
    logprobs: bool(m, 'logprobs', path, true),
    logitBias: bool(m, 'logit_bias', path, true),
    watermark: oneOf(m, 'watermark', path, ['always', 'policy', 'never'], 'policy'),
    retainText: bool(m, 'retain_text', path, false),
    retainTextHours: int(m, 'retain_text_hours', path, 24 * 7, 1),
    defaultOutputTokens: int(m, 'default_output_tokens', path, 1024, 1),
  };
}

/** The `tiers` section: tier name -> settings. Absent means one `standard` tier of defaults. */
export const tiersSection: Section<TiersConfig> = {
  name: 'tiers',
  parse(raw, path) {
    const m = mapping(raw, path);
    const names = Object.keys(m);
    if (raw !== undefined && raw !== null && names.length === 0) {
      throw configError(path, 'must define at least one tier');
    }
    if (names.length === 0) return { standard: parseTier({}, join(path, 'standard')) };

    const tiers: TiersConfig = {};
    for (const name of names) {
      if (!/^[a-z0-9_-]{1,40}$/i.test(name)) {
        throw configError(join(path, name), 'tier names use letters, digits, _ and - only');
      }
      tiers[name] = parseTier(m[name], join(path, name));
    }
    return tiers;
  },
};
