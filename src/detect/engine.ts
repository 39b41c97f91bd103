import type { Detector } from '../core/detector.js';
import type { MoatEvent } from '../core/event.js';
import type { AccountVerdict, ClusterVerdict, Reason, Report } from '../core/verdict.js';
import { Clusters } from './clusters.js';
import { DEFAULT_DETECT_CONFIG, type DetectConfig } from './config.js';
import { extractFeatures, type EventFeatures } from './features.js';
import { Linker } from './link/linker.js';
import { linkNode } from './link/union.js';
import { Profile } from './profile.js';
import { buildReport } from './report.js';
import { above, combineRisk, levelFor, topReasons } from './risk.js';
import { Scorer } from './scorer.js';
import { newAccount, type AccountState } from './state.js';
import { Reference } from './reference.js';
import type { SignalContext } from './signals/signal.js';

const DAY_MS = 86_400_000;
const SWEEP_EVERY = 4096;
/** Accounts are scored after each of their first EVAL_ALWAYS events, then every EVAL_EVERY. */
const EVAL_ALWAYS = 50;
const EVAL_EVERY = 4;

/** Options of the detection engine. */
export interface EngineOptions {
  /** Settings; missing keys take DEFAULT_DETECT_CONFIG values. */
  config?: Partial<DetectConfig>;
  /** Called when an idle account's state is dropped, with its summary, for the store. */
  onEvict?: (account: AccountVerdict & { events: number }) => void;
}

/** Listener of verdict changes. */
export type VerdictListener = (v: AccountVerdict | ClusterVerdict) => void;

/**
 * The streaming detection engine. Feed it events in time order; it keeps bounded state per
 * account and per cluster, scores both with the signals after every event, and reports a
 * verdict change as soon as it happens. Live and offline runs use this same class.
 */
export class DetectionEngine implements Detector {
  readonly config: DetectConfig;
  readonly accounts = new Map<string, AccountState>();
  private readonly active = new Map<string, AccountState>();
  private readonly listeners: VerdictListener[] = [];
  private readonly scorer: Scorer;
  private readonly linker: Linker;
  private readonly clusters: Clusters;
  private readonly reference: Reference;
  private readonly releases = new Map<string, number>();
  private readonly modelFirst = new Map<string, number>();
  private readonly decay: number;
  private events = 0;
  private startMs = NaN;
  /** ISO time of the event being ingested. */
  private eventTs = '';

  constructor(private readonly options: EngineOptions = {}) {
    this.config = { ...DEFAULT_DETECT_CONFIG, ...options.config };
    this.decay = Math.pow(0.5, 1 / this.config.windowEvents);
    this.scorer = new Scorer(this.config);
    this.reference = new Reference(this.config);
    for (const [model, ts] of Object.entries(this.config.modelReleases)) {
      this.releases.set(model, Date.parse(ts));
    }
    this.clusters = new Clusters({
      config: this.config,
      scorer: this.scorer,
      context: this.reference.context,
      newProfile: () => new Profile(this.decay),
      account: (id) => this.accounts.get(id),
      emit: (v) => this.emit(v),
      raise: (a, risk, reasons, ts) => this.raise(a, risk, reasons, ts),
      tests: (p) => void this.reference.tests(p),
      startMs: () => this.startMs,
    });
    this.linker = new Linker(this.config.linkMaxBucket, (root, absorbed) =>
      this.clusters.unite(root, absorbed, this.eventTs),
    );
  }

  /** Updates state with one event (events must come in time order). */
  ingest(event: MoatEvent): void {
    this.ingestFeatures(extractFeatures(event), event.ts);
  }

