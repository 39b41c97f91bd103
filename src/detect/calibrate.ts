import { readFileSync } from 'node:fs';
import { MoatError } from '../core/errors.js';
import { analyzeFile } from './analyze.js';
import type { DetectConfig, Thresholds } from './config.js';

/**
 * The lowest risk that at most `fpr` of the given legitimate accounts reach (an account is
 * flagged when its risk is at or above the threshold).
 */
export function thresholdAtFpr(legitRisks: readonly number[], fpr: number): number {
  const sorted = [...legitRisks].sort((a, b) => b - a);
  const allowed = Math.floor(fpr * sorted.length + 1e-9);
  if (allowed >= sorted.length) return 0;
  return Math.min(1, sorted[allowed] + 1e-6);
}

/**
 * Verdict thresholds from the peak risks of legitimate accounts: `block` at the target
 * false-positive rate, `review` (the alert) at ten times it, `watch` at fifty times it, each
 * kept at or below the level above. With fewer than 1/target accounts the block threshold is
 * the highest legitimate risk, which is as far as the sample can say.
 */
export function thresholdsFromRisks(legitRisks: readonly number[], targetFpr: number): Thresholds {
  const block = thresholdAtFpr(legitRisks, targetFpr);
  const review = Math.min(block, thresholdAtFpr(legitRisks, Math.min(1, targetFpr * 10)));
  const watch = Math.min(review, thresholdAtFpr(legitRisks, Math.min(1, targetFpr * 50)));
  return { watch, review, block };
}

/** What a calibration run found. */
export interface Calibration {
  thresholds: Thresholds;
  targetFpr: number;
  legitAccounts: number;
  events: number;
}

/**
 * Calibrates thresholds on a log of traffic: the whole log goes through a fresh engine (so
 * linking and the benign reference see everything) and thresholds are set from the accounts
 * labelled legitimate in `labelsFile` (`moat.labels` lines), or from every account when no
 * labels are given (the log is then taken to be legitimate traffic).
 */
export async function calibrateFile(
  file: string,
  o: { labelsFile?: string; targetFpr: number; config?: Partial<DetectConfig> },
): Promise<Calibration> {
  const legit = o.labelsFile ? readLegit(o.labelsFile) : null;
  const { report } = await analyzeFile(file, { config: o.config });
  const risks = report.accounts.filter((a) => !legit || legit.has(a.account)).map((a) => a.risk);
  if (risks.length === 0) {
    throw new MoatError('MOAT_ERR_USAGE', `No legitimate account to calibrate on in ${file}.`);
  }
  return {
    thresholds: thresholdsFromRisks(risks, o.targetFpr),
    targetFpr: o.targetFpr,
    legitAccounts: risks.length,
    events: report.events,
  };
}

function readLegit(file: string): Set<string> {
  const legit = new Set<string>();
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    let row: { account?: unknown; label?: unknown };
    try {
      row = JSON.parse(text) as typeof row;
    } catch {
      throw new MoatError('MOAT_ERR_USAGE', `${file} line ${i + 1}: not valid JSON.`);
    }
    if (row.label === 'legit' && typeof row.account === 'string') legit.add(row.account);
  });
  return legit;
}
