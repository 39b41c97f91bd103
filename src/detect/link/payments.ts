/**
 * The payment fingerprints of a cluster's members. A fingerprint that two or more members
 * share is evidence of one payer behind several accounts; the cluster verdict carries those
 * (never a fingerprint of a single member, so one customer's card is not a key by itself), and
 * the policy refuses a new account that pays with one before its first answer.
 */
export interface PaymentTally {
  /** Accounts per payment fingerprint among the members. */
  payments: Map<string, number>;
  /** Fingerprints that two or more members share. */
  sharedPayments: number;
}

/** Most fingerprints a cluster verdict lists; past this, a verdict is not re-sent for more. */
export const MAX_CLUSTER_PAYMENTS = 256;

/**
 * Counts `accounts` more members paying with `fp`. Returns true when the fingerprint has just
 * become shared (reached two members) while the verdict's list is not yet full.
 */
export function countPayment(t: PaymentTally, fp: string, accounts = 1): boolean {
  if (!fp) return false;
  const before = t.payments.get(fp) ?? 0;
  t.payments.set(fp, before + accounts);
  if (before >= 2 || before + accounts < 2) return false;
  t.sharedPayments++;
  return t.sharedPayments <= MAX_CLUSTER_PAYMENTS;
}

/** Adds the tally of a cluster absorbed into this one; true when a fingerprint became shared. */
export function absorbPayments(t: PaymentTally, other: PaymentTally): boolean {
  let grew = false;
  for (const [fp, n] of other.payments) if (countPayment(t, fp, n)) grew = true;
  return grew;
}

/** The shared fingerprints, most members first, at most MAX_CLUSTER_PAYMENTS. */
export function sharedPayments(t: PaymentTally): string[] {
  if (t.sharedPayments === 0) return [];
  const shared: [string, number][] = [];
  for (const [fp, n] of t.payments) if (n >= 2) shared.push([fp, n]);
  shared.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return shared.slice(0, MAX_CLUSTER_PAYMENTS).map(([fp]) => fp);
}
