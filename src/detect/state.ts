import type { Reason, VerdictLevel } from '../core/verdict.js';
import type { LinkNode } from './link/union.js';
import type { LinkSubject } from './link/linker.js';
import type { PaymentTally } from './link/payments.js';
import type { Profile } from './profile.js';

/**
 * What the engine keeps per account. The profile (the bulk of the memory) is dropped when the
 * account goes idle; the summary fields stay so reports list every account.
 */
export interface AccountState extends LinkSubject {
  id: string;
  profile: Profile | null;
  events: number;
  firstMs: number;
  lastMs: number;
  /** Sign-up time from the client record, when the log has it. */
  signupMs: number | null;
  /** Payment fingerprint from the client record ('' when the log has none). */
  payment: string;
  /** Risk from the account's own profile, at its last evaluation. */
  ownRisk: number;
  /** Highest effective risk reached (own or cluster), and its reasons. */
  peak: number;
  reasons: Reason[];
  level: VerdictLevel;
  levelTs: string;
  firstAlertTs: string | null;
  eventsBeforeAlert: number | null;
}

/** What the engine keeps per cluster (a union-find root with two or more accounts). */
export interface ClusterState extends PaymentTally {
  id: string;
  root: LinkNode;
  members: AccountState[];
  /** Aggregate profile fed by every member event since linking. */
  profile: Profile;
  risk: number;
  peak: number;
  reasons: Reason[];
  level: VerdictLevel;
  levelTs: string;
  firstAlertTs: string | null;
  sinceEval: number;
}

/** A fresh account record. */
export function newAccount(
  id: string,
  node: LinkNode,
  profile: Profile,
  ms: number,
  signupMs: number | null,
  payment = '',
): AccountState {
  return {
    id,
    node,
    netsOffered: 0,
    templateOffered: false,
    profile,
    events: 0,
    firstMs: ms,
    lastMs: ms,
    signupMs,
    payment,
    ownRisk: 0,
    peak: 0,
    reasons: [],
    level: 'allow',
    levelTs: new Date(ms).toISOString(),
    firstAlertTs: null,
    eventsBeforeAlert: null,
  };
}
