import { MoatError } from '../core/errors.js';
import type { Section } from '../config/section.js';
import type { EmbeddingsConfig } from './embed.js';

type Mapping = Record<string, unknown>;

function configError(path: string, what: string): MoatError {
  return new MoatError('MOAT_ERR_CONFIG', `${path}: ${what}`);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function mapping(raw: unknown, path: string): Mapping {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw configError(path, 'must be a mapping of keys to values');
  }
  return raw as Mapping;
}

function onlyKeys(obj: Mapping, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw configError(join(path, key), 'unknown key');
  }
}

/** Risk thresholds of the verdict levels; `review` is the alert threshold. */
export interface Thresholds {
  watch: number;
  review: number;
  block: number;
}

/** Settings of the detection engine: the `detect:` section of moat.yaml. */
export interface DetectConfig {
  /** Half-life, in events, of the weighted shares: the window a change of behaviour shows in. */
  windowEvents: number;
  /** Events an account needs before behavioural shares are read. */
  minEvents: number;
  /** Event-time seconds without traffic after which an account's state is dropped. */
  idleTtlS: number;
  /**
   * Expected events per day per tier. Tiers not listed use a norm learned from traffic (the
   * 90th percentile of the tier's account-days), or `default` (else 2,000) until it is learned.
   */
  tierDailyEvents: Record<string, number>;
  /** Known model release times (ISO 8601) for the new-model pivot signal. */
  modelReleases: Record<string, string>;
  /** Per-signal weight overrides. */
  weights: Record<string, number>;
  /** Verdict thresholds on risk; produce them with `calibrate` on legitimate traffic. */
  thresholds: Thresholds;
  /** The legitimate-account false-positive rate the alert threshold is calibrated to. */
  targetFpr: number;
  /** Accounts below this risk feed the benign reference of the distribution test. */
  benignMaxRisk: number;
  /** Whether accounts are linked into clusters. */
  link: boolean;
  /**
   * An OpenAI-compatible embedding endpoint for the prompt vectors of the distribution and
   * distance tests; without it they use hashed word n-grams.
   */
  embeddings?: EmbeddingsConfig;
  /** A linking bucket stops merging once it holds this many accounts. */
  linkMaxBucket: number;
}

/**
 * Defaults. The thresholds come from `moat calibrate` on the legitimate accounts of
 * `moat simulate --scenario ci --seed 11` at the default target FPR (0.001); recalibrate on
 * your own legitimate traffic with `moat calibrate`.
 */
export const DEFAULT_DETECT_CONFIG: DetectConfig = {
  windowEvents: 200,
  minEvents: 20,
  idleTtlS: 7 * 24 * 3600,
  tierDailyEvents: {},
  modelReleases: {},
  weights: {},
  thresholds: { watch: 0.62, review: 0.8, block: 0.84 },
  targetFpr: 0.001,
  benignMaxRisk: 0.3,
  link: true,
  linkMaxBucket: 5000,
};

const KEYS = [
  'window_events',
  'min_events',
  'idle_ttl_s',
  'tier_daily_events',
  'model_releases',
  'weights',
  'thresholds',
  'target_fpr',
  'benign_max_risk',
  'link',
  'link_max_bucket',
  'embeddings',
];

function num(obj: Mapping, key: string, path: string, fallback: number, min: number, max: number) {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw configError(join(path, key), `must be a number between ${min} and ${max}`);
  }
  return v;
}

function numbers(raw: unknown, path: string, min: number, max: number): Record<string, number> {
  const obj = mapping(raw, path);
  const out: Record<string, number> = {};
  for (const key of Object.keys(obj)) out[key] = num(obj, key, path, 0, min, max);
  return out;
}

/** Validates the raw `detect:` section and applies defaults; errors name the exact key. */
export function parseDetectConfig(raw: unknown, path = 'detect'): DetectConfig {
  const obj = mapping(raw, path);
  onlyKeys(obj, path, KEYS);
  const d = DEFAULT_DETECT_CONFIG;
  const releases = mapping(obj.model_releases, join(path, 'model_releases'));
  for (const [model, ts] of Object.entries(releases)) {
    if (typeof ts !== 'string' || Number.isNaN(Date.parse(ts))) {
      throw configError(join(path, `model_releases.${model}`), 'must be an ISO 8601 time');
    }
  }
  const th = mapping(obj.thresholds, join(path, 'thresholds'));
  onlyKeys(th, join(path, 'thresholds'), ['watch', 'review', 'block']);
  const thPath = join(path, 'thresholds');
  const thresholds = {
    watch: num(th, 'watch', thPath, d.thresholds.watch, 0, 1),
    review: num(th, 'review', thPath, d.thresholds.review, 0, 1),
    block: num(th, 'block', thPath, d.thresholds.block, 0, 1),
  };
  if (!(thresholds.watch <= thresholds.review && thresholds.review <= thresholds.block)) {
    throw configError(thPath, 'must satisfy watch <= review <= block');
  }
  const link = obj.link ?? d.link;
  if (typeof link !== 'boolean') throw configError(join(path, 'link'), 'must be true or false');

  const embeddings = parseEmbeddings(obj.embeddings, join(path, 'embeddings'));
  return {
    ...(embeddings ? { embeddings } : {}),
    windowEvents: num(obj, 'window_events', path, d.windowEvents, 10, 100_000),
    minEvents: num(obj, 'min_events', path, d.minEvents, 1, 10_000),
    idleTtlS: num(obj, 'idle_ttl_s', path, d.idleTtlS, 60, 365 * 24 * 3600),
    tierDailyEvents: {
      ...d.tierDailyEvents,
      ...numbers(obj.tier_daily_events, join(path, 'tier_daily_events'), 1, 1e9),
    },
    modelReleases: releases as Record<string, string>,
    weights: numbers(obj.weights, join(path, 'weights'), 0, 10),
    thresholds,
    targetFpr: num(obj, 'target_fpr', path, d.targetFpr, 1e-6, 0.5),
    benignMaxRisk: num(obj, 'benign_max_risk', path, d.benignMaxRisk, 0, 1),
    link,
    linkMaxBucket: num(obj, 'link_max_bucket', path, d.linkMaxBucket, 2, 1e7),
  };
}

/** The optional `detect.embeddings` mapping; undefined when absent. */
function parseEmbeddings(raw: unknown, path: string): EmbeddingsConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  const obj = mapping(raw, path);
  onlyKeys(obj, path, ['url', 'model', 'api_key_env', 'batch', 'timeout_ms']);
  const text = (key: string, required: boolean): string | undefined => {
    const v = obj[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v === '') {
      throw configError(join(path, key), 'must be a non-empty string');
    }
    return v;
  };
  const url = text('url', true) as string;
  if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) {
    throw configError(join(path, 'url'), 'must be an http(s) URL, such as http://host:8000/v1');
  }
  const apiKeyEnv = text('api_key_env', false);
  return {
    url,
    model: text('model', true) as string,
    ...(apiKeyEnv ? { apiKeyEnv } : {}),
    batch: num(obj, 'batch', path, 64, 1, 2048),
    timeoutMs: num(obj, 'timeout_ms', path, 5000, 100, 120_000),
  };
}

/** The `detect:` section of moat.yaml, for the configuration loader. */
export const detectSection: Section<DetectConfig> = {
  name: 'detect',
  parse: (raw, path) => parseDetectConfig(raw, path),
};
