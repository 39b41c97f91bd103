import type { Reason, VerdictLevel } from '../core/verdict.js';
import type { Action } from './config.js';

/** One change of what the policy does to an account, automatic or by an analyst. */
export interface AuditEntry {
  id: string;
  ts: string;
  account: string;
  cluster?: string;
  /** The level the account is now at (after hysteresis and overrides). */
  verdict: VerdictLevel;
  risk: number;
  reasons: Reason[];
  /** The rule that produced the change, e.g. `tier:free/review` or `override:block`. */
  rule: string;
  actions: Action[];
  /** `engine` for automatic changes, else the analyst's name. */
  by: string;
  /** The account's own level, without its cluster's (account entries; absent in older ones). */
  own?: VerdictLevel;
  /** A cluster entry's member accounts when it was written. */
  accounts?: string[];
  /** A cluster entry's shared payment fingerprints when it was written (absent when none). */
  paymentFps?: string[];
}

export type ReviewStatus = 'open' | 'confirmed' | 'dismissed' | 'changed';

/** An automatic action waiting for (or given) an analyst's decision. */
export interface ReviewItem extends Omit<AuditEntry, 'by'> {
  status: ReviewStatus;
  analyst?: string;
  note?: string;
  resolvedTs?: string;
}

export type OverrideKind = 'allow' | 'block' | 'unblock' | 'tier' | 'level';

export const OVERRIDE_KINDS: readonly OverrideKind[] = [
  'allow',
  'block',
  'unblock',
  'tier',
  'level',
];

/**
 * An analyst's standing instruction for one account; it wins over the engine. `allow` lets
 * everything through, `block` refuses, `unblock` keeps the engine from blocking or asking for
 * verification, `tier` pins the tier, `level` pins the verdict level.
 */
export interface Override {
  account: string;
  kind: OverrideKind;
  tier?: string;
  level?: VerdictLevel;
  reason: string;
  by: string;
  ts: string;
}

/**
 * Durable policy records: audit trail, review queue and overrides. SQLite by default,
 * Postgres in a fleet. Writes happen off the request path.
 */
export interface PolicyRecords {
  addAudit(entry: AuditEntry): Promise<void>;
  listAudit(query: { account?: string; limit?: number }): Promise<AuditEntry[]>;
  /** The latest entry of every account and of every cluster (`account: '*'`), for start-up. */
  latestAudit(): Promise<AuditEntry[]>;
  addReview(item: ReviewItem): Promise<void>;
  getReview(id: string): Promise<ReviewItem | undefined>;
  /** Records an analyst's decision; false when the item is unknown. */
  resolveReview(
    id: string,
    patch: Pick<ReviewItem, 'status' | 'analyst' | 'note' | 'resolvedTs'>,
  ): Promise<boolean>;
  listReviews(query: { status?: ReviewStatus; limit?: number }): Promise<ReviewItem[]>;
  putOverride(override: Override): Promise<void>;
  /** False when the account had no override. */
  deleteOverride(account: string): Promise<boolean>;
  listOverrides(): Promise<Override[]>;
  close(): Promise<void>;
}

/** Records kept in memory: for tests, and for a gateway run without any store. */
export class MemoryRecords implements PolicyRecords {
  private audit: AuditEntry[] = [];
  private reviews = new Map<string, ReviewItem>();
  private overrides = new Map<string, Override>();

  async addAudit(entry: AuditEntry): Promise<void> {
    this.audit.push(structuredClone(entry));
  }

  async listAudit(query: { account?: string; limit?: number }): Promise<AuditEntry[]> {
    const rows = this.audit.filter((e) => !query.account || e.account === query.account);
    return rows.reverse().slice(0, query.limit ?? 100);
  }

  async latestAudit(): Promise<AuditEntry[]> {
    const latest = new Map<string, AuditEntry>();
    for (const e of this.audit) latest.set(subjectOf(e), e);
    return [...latest.values()];
  }

  async addReview(item: ReviewItem): Promise<void> {
    this.reviews.set(item.id, structuredClone(item));
  }

  async getReview(id: string): Promise<ReviewItem | undefined> {
    return this.reviews.get(id);
  }

  async resolveReview(
    id: string,
    patch: Pick<ReviewItem, 'status' | 'analyst' | 'note' | 'resolvedTs'>,
  ): Promise<boolean> {
    const item = this.reviews.get(id);
    if (!item) return false;
    Object.assign(item, patch);
    return true;
  }

  async listReviews(query: { status?: ReviewStatus; limit?: number }): Promise<ReviewItem[]> {
    const rows = [...this.reviews.values()].filter(
      (r) => !query.status || r.status === query.status,
    );
    return rows.reverse().slice(0, query.limit ?? 100);
  }

  async putOverride(override: Override): Promise<void> {
    this.overrides.set(override.account, { ...override });
  }

  async deleteOverride(account: string): Promise<boolean> {
    return this.overrides.delete(account);
  }

  async listOverrides(): Promise<Override[]> {
    return [...this.overrides.values()];
  }

  async close(): Promise<void> {}
}

/** What an audit entry is about: an account, or `*` and the cluster for a cluster entry. */
export function subjectOf(entry: AuditEntry): string {
  return entry.account === '*' ? `*${entry.cluster ?? ''}` : entry.account;
}
