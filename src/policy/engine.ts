import type { Logger } from 'pino';
import type { Decider, Decision } from '../core/decision.js';
import { newId } from '../core/ids.js';
import { log as processLog } from '../core/log.js';
import type { AccountVerdict, ClusterVerdict, VerdictLevel } from '../core/verdict.js';
import type { PolicyConfig } from './config.js';
import { actionsFor, buildDecision, tierPolicy } from './decisions.js';
import { initialState, maxLevel, observe, rank, relaxIfDue, type LevelState } from './levels.js';
import { PaymentIndex } from './payment-index.js';
import { MemoryRecords, type AuditEntry, type Override, type PolicyRecords } from './records.js';

/** Where a verdict or override came from: this replica, or another one through the fleet bus. */
export type Origin = 'local' | 'remote';

/** What the engine tells listeners (webhooks, the fleet bus) after each change it records. */
export interface PolicyChange {
  kind: 'escalated' | 'relaxed' | 'joined' | 'override' | 'reset';
  entry: AuditEntry;
}

/** Anything that changes the engine's state; the fleet bus carries these between replicas. */
export type PolicyInput =
  | { type: 'verdict'; verdict: AccountVerdict | ClusterVerdict }
  | { type: 'override'; override: Override }
  | { type: 'unoverride'; account: string; by: string }
  | { type: 'reset'; account: string; by: string; cluster?: string };

interface Subject extends LevelState {
  origin: Origin;
}

interface ClusterSubject extends Subject {
  accounts: string[];
  /** Payment fingerprints its accounts share, from its latest verdict. */
  paymentFps: string[];
}

/** What the admin API shows for one account. */
export interface AccountView {
  account: string;
  tier?: string;
  level: VerdictLevel;
  risk: number;
  cluster?: string;
  clusterLevel?: VerdictLevel;
  override?: Override;
  decision: Decision;
}

/**
 * The policy engine: keeps the enforced level of every account and cluster (with hysteresis)
 * and the analysts' overrides in memory, and answers `decide` in constant time from them.
 * Verdicts arrive off the request path; every change is audited and, when the level's actions
 * include `review`, queued for an analyst.
 */
export class PolicyEngine implements Decider {
  readonly records: PolicyRecords;
  private readonly accounts = new Map<string, Subject>();
  private readonly clusters = new Map<string, ClusterSubject>();
  private readonly membership = new Map<string, string>();
  /** Payment fingerprints of clusters above `allow`, for accounts not yet linked. */
  private readonly payments = new PaymentIndex();
  private readonly overrides = new Map<string, Override>();
  private readonly tiers = new Map<string, string>();
  /** Decisions by tier, then by level rank; the common case, without an override. */
  private readonly cache = new Map<string, Decision[]>();
  private readonly overridden = new Map<string, Decision>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly listeners: ((change: PolicyChange) => void)[] = [];
  private readonly inputListeners: ((input: PolicyInput) => void)[] = [];
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(
    readonly config: PolicyConfig,
    options: { records?: PolicyRecords; now?: () => number; logger?: Logger } = {},
  ) {
    this.records = options.records ?? new MemoryRecords();
    this.now = options.now ?? Date.now;
    this.log = options.logger ?? processLog;
  }

  /**
   * The decision for one request, in constant time; the returned object is frozen. An account
   * in no cluster whose payment fingerprint (`paymentFp`, from a trusted header) is shared by
   * the accounts of a cluster above `allow` joins that cluster here and gets its decision on
   * this very request, before the detector has seen any of its events.
   */
  decide(account: string, tier: string, paymentFp?: string): Decision {
    const override = this.overrides.size > 0 ? this.overrides.get(account) : undefined;
    const pinned = override?.kind === 'tier' ? override.tier : undefined;
    const effectiveTier = pinned ?? tier;
    if (this.tiers.get(account) !== effectiveTier) this.tiers.set(account, effectiveTier);
    if (paymentFp && this.payments.size > 0) this.joinByPayment(account, paymentFp);
    const level = this.levelOf(account, this.now());

    if (override) {
      const key = `${effectiveTier}\u0000${level}\u0000${override.kind}\u0000${override.level}`;
      let hit = this.overridden.get(key);
      if (!hit) {
        hit = this.build(effectiveTier, level, override, pinned);
        this.overridden.set(key, hit);
      }
      return hit;
    }

    let row = this.cache.get(effectiveTier);
    if (!row) {
      row = [];
      this.cache.set(effectiveTier, row);
    }
    return (row[rank(level)] ??= this.build(effectiveTier, level));
  }

