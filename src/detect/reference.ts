import type { DetectConfig } from './config.js';
import type { EventFeatures } from './features.js';
import type { Profile } from './profile.js';
import type { SignalContext } from './signals/signal.js';
import { BenignReference, mmdAgainst, shapiroFrancia } from './stats.js';

const MMD_EVERY = 64;
const NORMALITY_EVERY = 16;

/**
 * The engine's view of all traffic: tier norms, the benign prompt reference and the spread of
 * the distribution test on low-risk accounts. Also runs the sampled (costly) tests on a
 * profile, every MMD_EVERY or NORMALITY_EVERY prompts, so their cost per event stays small.
 */
export class Reference {
  readonly context: SignalContext;
  private readonly benign = new BenignReference();
  private mmdN = 0;
  private mmdMean = 0;
  private mmdM2 = 0;

  constructor(private readonly config: DetectConfig) {
    const norms = config.tierDailyEvents;
    const fallback = norms.default ?? 2000;
    this.context = {
      tierDailyNorm: (tier) => norms[tier] ?? fallback,
      mmdMean: 0,
      mmdStd: 0,
      minEvents: config.minEvents,
    };
  }

  /** Runs an account's sampled tests and offers its prompt to the benign reference. */
  sample(p: Profile, f: EventFeatures, ownRisk: number): void {
    if (!f.text) return;
    const lowRisk = ownRisk < this.config.benignMaxRisk && p.n >= this.config.minEvents;
    const mmd = this.tests(p);
    if (lowRisk && !Number.isNaN(mmd)) this.addMmd(mmd);
    if (lowRisk) this.benign.offer(f.text.vec);
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
