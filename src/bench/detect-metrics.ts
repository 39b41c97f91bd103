/**
 * Account-level detection metrics, written out so each can be checked by hand: ROC-AUC as the
 * Mann-Whitney statistic, and recall at a legitimate-account false-positive budget.
 */

/**
 * ROC-AUC: the probability that a random attacking account scores above a random legitimate
 * one, ties counting one half. NaN when either side is empty.
 */
export function rocAuc(legit: number[], attack: number[]): number {
  if (legit.length === 0 || attack.length === 0) return NaN;
  const all = [
    ...legit.map((s) => ({ s, attack: false })),
    ...attack.map((s) => ({ s, attack: true })),
  ].sort((a, b) => a.s - b.s);

  // Sum of attack ranks, with tied scores sharing their average rank.
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j].s === all[i].s) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k].attack) rankSum += avgRank;
    i = j;
  }
  const n1 = attack.length;
  return (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * legit.length);
}

/** The operating point chosen for a false-positive budget. */
export interface OperatingPoint {
  /** Accounts scoring strictly above this are flagged. */
  threshold: number;
  recall: number;
  /** The false-positive rate actually reached (at most the budget). */
  fpr: number;
}

/**
 * Recall at a legitimate false-positive budget: the lowest threshold that flags at most
 * floor(fpr x legit) legitimate accounts (flagging means scoring strictly above it), and the
 * share of attacking accounts it flags. With fewer than 1/fpr legitimate accounts the budget
 * allows no false positive at all, so the threshold is the top legitimate score.
 */
export function recallAtFpr(legit: number[], attack: number[], fpr: number): OperatingPoint {
  const sorted = [...legit].sort((a, b) => b - a);
  const allowed = Math.floor(fpr * sorted.length + 1e-9);
  const threshold = allowed < sorted.length ? sorted[allowed] : -Infinity;
  const fp = sorted.filter((s) => s > threshold).length;
  const tp = attack.filter((s) => s > threshold).length;
  return {
    threshold,
    recall: attack.length ? tp / attack.length : NaN,
    fpr: sorted.length ? fp / sorted.length : NaN,
  };
}

/** The share of values that satisfy the predicate (NaN for an empty list). */
export function share<T>(items: T[], pred: (x: T) => boolean): number {
  if (items.length === 0) return NaN;
  return items.filter(pred).length / items.length;
}

/** The q-quantile (0-1) of a list by nearest rank; NaN when empty. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}
