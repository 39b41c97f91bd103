import type { DetectConfig } from './config.js';
import type { EventFeatures } from './features.js';
import type { Profile } from './profile.js';
import type { SignalContext } from './signals/signal.js';
import { hash32, Rng } from './hash.js';
import { NetReputation } from './netrep.js';
import { BenignReference, mmdAgainst, shapiroFrancia } from './stats.js';

const MMD_EVERY = 64;
const DAY_SAMPLES = 256;
const NORMALITY_EVERY = 16;
/** Floor of the benign elicitation rate, so a quiet start cannot make every prompt count. */
const MIN_ELICIT_RATE = 0.005;

/** A reservoir of per-account event counts of one tier, with its cached 90th percentile. */
interface Sample {
  vals: Float64Array;
  count: number;
  seen: number;
  norm: number;
  since: number;
  /** Accounts that contributed, counted up to MIN_HOUR_ACCOUNTS. */
  accounts: Set<string>;
}

/** Accounts whose hours a tier's hourly norm needs, so one busy account cannot set its own. */
const MIN_HOUR_ACCOUNTS = 10;

/**
 * The engine's view of all traffic: tier norms, the benign prompt reference and the spread of
 * the distribution test on low-risk accounts. Also runs the sampled (costly) tests on a
 * profile, every MMD_EVERY or NORMALITY_EVERY prompts, so their cost per event stays small.
 */
export class Reference {
  readonly context: SignalContext;
  private readonly benign = new BenignReference();
  private readonly nets = new NetReputation();
  private mmdN = 0;
  private mmdMean = 0;
  private mmdM2 = 0;
  private benignText = 0;
  private benignElicit = 0;
  private readonly days = new Map<string, Sample>();
  private readonly hours = new Map<string, Sample>();
  private readonly dayRng = new Rng(0xda75);

  constructor(private readonly config: DetectConfig) {
    const norms = config.tierDailyEvents;
    const fallback = norms.default ?? 2000;
    this.context = {
      tierDailyNorm: (tier) => norms[tier] ?? this.learned(tier) ?? fallback,
      mmdMean: 0,
      mmdStd: 0,
      benignElicitRate: MIN_ELICIT_RATE,
      netStanding: (p) => this.nets.worst(p),
      minEvents: config.minEvents,
    };
  }

  /** Runs an account's sampled tests and offers its prompt to the benign reference. */
  sample(p: Profile, f: EventFeatures, ownRisk: number): void {
    if (!f.text) return;
    const lowRisk = ownRisk < this.config.benignMaxRisk && p.n >= this.config.minEvents;
    const mmd = this.tests(p);
    if (lowRisk && !Number.isNaN(mmd)) this.addMmd(mmd);
    if (!lowRisk) return;
    this.benign.offer(f.text.vec);
    this.benignText++;
    if (f.text.cot || f.text.rubric) this.benignElicit++;
    if (this.benignText % 64 === 0) {
      this.context.benignElicitRate = Math.max(
        MIN_ELICIT_RATE,
        this.benignElicit / this.benignText,
      );
    }
  }

  /** Runs the sampled tests on a profile after a prompt; returns a fresh MMD value or NaN. */
  tests(p: Profile): number {
    if (p.nText % NORMALITY_EVERY === 0 && p.ringCount >= 24) {
      p.normality = shapiroFrancia(p.minDist);
    }
    if (p.sinceMmd < MMD_EVERY || p.ringCount < 32 || !this.benign.ready()) return NaN;
    p.sinceMmd = 0;
    p.mmd = mmdAgainst(p, this.benign);
    return p.mmd;
  }

  /** Counts an account on the network of its event when the event showed it a new one. */
  noteNetwork(f: EventFeatures, netsBefore: number, p: Profile): void {
    if (!f.net || p.netCount === netsBefore || netsBefore >= p.nets.length) return;
    this.nets.seen(hash32(f.net));
  }

  /** Counts a newly blocked account on its networks. */
  noteBlocked(p: Profile): void {
    this.nets.block(p);
  }

  /** Records the events an account of `tier` sent on one closed day. */
  addDay(tier: string, events: number): void {
    this.add(this.days, tier, events);
  }

  /** Records the events `account` (of `tier`) sent in one closed hour with traffic. */
  addHour(tier: string, events: number, account: string): void {
    const r = this.add(this.hours, tier, events);
    if (r.accounts.size < MIN_HOUR_ACCOUNTS) r.accounts.add(account);
  }

  private add(book: Map<string, Sample>, tier: string, events: number): Sample {
    let r = book.get(tier);
    if (!r) {
      const vals = new Float64Array(DAY_SAMPLES);
      r = { vals, count: 0, seen: 0, norm: NaN, since: 0, accounts: new Set() };
      book.set(tier, r);
    }
    r.seen++;
    r.since++;
    if (r.count < DAY_SAMPLES) r.vals[r.count++] = events;
    else {
      const j = Math.floor(this.dayRng.next() * r.seen);
      if (j < DAY_SAMPLES) r.vals[j] = events;
    }
    return r;
  }

  /**
   * The learned norm of a tier: the 90th percentile of its account-days once 30 are seen;
   * before that (the first day of traffic), 24 times the 90th percentile of its active
   * account-hours once 30 are seen from at least MIN_HOUR_ACCOUNTS accounts.
   */
  private learned(tier: string): number | undefined {
    const day = percentile90(this.days.get(tier));
    if (day !== undefined) return day;
    const hours = this.hours.get(tier);
    if (!hours || hours.accounts.size < MIN_HOUR_ACCOUNTS) return undefined;
    const hour = percentile90(hours);
    return hour === undefined ? undefined : 24 * hour;
  }

  private addMmd(x: number): void {
    this.mmdN++;
    const d = x - this.mmdMean;
    this.mmdMean += d / this.mmdN;
    this.mmdM2 += d * (x - this.mmdMean);
    if (this.mmdN < 20) return;
    this.context.mmdMean = this.mmdMean;
    this.context.mmdStd = Math.sqrt(this.mmdM2 / (this.mmdN - 1));
  }
}

/** The cached 90th percentile of a sample, recomputed after 16 additions; none below 30. */
function percentile90(r: Sample | undefined): number | undefined {
  if (!r || r.count < 30) return undefined;
  if (Number.isNaN(r.norm) || r.since >= 16) {
    const sorted = Array.from(r.vals.subarray(0, r.count)).sort((a, b) => a - b);
    r.norm = Math.max(1, sorted[Math.floor(0.9 * (sorted.length - 1))]);
    r.since = 0;
  }
  return r.norm;
}
