import type { Reason, VerdictLevel } from '../core/verdict.js';
import type { Thresholds } from './config.js';
import type { Finding } from './signals/signal.js';

/** A finding with its signal and weighted contribution to risk. */
export interface Scored {
  signal: string;
  finding: Finding;
  contribution: number;
}

const MIN_REASON_SCORE = 0.15;
const MAX_REASONS = 4;

/**
 * Combines weighted signal scores into risk in [0, 1]: 1 - exp(-sum). One strong signal of
 * weight 1 gives 0.63; independent evidence accumulates and saturates towards 1.
 */
export function combineRisk(scored: readonly Scored[]): number {
  let sum = 0;
  for (const s of scored) sum += s.contribution;
  return 1 - Math.exp(-sum);
}

/** The strongest findings as plain-language reasons, largest contribution first. */
export function topReasons(scored: readonly Scored[]): Reason[] {
  return scored
    .filter((s) => s.finding.score >= MIN_REASON_SCORE)
    .sort((a, b) => b.contribution - a.contribution)
    .slice(0, MAX_REASONS)
    .map((s) => ({ signal: s.signal, value: round(s.finding.value), detail: s.finding.detail() }));
}

/** The verdict level a risk reaches under the thresholds. */
export function levelFor(risk: number, t: Thresholds): VerdictLevel {
  if (risk >= t.block) return 'block';
  if (risk >= t.review) return 'review';
  if (risk >= t.watch) return 'watch';
  return 'allow';
}

const RANK: Record<VerdictLevel, number> = { allow: 0, watch: 1, review: 2, block: 3 };

/** Whether level `a` is above level `b`. */
export function above(a: VerdictLevel, b: VerdictLevel): boolean {
  return RANK[a] > RANK[b];
}

/** Rounds a figure for reports (4 significant decimals). */
export function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
