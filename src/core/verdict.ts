/**
 * What the detection engine concludes about an account or a cluster. Shared by the engine
 * (which produces verdicts), the policy (which turns them into actions) and the reports.
 */

/** Escalating verdict levels; policy maps each to actions per tier. */
export type VerdictLevel = 'allow' | 'watch' | 'review' | 'block';

export const VERDICT_LEVELS: readonly VerdictLevel[] = ['allow', 'watch', 'review', 'block'];

/** One plain-language reason with the figure behind it. */
export interface Reason {
  signal: string;
  value: number;
  detail: string;
}

export interface AccountVerdict {
  account: string;
  /** Harvest risk in [0, 1]. */
  risk: number;
  verdict: VerdictLevel;
  /** The cluster the account belongs to, when linked to others. */
  cluster?: string;
  reasons: Reason[];
  /** Event time at which this verdict was reached. */
  ts: string;
}

export interface ClusterVerdict {
  id: string;
  accounts: string[];
  risk: number;
  verdict: VerdictLevel;
  reasons: Reason[];
  ts: string;
  /**
   * Payment fingerprints that two or more of the cluster's accounts share (most shared first,
   * capped): the policy refuses a new account that pays with one before its first answer.
   */
  paymentFps?: string[];
}

/** Report line for one account in `moat.report.v1`. */
export interface ReportAccount {
  account: string;
  risk: number;
  verdict: VerdictLevel;
  events: number;
  first_alert_ts: string | null;
  events_before_alert: number | null;
  cluster: string | null;
  reasons: Reason[];
}

export interface ReportCluster {
  id: string;
  accounts: string[];
  risk: number;
  first_alert_ts: string | null;
  reasons: Reason[];
}

/** `moat.report.v1`, as written by `moat analyze --json`. */
export interface Report {
  v: 1;
  events: number;
  accounts: ReportAccount[];
  clusters: ReportCluster[];
}
