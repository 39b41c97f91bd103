import type { AccountVerdict, ClusterVerdict, Reason } from '../core/verdict.js';
import type { DetectConfig } from './config.js';
import type { EventFeatures } from './features.js';
import { absorbPayments, countPayment, sharedPayments } from './link/payments.js';
import { findRoot, type LinkNode } from './link/union.js';
import type { Profile } from './profile.js';
import { above, combineRisk, levelFor, topReasons } from './risk.js';
import type { Scorer } from './scorer.js';
import type { SignalContext } from './signals/signal.js';
import type { AccountState, ClusterState } from './state.js';

/** What the cluster book needs from the engine. */
export interface ClusterHost {
  config: DetectConfig;
  scorer: Scorer;
  context: SignalContext;
  newProfile(): Profile;
  account(id: string): AccountState | undefined;
  emit(v: AccountVerdict | ClusterVerdict): void;
  raise(a: AccountState, risk: number, reasons: Reason[], ts: string): void;
  /** Runs the sampled tests (MMD, normality) on a profile after a prompt. */
  tests(p: Profile): void;
  /** Event time of the first event the engine saw. */
  startMs(): number;
}

const LOG_START_MS = 6 * 3_600_000;

const MAX_EVAL_EVERY = 64;

/**
 * The clusters of linked accounts: each is scored as one unit, on an aggregate profile fed by
 * all its members' events (summed volume, pooled prompts and coverage) and on cluster-only
 * signals. A cluster's risk is carried to its members, so a hydra's harmless-looking accounts
 * take the verdict of the whole.
 */
export class Clusters {
  private readonly byRoot = new Map<LinkNode, ClusterState>();
  private seq = 0;

  constructor(private readonly host: ClusterHost) {}

  /** The cluster of an account, if it is linked to others. */
  of(a: AccountState): ClusterState | undefined {
    if (!a.node.parent && a.node.size < 2) return undefined;
    return this.byRoot.get(findRoot(a.node));
  }

  /** All clusters. */
  all(): IterableIterator<ClusterState> {
    return this.byRoot.values();
  }

  count(): number {
    return this.byRoot.size;
  }

  /**
   * Merges the cluster state of `absorbed` into that of `root` after the linker united them,
   * during an event at `ts`. Accounts that join take the cluster's peak risk at once (and the
   * cluster's members take the absorbed one's, when it was higher), as the policy treats them
   * from then on. When the merge makes a payment fingerprint shared in a cluster with a verdict
   * above `allow`, the verdict is sent again with it, so the policy can refuse the next account
   * that pays with it before its first answer.
   */
  unite(root: LinkNode, absorbed: LinkNode, ts: string): void {
    const target = this.byRoot.get(root) ?? this.create(root);
    const peak = target.peak;
    const joined = this.merge(target, absorbed);
    if (target.peak > 0) {
      const reasons = this.memberReasons(target);
      const raised = target.peak > peak ? target.members : joined.members;
      for (const m of raised) this.host.raise(m, target.peak, reasons, ts);
    }
    if (joined.shared && target.level !== 'allow') this.host.emit(this.verdictOf(target));
  }

  /** Notes a member's payment fingerprint that arrived after it joined its cluster. */
  notePayment(a: AccountState): void {
    const c = this.of(a);
    if (c && countPayment(c, a.payment) && c.level !== 'allow') this.host.emit(this.verdictOf(c));
  }

  /**
   * Moves `absorbed` (a cluster or one account) into `target`. Returns the accounts that came
   * in, and whether a payment fingerprint became shared.
   */
  private merge(
    target: ClusterState,
    absorbed: LinkNode,
  ): { members: readonly AccountState[]; shared: boolean } {
    const other = this.byRoot.get(absorbed);
    if (other) {
      this.byRoot.delete(absorbed);
      target.profile.absorb(other.profile);
      for (const m of other.members) target.members.push(m);
      if (other.peak > target.peak) {
        target.peak = other.peak;
        target.reasons = other.reasons;
      }
      if (above(other.level, target.level)) target.level = other.level;
      target.firstAlertTs = earliest(target.firstAlertTs, other.firstAlertTs);
      return { members: other.members, shared: absorbPayments(target, other) };
    }
    const a = this.host.account(absorbed.id);
    if (!a) return { members: [], shared: false };
    target.members.push(a);
    if (a.profile) target.profile.absorb(a.profile);
    return { members: [a], shared: countPayment(target, a.payment) };
  }

  /** Feeds a member's event to its cluster and re-scores the cluster when due. */
  ingest(c: ClusterState, f: EventFeatures, newModel: boolean, ts: string): void {
    c.profile.update(f, newModel);
    if (f.text) this.host.tests(c.profile);
    c.sinceEval++;
    const every = Math.min(MAX_EVAL_EVERY, Math.max(1, Math.floor(c.members.length / 8)));
    if (c.sinceEval >= every) this.evaluate(c, ts);
  }

  /** Reasons given to a member account whose verdict comes from its cluster. */
  memberReasons(c: ClusterState): Reason[] {
    const via = [...c.root.via].join(', ');
    const head: Reason = {
      signal: 'cluster',
      value: c.members.length,
      detail: `linked to cluster ${c.id} of ${c.members.length} accounts (${via})`,
    };
    return [head, ...c.reasons.slice(0, 3)];
  }

  private create(root: LinkNode): ClusterState {
    const first = this.host.account(root.id);
    const profile = this.host.newProfile();
    if (first?.profile) profile.absorb(first.profile);
    const c: ClusterState = {
      id: `c_${++this.seq}`,
      root,
      members: first ? [first] : [],
      profile,
      risk: 0,
      peak: 0,
      reasons: [],
      level: 'allow',
      levelTs: first ? new Date(first.lastMs).toISOString() : new Date(0).toISOString(),
      firstAlertTs: null,
      sinceEval: 0,
      payments: new Map(),
      sharedPayments: 0,
    };
    if (first) countPayment(c, first.payment);
    this.byRoot.set(root, c);
    return c;
  }

  private evaluate(c: ClusterState, ts: string): void {
    c.sinceEval = 0;
    if (c.profile.n < this.host.config.minEvents) return;
    const scored = this.host.scorer.profile(c.profile, this.host.context);
    const start = this.host.startMs();
    const views = c.members.map((m) => ({
      events: m.events,
      onsetMs: m.signupMs ?? (m.firstMs - start < LOG_START_MS ? NaN : m.firstMs),
    }));
    for (const s of this.host.scorer.cluster(views)) scored.push(s);
    c.risk = combineRisk(scored);
    if (c.risk <= c.peak) return;

    c.peak = c.risk;
    c.reasons = topReasons(scored);
    const reasons = this.memberReasons(c);
    for (const m of c.members) this.host.raise(m, c.peak, reasons, ts);

    const level = levelFor(c.peak, this.host.config.thresholds);
    if (!above(level, c.level)) return;
    c.level = level;
    c.levelTs = ts;
    if (c.firstAlertTs === null && (level === 'review' || level === 'block')) c.firstAlertTs = ts;
    this.host.emit(this.verdictOf(c));
  }

  /** The verdict record of a cluster. */
  verdictOf(c: ClusterState): ClusterVerdict {
    const v: ClusterVerdict = {
      id: c.id,
      accounts: c.members.map((m) => m.id),
      risk: c.peak,
      verdict: c.level,
      reasons: c.reasons,
      ts: c.levelTs,
    };
    const fps = sharedPayments(c);
    if (fps.length > 0) v.paymentFps = fps;
    return v;
  }
}

function earliest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}