  /** Updates state with already extracted features; `ts` is the event's ISO time. */
  ingestFeatures(f: EventFeatures, ts: string): void {
    if (Number.isNaN(f.tsMs)) return;
    this.events++;
    this.eventTs = ts;
    if (Number.isNaN(this.startMs)) this.startMs = f.tsMs;

    const acct = this.touch(f);
    const p = acct.profile as Profile;
    const newModel = this.isNewModel(f.model, f.tsMs);
    const netsBefore = p.netCount;
    p.update(f, newModel);
    this.reference.noteNetwork(f, netsBefore, p);
    if (p.closedDay >= 0) {
      this.reference.addDay(p.tier, p.closedDay);
      p.closedDay = -1;
    }
    if (p.closedHour >= 0) {
      this.reference.addHour(p.tier, p.closedHour, acct.id);
      p.closedHour = -1;
    }
    acct.events++;
    if (f.tsMs > acct.lastMs) acct.lastMs = f.tsMs;
    this.reference.sample(p, f, acct.ownRisk);

    if (this.config.link) this.linker.observe(acct, f, p);
    const cluster = this.clusters.of(acct);
    if (cluster) this.clusters.ingest(cluster, f, newModel, ts);

    if (acct.events <= EVAL_ALWAYS || acct.events % EVAL_EVERY === 0) {
      const scored = this.scorer.profile(p, this.reference.context);
      acct.ownRisk = combineRisk(scored);
      if (acct.ownRisk > acct.peak) this.raise(acct, acct.ownRisk, topReasons(scored), ts);
    }
    if (cluster && cluster.peak > acct.peak) {
      this.raise(acct, cluster.peak, this.clusters.memberReasons(cluster), ts);
    }

    if (this.events % SWEEP_EVERY === 0) this.sweep(f.tsMs);
  }

  /** The current verdict of an account, or undefined if never seen. Constant time. */
  verdict(account: string): AccountVerdict | undefined {
    const a = this.accounts.get(account);
    if (!a) return undefined;
    return {
      account: a.id,
      risk: a.peak,
      verdict: a.level,
      cluster: this.clusters.of(a)?.id,
      reasons: a.reasons,
      ts: a.levelTs,
    };
  }

  /** Registers a listener for verdict level changes of accounts and clusters. */
  onVerdict(listener: VerdictListener): void {
    this.listeners.push(listener);
  }

  /** The `moat.report.v1` view of everything ingested so far. */
  report(): Report {
    return buildReport(this.events, this.accounts.values(), this.clusters);
  }

  /** What signals read besides a profile (tier norms, reference statistics), for tools. */
  get signalContext(): SignalContext {
    return this.reference.context;
  }

  /** Counts for benchmarks and health: events, accounts, active accounts, clusters. */
  stats(): { events: number; accounts: number; active: number; clusters: number } {
    return {
      events: this.events,
      accounts: this.accounts.size,
      active: this.active.size,
      clusters: this.clusters.count(),
    };
  }

  private touch(f: EventFeatures): AccountState {
    let acct = this.accounts.get(f.account);
    if (!acct) {
      const profile = new Profile(this.decay);
      const node = linkNode(f.account);
      acct = newAccount(f.account, node, profile, f.tsMs, f.signupMs, f.payment);
      this.accounts.set(f.account, acct);
    } else {
      if (!acct.profile) acct.profile = new Profile(this.decay);
      if (!acct.payment && f.payment) {
        acct.payment = f.payment;
        this.clusters.notePayment(acct);
      }
    }
    this.active.delete(f.account);
    this.active.set(f.account, acct);
    return acct;
  }

  private isNewModel(model: string, ms: number): boolean {
    let release = this.releases.get(model);
    if (release === undefined) {
      let first = this.modelFirst.get(model);
      if (first === undefined) {
        first = ms;
        this.modelFirst.set(model, ms);
      }
      if (first - this.startMs < DAY_MS) return false;
      release = first;
    }
    return ms >= release && ms - release < DAY_MS;
  }

  /** Raises an account's peak risk and level (levels never fall without an override). */
  private raise(a: AccountState, risk: number, reasons: Reason[], ts: string): void {
    if (risk > a.peak) {
      a.peak = risk;
      a.reasons = reasons;
    }
    const level = levelFor(a.peak, this.config.thresholds);
    if (!above(level, a.level)) return;

    a.level = level;
    a.levelTs = ts;
    if (level === 'block' && a.profile) this.reference.noteBlocked(a.profile as Profile);
    if (a.firstAlertTs === null && (level === 'review' || level === 'block')) {
      a.firstAlertTs = ts;
      a.eventsBeforeAlert = a.events;
    }
    this.emit(this.verdict(a.id) as AccountVerdict);
  }

  private emit(v: AccountVerdict | ClusterVerdict): void {
    for (const l of this.listeners) l(v);
  }

  /** Drops the profiles of accounts idle longer than the TTL (oldest first). */
  private sweep(nowMs: number): void {
    const limit = nowMs - this.config.idleTtlS * 1000;
    for (const a of this.active.values()) {
      if (a.lastMs >= limit) break;
      a.profile = null;
      this.active.delete(a.id);
      if (this.options.onEvict) {
        this.options.onEvict({ ...(this.verdict(a.id) as AccountVerdict), events: a.events });
      }
    }
  }
}
