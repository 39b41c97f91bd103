import type { Decision } from '../core/decision.js';
import type { VerdictLevel } from '../core/verdict.js';
import type { Action, PolicyConfig, TierPolicy } from './config.js';
import type { Override } from './records.js';

/** The tier's policy, or the `default` one. */
export function tierPolicy(config: PolicyConfig, tier: string): TierPolicy {
  return config.tiers[tier] ?? config.tiers.default;
}

/**
 * The actions that apply to an account at `level` in `tier`, after its override. The tier's
 * forced actions always apply; `allow` drops everything else; `unblock` drops block and verify.
 */
export function actionsFor(
  config: PolicyConfig,
  tier: string,
  level: VerdictLevel,
  override?: Override,
): { actions: Action[]; rule: string } {
  const tp = tierPolicy(config, tier);
  const force = tp.force;

  if (override?.kind === 'block') return { actions: ['block'], rule: 'override:block' };
  if (override?.kind === 'allow') {
    return { actions: withoutDenials(force), rule: 'override:allow' };
  }

  const pinned = override?.kind === 'level' && override.level ? override.level : level;
  const actions = [...new Set([...tp.actions[pinned], ...force])];
  const rule = override?.kind === 'level' ? `override:level/${pinned}` : `tier:${tier}/${pinned}`;
  if (override?.kind === 'unblock') return { actions: withoutDenials(actions), rule };
  return { actions, rule };
}

function withoutDenials(actions: Action[]): Action[] {
  return actions.filter((a) => a !== 'block' && a !== 'verify');
}

/** Turns a list of actions into the frozen Decision the gateway applies. */
export function buildDecision(
  config: PolicyConfig,
  actions: Action[],
  rule: string,
  pinnedTier?: string,
): Decision {
  const decision: Decision = { watermark: actions.includes('watermark'), rule };
  if (pinnedTier) decision.tier = pinnedTier;

  if (actions.includes('block')) {
    decision.deny = { code: 'MOAT_ERR_ACCOUNT_BLOCKED' };
  } else if (actions.includes('verify')) {
    decision.deny = { code: 'MOAT_ERR_VERIFICATION_REQUIRED', link: config.verificationLink };
  }
  if (actions.includes('throttle')) decision.throttle = config.throttleFactor;
  if (actions.includes('degrade')) {
    decision.degrade = {
      maxTokens: config.degrade.maxTokens,
      maxN: config.degrade.maxN,
      stripReasoning: config.degrade.reasoning !== 'keep',
    };
  }
  return Object.freeze(decision);
}
