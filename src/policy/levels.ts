import { VERDICT_LEVELS, type Reason, type VerdictLevel } from '../core/verdict.js';
import type { TierPolicy } from './config.js';

/** Rank of a level: allow 0 < watch 1 < review 2 < block 3. */
export function rank(level: VerdictLevel): number {
  return VERDICT_LEVELS.indexOf(level);
}

/** The higher of two levels. */
export function maxLevel(a: VerdictLevel, b: VerdictLevel): VerdictLevel {
  return rank(a) >= rank(b) ? a : b;
}

/** The highest level whose threshold (lowered by `margin`) the risk reaches, or the verdict. */
export function levelFor(
  risk: number,
  verdict: VerdictLevel,
  thresholds: TierPolicy['thresholds'],
  margin = 0,
): VerdictLevel {
  let byRisk: VerdictLevel = 'allow';
  if (risk >= thresholds.watch - margin) byRisk = 'watch';
  if (risk >= thresholds.review - margin) byRisk = 'review';
  if (risk >= thresholds.block - margin) byRisk = 'block';
  return maxLevel(byRisk, verdict);
}

/**
 * The enforced level of one account or cluster, with hysteresis: evidence above the current
 * level escalates at once; evidence below it (by the relax margin) must hold for the relax
 * period before the level drops, so an account whose risk hovers at a threshold does not flap.
 */
export interface LevelState {
  level: VerdictLevel;
  risk: number;
  reasons: Reason[];
  /** Event time of the last verdict seen. */
  ts: string;
  /** Wall time (ms) since which the evidence has stayed below the current level. */
  lowerSince?: number;
  /** The level to relax to once the period has passed. */
  lowerTarget?: VerdictLevel;
}

export type Transition = { from: VerdictLevel; to: VerdictLevel } | null;

/** Folds a new verdict into the state; returns the transition when the level rose. */
export function observe(
  state: LevelState,
  evidence: { risk: number; verdict: VerdictLevel; reasons: Reason[]; ts: string },
  thresholds: TierPolicy['thresholds'],
  margin: number,
  nowMs: number,
): Transition {
  state.risk = evidence.risk;
  state.reasons = evidence.reasons;
  state.ts = evidence.ts;

  const up = levelFor(evidence.risk, evidence.verdict, thresholds);
  if (rank(up) > rank(state.level)) {
    const from = state.level;
    state.level = up;
    state.lowerSince = undefined;
    state.lowerTarget = undefined;
    return { from, to: up };
  }

  const down = levelFor(evidence.risk, evidence.verdict, thresholds, margin);
  if (rank(down) >= rank(state.level)) {
    state.lowerSince = undefined;
    state.lowerTarget = undefined;
    return null;
  }
  state.lowerSince ??= nowMs;
  state.lowerTarget = down;
  return null;
}

/** Relaxes the level when the evidence has stayed lower for `relaxAfterMs`; O(1). */
export function relaxIfDue(state: LevelState, nowMs: number, relaxAfterMs: number): Transition {
  if (state.lowerSince === undefined || state.lowerTarget === undefined) return null;
  if (nowMs - state.lowerSince < relaxAfterMs) return null;

  const from = state.level;
  state.level = state.lowerTarget;
  state.lowerSince = undefined;
  state.lowerTarget = undefined;
  return { from, to: state.level };
}

/** A fresh state at `allow`. */
export function initialState(ts = new Date(0).toISOString()): LevelState {
  return {
    level: 'allow',
    risk: 0,
    reasons: [],
    ts,
    lowerSince: undefined,
    lowerTarget: undefined,
  };
}