  private build(tier: string, level: VerdictLevel, override?: Override, pinned?: string) {
    const { actions, rule } = actionsFor(this.config, tier, level, override);
    return buildDecision(this.config, actions, rule, pinned);
  }

  /** Folds a verdict from the detector (or another replica) into the account or cluster. */
  applyVerdict(verdict: AccountVerdict | ClusterVerdict, origin: Origin = 'local'): void {
    if (origin === 'local') this.shareInput({ type: 'verdict', verdict });
    if ('accounts' in verdict) {
      this.applyCluster(verdict, origin);
      return;
    }

    if (verdict.cluster) this.join(verdict.account, verdict.cluster, origin);
    const state = this.accounts.get(verdict.account) ?? { ...initialState(), origin };
    this.accounts.set(verdict.account, state);
    state.origin = origin;

    const tier = this.tiers.get(verdict.account) ?? 'default';
    const { thresholds } = tierPolicy(this.config, tier);
    const t = observe(state, verdict, thresholds, this.config.relaxMargin, this.now());
    if (t) this.recordAccount(verdict.account, 'escalated', 'engine', origin);
  }

  /** Sets an analyst's override; it takes effect on the next request. */
  setOverride(override: Override, origin: Origin = 'local'): void {
    this.overrides.set(override.account, override);
    if (origin === 'remote') return;
    this.shareInput({ type: 'override', override });

    this.track(this.records.putOverride(override));
    this.recordAccount(
      override.account,
      'override',
      override.by,
      origin,
      `override:${override.kind}`,
    );
  }

  /** Removes an account's override; false when it had none. */
  removeOverride(account: string, by: string, origin: Origin = 'local'): boolean {
    const had = this.overrides.delete(account);
    if (!had || origin === 'remote') return had;
    this.shareInput({ type: 'unoverride', account, by });

    this.track(this.records.deleteOverride(account));
    this.recordAccount(account, 'override', by, origin, 'override:removed');
    return true;
  }

  /** Puts an account back to `allow` (an analyst dismissed its alert as a false positive). */
  reset(account: string, by: string, origin: Origin = 'local'): void {
    const state = this.accounts.get(account);
    if (state) Object.assign(state, initialState(state.ts), { origin });
    if (origin === 'local') this.shareInput({ type: 'reset', account, by });
    this.recordAccount(account, 'reset', by, origin, 'analyst:reset');
  }

  /** Puts a cluster back to `allow` (its alert was dismissed); its members keep their own level. */
  resetCluster(id: string, by: string, origin: Origin = 'local'): void {
    const state = this.clusters.get(id);
    if (!state) return;
    Object.assign(state, initialState(state.ts), { origin });
    this.payments.remove(id);
    if (origin === 'local') this.shareInput({ type: 'reset', account: '*', cluster: id, by });
    this.recordCluster(id, 'reset', by);
  }

  /** Registers a listener for every recorded change (webhooks, metrics). */
  onChange(listener: (change: PolicyChange) => void): void {
    this.listeners.push(listener);
  }

  /** Registers a listener for every local input, which the fleet bus sends to other replicas. */
  onInput(listener: (input: PolicyInput) => void): void {
    this.inputListeners.push(listener);
  }

  /** Applies an input received from another replica, without recording it again. */
  applyRemote(input: PolicyInput): void {
    if (input.type === 'verdict') this.applyVerdict(input.verdict, 'remote');
    else if (input.type === 'override') this.setOverride(input.override, 'remote');
    else if (input.type === 'unoverride') this.removeOverride(input.account, input.by, 'remote');
    else if (input.cluster) this.resetCluster(input.cluster, input.by, 'remote');
    else this.reset(input.account, input.by, 'remote');
  }

