import { MoatError } from '../core/errors.js';
import type { VerdictLevel } from '../core/verdict.js';
import type { PolicyEngine } from './engine.js';
import type { OverrideKind, PolicyRecords, ReviewItem } from './records.js';

/** An analyst's decision on one review item. */
export type ReviewDecision =
  | { decision: 'confirm'; analyst: string; note?: string }
  | { decision: 'dismiss'; analyst: string; note?: string }
  | {
      decision: 'change';
      analyst: string;
      note?: string;
      override: { kind: OverrideKind; tier?: string; level?: VerdictLevel };
    };

/**
 * Applies an analyst's decision: `confirm` keeps the action, `dismiss` marks it a false positive
 * and puts the account back to `allow`, `change` replaces the action with an override. Returns
 * the updated item; an unknown or already resolved id is a 404/400 MoatError.
 */
export async function resolveReview(
  engine: PolicyEngine,
  id: string,
  d: ReviewDecision,
  now = Date.now(),
): Promise<ReviewItem> {
  const item = await engine.records.getReview(id);
  if (!item) throw new MoatError('MOAT_ERR_NOT_FOUND', `No review item ${id}.`);
  if (item.status !== 'open') {
    throw new MoatError(
      'MOAT_ERR_MALFORMED_REQUEST',
      `Review item ${id} is already ${item.status}.`,
    );
  }

  const ts = new Date(now).toISOString();
  const status =
    d.decision === 'confirm' ? 'confirmed' : d.decision === 'dismiss' ? 'dismissed' : 'changed';
  const patch = { status, analyst: d.analyst, note: d.note, resolvedTs: ts } as const;

  if (d.decision === 'dismiss') {
    if (item.account !== '*') engine.reset(item.account, d.analyst);
    else if (item.cluster) engine.resetCluster(item.cluster, d.analyst);
  }
  if (d.decision === 'change') {
    if (item.account === '*') {
      throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', 'A cluster item is changed per account.');
    }
    const o = d.override;
    engine.setOverride({
      account: item.account,
      ...o,
      reason: d.note ?? 'review',
      by: d.analyst,
      ts,
    });
  }

  await engine.records.resolveReview(id, patch);
  await engine.flush();
  return { ...item, ...patch };
}

/** One calibration label in the shape of the benchmark's labels file. */
export interface FalsePositiveLabel {
  account: string;
  label: 'legit';
  profile: 'dismissed-review';
  /** When the analyst dismissed the alert. */
  ts: string;
  risk: number;
  signals: string[];
}

/**
 * The analysts' dismissals as labelled false positives, newest first: the detector's
 * calibration reads these as known-legitimate accounts.
 */
export async function falsePositiveLabels(
  records: PolicyRecords,
  limit = 10_000,
): Promise<FalsePositiveLabel[]> {
  const items = await records.listReviews({ status: 'dismissed', limit });
  return items
    .filter((i) => i.account !== '*')
    .map((i) => ({
      account: i.account,
      label: 'legit',
      profile: 'dismissed-review',
      ts: i.resolvedTs ?? i.ts,
      risk: i.risk,
      signals: i.reasons.map((r) => r.signal),
    }));
}
