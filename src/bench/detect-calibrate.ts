import type { Thresholds } from '../detect/config.js';

/**
 * The lowest risk threshold that at most `fpr` of the given legitimate accounts reach (an
 * account is flagged when its risk is at or above the threshold, as the engine's levels are).
 */
export function thresholdAtFpr(legitRisks: number[], fpr: number): number {
  const sorted = [...legitRisks].sort((a, b) => b - a);
  const allowed = Math.floor(fpr * sorted.length + 1e-9);
  if (allowed >= sorted.length) return 0;
  return Math.min(1, sorted[allowed] + 1e-6);
}

/**
 * Verdict thresholds calibrated on legitimate accounts only: `block` (the level that stops an
 * account) at the target false-positive rate, `review` (an alert) at ten times it, `watch` at
 * fifty times it. Each level is kept at or above the one below.
 */
export function calibrateThresholds(legitRisks: number[], targetFpr: number): Thresholds {
  const block = thresholdAtFpr(legitRisks, targetFpr);
  const review = Math.min(block, thresholdAtFpr(legitRisks, Math.min(1, targetFpr * 10)));
  const watch = Math.min(review, thresholdAtFpr(legitRisks, Math.min(1, targetFpr * 50)));
  return { watch, review, block };
}