  /** Loads the stored overrides (at start-up). */
  async loadOverrides(): Promise<void> {
    for (const o of await this.records.listOverrides()) this.overrides.set(o.account, o);
  }

  /**
   * Puts back the levels that the latest audit entries record (at start-up), so a restart does
   * not lift a block or a review before the detector reaches its verdict again. Nothing is
   * recorded or sent: the entries already were. Evidence arriving later moves the levels on
   * as usual, with the relax period counted from then. Returns what was restored.
   */
  async restoreLevels(): Promise<{ accounts: number; clusters: number }> {
    const entries = await this.records.latestAudit();
    let clusters = 0;
    for (const e of entries) {
      if (e.account !== '*' || !e.cluster || e.verdict === 'allow') continue;
      const members = e.accounts ?? [];
      const paymentFps = e.paymentFps ?? [];
      this.clusters.set(e.cluster, { ...restored(e, e.verdict), accounts: members, paymentFps });
      this.payments.set(e.cluster, paymentFps);
      for (const account of members) this.membership.set(account, e.cluster);
      clusters++;
    }

    let accounts = 0;
    for (const e of entries) {
      if (e.account === '*') continue;
      if (e.cluster) this.membership.set(e.account, e.cluster);
      const level = e.own ?? e.verdict;
      if (level === 'allow') continue;
      this.accounts.set(e.account, restored(e, level));
      accounts++;
    }
    if (accounts + clusters > 0) this.log.info({ accounts, clusters }, 'policy levels restored');
    return { accounts, clusters };
  }

  /** Relaxes every account and cluster that is due; the request path does this lazily too. */
  sweep(): void {
    const now = this.now();
    for (const account of this.accounts.keys()) this.levelOf(account, now);
  }

  /** Waits for the record writes queued so far. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** The admin view of one account, or undefined if the engine knows nothing about it. */
  view(account: string): AccountView | undefined {
    const state = this.accounts.get(account);
    const cluster = this.membership.get(account);
    const override = this.overrides.get(account);
    const tier = this.tiers.get(account);
    if (!state && !cluster && !override && !tier) return undefined;

    const level = this.levelOf(account, this.now());
    return {
      account,
      tier,
      level,
      risk: state?.risk ?? 0,
      cluster,
      clusterLevel: cluster ? this.clusters.get(cluster)?.level : undefined,
      override,
      decision: this.decide(account, tier ?? 'default'),
    };
  }

  /** Every account the engine holds state for. */
  accountIds(): string[] {
    return [
      ...new Set([...this.accounts.keys(), ...this.membership.keys(), ...this.overrides.keys()]),
    ];
  }

  /** Every cluster with its enforced level. */
  clusterViews(): { id: string; accounts: string[]; level: VerdictLevel; risk: number }[] {
    return [...this.clusters.entries()].map(([id, c]) => ({
      id,
      accounts: c.accounts,
      level: c.level,
      risk: c.risk,
    }));
  }

  /** The stored overrides, for the admin API. */
  overrideList(): Override[] {
    return [...this.overrides.values()];
  }

  private levelOf(account: string, now: number): VerdictLevel {
    const relaxMs = this.config.relaxAfterS * 1000;
    let level: VerdictLevel = 'allow';

    const state = this.accounts.get(account);
    if (state) {
      if (relaxIfDue(state, now, relaxMs)) {
        this.recordAccount(account, 'relaxed', 'engine', state.origin);
      }
      level = state.level;
    }

    const clusterId = this.membership.get(account);
    const cluster = clusterId ? this.clusters.get(clusterId) : undefined;
    if (cluster) {
      if (relaxIfDue(cluster, now, relaxMs)) {
        if (cluster.level === 'allow') this.payments.remove(clusterId!);
        this.recordCluster(clusterId!, 'relaxed');
      }
      level = maxLevel(level, cluster.level);
    }
    return level;
  }

