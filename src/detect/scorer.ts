import type { DetectConfig } from './config.js';
import { CLUSTER_SIGNALS, type MemberView } from './link/cluster-signals.js';
import { Ew, type Profile } from './profile.js';
import type { Scored } from './risk.js';
import { SIGNALS } from './signals/index.js';
import type { SignalContext } from './signals/signal.js';

/**
 * How much less prompt content counts when every event of the account arrives inside a burst
 * (under five seconds after the previous one). Batch jobs (evaluation runs, classification
 * passes) are templated by design and run as fast as they can; harvesting that must last
 * paces itself to stay under limits, and is caught by volume when it does not.
 */
const BATCH_DISCOUNT = 0.5;

/**
 * Runs the signals over a profile (and, for a cluster, the cluster signals over its members),
 * applying the configured weights.
 */
export class Scorer {
  private readonly weights: Map<string, number>;

  constructor(config: DetectConfig) {
    this.weights = new Map();
    for (const s of SIGNALS) this.weights.set(s.id, config.weights[s.id] ?? s.weight);
    for (const s of CLUSTER_SIGNALS) this.weights.set(s.id, config.weights[s.id] ?? s.weight);
  }

  /** Every finding of the per-profile signals on `p`. */
  profile(p: Profile, ctx: SignalContext): Scored[] {
    const out: Scored[] = [];
    const pacing = 1 - BATCH_DISCOUNT * p.share(Ew.Burst);
    for (const s of SIGNALS) {
      const f = s.evaluate(p, ctx);
      if (!f) continue;
      const weight = (this.weights.get(s.id) ?? 0) * (s.content ? pacing : 1);
      out.push({ signal: s.id, finding: f, contribution: f.score * weight });
    }
    return out;
  }

  /** Every finding of the cluster-only signals over a cluster's members. */
  cluster(members: readonly MemberView[]): Scored[] {
    const out: Scored[] = [];
    for (const s of CLUSTER_SIGNALS) {
      const f = s.evaluate(members);
      if (!f) continue;
      out.push({ signal: s.id, finding: f, contribution: f.score * (this.weights.get(s.id) ?? 0) });
    }
    return out;
  }
}
