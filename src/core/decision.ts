/**
 * What the gateway must do with one request of one account, decided in constant time from the
 * cached verdict, the tier and any override. Produced by the policy engine; the gateway only
 * applies it.
 */
export interface Decision {
  /** Refuse the request: `account_blocked` or `verification_required` (403). */
  deny?: { code: 'MOAT_ERR_ACCOUNT_BLOCKED' | 'MOAT_ERR_VERIFICATION_REQUIRED'; link?: string };
  /** Multiplier in (0, 1] on the tier's request and token limits. */
  throttle?: number;
  /** Strip extraction-friendly parameters and cap sizes before forwarding. */
  degrade?: { maxTokens?: number; maxN?: number; stripReasoning: boolean };
  /** Watermark the response text. */
  watermark: boolean;
  /** The policy rule that produced this decision, for audit and logs. */
  rule: string;
  /** A tier pinned by an analyst's override: use its limits instead of the key's tier. */
  tier?: string;
}

/** The policy as the gateway sees it. */
export interface Decider {
  /**
   * `paymentFp` is the account's payment fingerprint when a trusted header gave one: an account
   * not yet in a cluster that pays like an enforced cluster gets that cluster's decision.
   */
  decide(account: string, tier: string, paymentFp?: string): Decision;
}

/** Lets everything through; the gateway's default until a policy is configured. */
export const ALLOW_ALL: Decider = {
  decide: () => ({ watermark: false, rule: 'default-allow' }),
};
