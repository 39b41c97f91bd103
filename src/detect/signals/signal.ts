import type { NetStanding } from '../netrep.js';
import type { Profile } from '../profile.js';

/** A signal documented like a detection rule; `docs/signals.md` is generated from these. */
export interface SignalRule {
  title: string;
  /** What the signal measures, and how. */
  measures: string;
  /** Why it points to harvesting. */
  why: string;
  /** Legitimate traffic known to raise it. */
  falsePositives: string;
  references: string[];
}

/** One signal's reading on a profile: a score in [0, 1] and the figure behind it. */
export interface Finding {
  score: number;
  value: number;
  /** The plain-language reason with figures; built only when the finding is reported. */
  detail: () => string;
}

/** What signals may read besides the profile: norms and reference statistics of all traffic. */
export interface SignalContext {
  /** Expected events per day for accounts of a tier. */
  tierDailyNorm(tier: string): number;
  /** Mean and standard deviation of the MMD statistic over low-risk accounts so far. */
  mmdMean: number;
  mmdStd: number;
  /** Share of low-risk traffic's prompts that ask for reasoning or grading (at least 0.5%). */
  benignElicitRate: number;
  /** Accounts seen on, and blocked from, the profile's network with the most blocked accounts. */
  netStanding(p: Profile): NetStanding;
  /** Events a profile needs before behavioural shares are read. */
  minEvents: number;
}

/**
 * A detection signal: reads a profile in constant time and returns a finding, or null when
 * there is not yet enough evidence to say anything.
 */
export interface Signal {
  id: string;
  /** Default weight of the score in the risk sum; `detect.weights.<id>` overrides it. */
  weight: number;
  /** Content signals read the prompts; they count half for batch-shaped traffic (see Scorer). */
  content?: boolean;
  rule: SignalRule;
  evaluate(p: Profile, ctx: SignalContext): Finding | null;
}

/** Linear ramp: 0 at or below `lo`, 1 at or above `hi`. */
export function ramp(x: number, lo: number, hi: number): number {
  if (!(x > lo)) return 0;
  if (x >= hi) return 1;
  return (x - lo) / (hi - lo);
}

/** A share as a whole percentage for reason texts. */
export function pct(share: number): string {
  return `${Math.round(share * 100)}%`;
}
