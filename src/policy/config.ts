import {
  configError,
  join,
  mapping,
  oneOf,
  onlyKeys,
  int,
  str,
  type Mapping,
} from '../config/check.js';
import type { Section } from '../config/section.js';
import { VERDICT_LEVELS, type VerdictLevel } from '../core/verdict.js';

/** What the policy can do to an account's requests; several may apply at once. */
export type Action = 'allow' | 'watermark' | 'degrade' | 'verify' | 'throttle' | 'block' | 'review';

export const ACTIONS: readonly Action[] = [
  'allow',
  'watermark',
  'degrade',
  'verify',
  'throttle',
  'block',
  'review',
];

/** How reasoning fields in responses are treated when an account is degraded. */
export type ReasoningMode = 'strip' | 'summarise' | 'keep';

/** One tier's policy: risk thresholds per level, the actions of each level, forced actions. */
export interface TierPolicy {
  /** Risk at or above which an account reaches the level (the detector's verdict also counts). */
  thresholds: Record<Exclude<VerdictLevel, 'allow'>, number>;
  actions: Record<VerdictLevel, Action[]>;
  /** Applied to every request of the tier whatever the verdict (e.g. `watermark: always`). */
  force: Action[];
}

/** The validated `policy` section of moat.yaml. */
export interface PolicyConfig {
  /** Provider's verification page, sent with `verification_required`. */
  verificationLink?: string;
  /** Seconds a lower level must hold before an account relaxes to it. */
  relaxAfterS: number;
  /** The risk must fall this far below the current level's threshold to count as lower. */
  relaxMargin: number;
  /** Multiplier on the tier's limits while `throttle` applies. */
  throttleFactor: number;
  degrade: { maxTokens: number; maxN: number; reasoning: ReasoningMode };
  /** Per tier; `default` covers tiers without an entry. */
  tiers: Record<string, TierPolicy>;
}

const DEFAULT_TIER: TierPolicy = {
  thresholds: { watch: 0.5, review: 0.75, block: 0.92 },
  actions: {
    allow: ['allow'],
    watch: ['watermark'],
    review: ['watermark', 'degrade', 'throttle', 'review'],
    block: ['block', 'review'],
  },
  force: [],
};

function fraction(obj: Mapping, key: string, path: string, fallback: number, min = 0): number {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !(v >= min && v <= 1)) {
    throw configError(join(path, key), `must be a number between ${min} and 1 (got ${String(v)})`);
  }
  return v;
}

function actionList(raw: unknown, path: string): Action[] {
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list)) throw configError(path, 'must be a list of actions');
  for (const a of list) {
    if (!ACTIONS.includes(a as Action)) {
      throw configError(path, `unknown action ${JSON.stringify(a)} (one of ${ACTIONS.join(', ')})`);
    }
  }
  return list as Action[];
}

/** `force` accepts a list of actions or a map `{ watermark: always }`. */
function forceList(raw: unknown, path: string): Action[] {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw) || typeof raw === 'string') return actionList(raw, path);

  const obj = mapping(raw, path);
  const out: Action[] = [];
  for (const [action, when] of Object.entries(obj)) {
    actionList([action], join(path, action));
    if (when !== 'always' && when !== 'never') {
      throw configError(join(path, action), 'must be "always" or "never"');
    }
    if (when === 'always') out.push(action as Action);
  }
  return out;
}

function parseTier(raw: unknown, path: string, base: TierPolicy): TierPolicy {
  const obj = mapping(raw, path);
  onlyKeys(obj, path, ['thresholds', 'actions', 'force']);

  const tp = join(path, 'thresholds');
  const t = mapping(obj.thresholds, tp);
  onlyKeys(t, tp, ['watch', 'review', 'block']);
  const thresholds = {
    watch: fraction(t, 'watch', tp, base.thresholds.watch),
    review: fraction(t, 'review', tp, base.thresholds.review),
    block: fraction(t, 'block', tp, base.thresholds.block),
  };
  if (!(thresholds.watch <= thresholds.review && thresholds.review <= thresholds.block)) {
    throw configError(tp, 'must rise from watch to review to block');
  }

  const ap = join(path, 'actions');
  const a = mapping(obj.actions, ap);
  onlyKeys(a, ap, VERDICT_LEVELS);
  const actions = { ...base.actions };
  for (const level of VERDICT_LEVELS) {
    if (a[level] !== undefined) actions[level] = actionList(a[level], join(ap, level));
  }

  return { thresholds, actions, force: forceList(obj.force, join(path, 'force')) };
}

/** Validates the raw `policy` section and applies defaults. */
export function parsePolicyConfig(raw: unknown, path = 'policy'): PolicyConfig {
  const obj = mapping(raw, path);
  onlyKeys(obj, path, [
    'verification_link',
    'relax_after_s',
    'relax_margin',
    'throttle_factor',
    'degrade',
    'tiers',
  ]);

  const dp = join(path, 'degrade');
  const d = mapping(obj.degrade, dp);
  onlyKeys(d, dp, ['max_tokens', 'max_n', 'reasoning']);
  const degrade = {
    maxTokens: int(d, 'max_tokens', dp, 1024, 1),
    maxN: int(d, 'max_n', dp, 1, 1),
    reasoning: oneOf<ReasoningMode>(d, 'reasoning', dp, ['strip', 'summarise', 'keep'], 'strip'),
  };

  const tiersPath = join(path, 'tiers');
  const rawTiers = mapping(obj.tiers, tiersPath);
  const base = rawTiers.default
    ? parseTier(rawTiers.default, join(tiersPath, 'default'), DEFAULT_TIER)
    : DEFAULT_TIER;
  const tiers: Record<string, TierPolicy> = { default: base };
  for (const [name, value] of Object.entries(rawTiers)) {
    if (name !== 'default') tiers[name] = parseTier(value, join(tiersPath, name), base);
  }

  const link = str(obj, 'verification_link', path);
  if (link !== undefined && !/^https?:\/\//.test(link)) {
    throw configError(join(path, 'verification_link'), 'must be an http(s) URL');
  }
  return {
    verificationLink: link,
    relaxAfterS: int(obj, 'relax_after_s', path, 900, 0),
    relaxMargin: fraction(obj, 'relax_margin', path, 0.1),
    throttleFactor: fraction(obj, 'throttle_factor', path, 0.25, 0.001),
    degrade,
    tiers,
  };
}

/** The `policy` section for the config loader. */
export const policySection: Section<PolicyConfig> = {
  name: 'policy',
  parse: (raw, path) => parsePolicyConfig(raw, path),
};