  private applyCluster(verdict: ClusterVerdict, origin: Origin): void {
    const state = this.clusters.get(verdict.id) ?? {
      ...initialState(),
      origin,
      accounts: [],
      paymentFps: [],
    };
    this.clusters.set(verdict.id, state);
    state.origin = origin;
    state.accounts = verdict.accounts;
    state.paymentFps = verdict.paymentFps ?? [];

    const { thresholds } = tierPolicy(this.config, 'default');
    const t = observe(state, verdict, thresholds, this.config.relaxMargin, this.now());
    if (state.level === 'allow') this.payments.remove(verdict.id);
    else this.payments.set(verdict.id, state.paymentFps);
    if (t) this.recordCluster(verdict.id, 'escalated');
    for (const account of verdict.accounts) this.join(account, verdict.id, origin);
  }

  /** Joins an account in no cluster to the enforced cluster that shares its payment. */
  private joinByPayment(account: string, paymentFp: string): void {
    if (this.membership.has(account)) return;
    const clusterId = this.payments.clusterOf(paymentFp);
    if (clusterId !== undefined) this.join(account, clusterId, 'local', '/payment');
  }

  private join(account: string, clusterId: string, origin: Origin, via = ''): void {
    if (this.membership.get(account) === clusterId) return;
    this.membership.set(account, clusterId);

    const cluster = this.clusters.get(clusterId);
    if (cluster && cluster.level !== 'allow') {
      this.recordAccount(
        account,
        'joined',
        'engine',
        origin,
        `cluster:${clusterId}/${cluster.level}${via}`,
      );
    }
  }

  private recordAccount(
    account: string,
    kind: PolicyChange['kind'],
    by: string,
    origin: Origin,
    ruleOverride?: string,
  ): void {
    if (origin === 'remote') return;

    const state = this.accounts.get(account);
    const tier = this.tiers.get(account) ?? 'default';
    const level = this.levelOf(account, this.now());
    const { actions, rule } = actionsFor(this.config, tier, level, this.overrides.get(account));
    const entry: AuditEntry = {
      id: newId('aud', this.now()),
      ts: new Date(this.now()).toISOString(),
      account,
      cluster: this.membership.get(account),
      verdict: level,
      risk: state?.risk ?? 0,
      reasons: state?.reasons ?? [],
      rule: ruleOverride ?? rule,
      actions,
      by,
      own: state?.level ?? 'allow',
    };
    this.emit(kind, entry);
  }

  private recordCluster(id: string, kind: PolicyChange['kind'], by = 'engine'): void {
    const cluster = this.clusters.get(id);
    if (!cluster || cluster.origin === 'remote') return;

    const { actions } = actionsFor(this.config, 'default', cluster.level);
    const entry: AuditEntry = {
      id: newId('aud', this.now()),
      ts: new Date(this.now()).toISOString(),
      account: '*',
      cluster: id,
      verdict: cluster.level,
      risk: cluster.risk,
      reasons: cluster.reasons,
      rule: `cluster:${id}/${cluster.level}`,
      actions,
      by,
      accounts: cluster.accounts,
    };
    if (cluster.paymentFps.length > 0) entry.paymentFps = cluster.paymentFps;
    this.emit(kind, entry);
  }

  private emit(kind: PolicyChange['kind'], entry: AuditEntry): void {
    this.log.info(
      { account: entry.account, cluster: entry.cluster, rule: entry.rule, kind },
      'policy change',
    );
    this.track(this.records.addAudit(entry));
    if (kind === 'escalated' && entry.actions.includes('review')) {
      this.track(
        this.records.addReview({ ...entry, id: newId('rev', this.now()), status: 'open' }),
      );
    }
    for (const listener of this.listeners) listener({ kind, entry });
  }

  private shareInput(input: PolicyInput): void {
    for (const listener of this.inputListeners) listener(input);
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch((err: unknown) =>
      this.log.error({ err }, 'policy record write failed'),
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }
}

/** The level state an audit entry describes, as this replica's own. */
function restored(entry: AuditEntry, level: VerdictLevel): Subject {
  return {
    ...initialState(entry.ts),
    level,
    risk: entry.risk,
    reasons: entry.reasons,
    origin: 'local',
  };
}
