import { ramp, type Finding, type SignalRule } from '../signals/signal.js';

/** What the cluster signals read about each member account. */
export interface MemberView {
  events: number;
  /** Sign-up time when known, else the first event's time; NaN when neither says anything. */
  onsetMs: number;
}

/** A signal computed over a cluster's members rather than over one profile. */
export interface ClusterSignal {
  id: string;
  weight: number;
  rule: SignalRule;
  evaluate(members: readonly MemberView[]): Finding | null;
}

const MIN_MEMBERS = 5;

/** Even spread of volume over the accounts of a cluster. */
export const loadBalance: ClusterSignal = {
  id: 'load_balanced',
  weight: 0.6,
  rule: {
    title: 'Load-balanced volume across linked accounts',
    measures:
      'The coefficient of variation of event counts over the accounts of a cluster (five or ' +
      'more accounts). Scores from 1.0 (0) down to 0.3 (1).',
    why:
      'A campaign spreads its volume evenly over many accounts to stay under per-account ' +
      'limits; real organisations have a few busy accounts and many quiet ones.',
    falsePositives: 'A company that shards one workload evenly over several accounts or keys.',
    references: [
      'Public reports of 2026 distillation campaigns (about 24,000 accounts behind proxy ' +
        'networks), as summarised in DESIGN.md',
    ],
  },
  evaluate(members) {
    if (members.length < MIN_MEMBERS) return null;
    let mean = 0;
    for (const m of members) mean += m.events / members.length;
    let v = 0;
    for (const m of members) v += (m.events - mean) ** 2 / members.length;
    const cv = Math.sqrt(v) / Math.max(mean, 1e-9);
    return {
      score: ramp(1 - cv, 0, 0.7),
      value: cv,
      detail: () =>
        `volume is spread evenly over ${members.length} linked accounts (CV ${cv.toFixed(2)})`,
    };
  },
};

/** Linked accounts that start within the same hour. */
export const synchronisedOnset: ClusterSignal = {
  id: 'synchronised_onset',
  weight: 0.6,
  rule: {
    title: 'Synchronised onsets',
    measures:
      "The largest share of a cluster's accounts (five or more) that signed up, or first " +
      'appeared, in one hour. First appearances in the first six hours of a log are ignored ' +
      '(every account appears then). Scores from 30% (0) to 80% (1).',
    why:
      'Accounts of one campaign are created and started together by one operator; customers ' +
      'start on their own schedules.',
    falsePositives: 'An organisation onboarding a team of accounts on the same morning.',
    references: [
      'Public reports of 2026 distillation campaigns (about 24,000 accounts behind proxy ' +
        'networks), as summarised in DESIGN.md',
    ],
  },
  evaluate(members) {
    if (members.length < MIN_MEMBERS) return null;
    const counts = new Map<number, number>();
    let best = 0;
    let known = 0;
    for (const m of members) {
      if (Number.isNaN(m.onsetMs)) continue;
      known++;
      const h = Math.floor(m.onsetMs / 3_600_000);
      const c = (counts.get(h) ?? 0) + 1;
      counts.set(h, c);
      best = Math.max(best, c);
    }
    if (known < MIN_MEMBERS) return null;
    const share = best / known;
    return {
      score: ramp(share, 0.3, 0.8),
      value: share,
      detail: () =>
        `${Math.round(share * 100)}% of ${known} linked accounts started within one hour`,
    };
  },
};

/** Number of accounts acting as one. */
export const clusterSize: ClusterSignal = {
  id: 'cluster_size',
  weight: 0.9,
  rule: {
    title: 'Accounts acting as one',
    measures:
      'The number of accounts linked by shared payment fingerprints, networks with clients, ' +
      'sign-up bursts or templates, on a log scale: from 3 (0) to 100 (1) accounts.',
    why:
      'Hydra campaigns run hundreds of accounts so that each stays harmless; the number of ' +
      'accounts sharing infrastructure is itself evidence.',
    falsePositives: 'Enterprises with many sub-accounts on one payment method.',
    references: [
      'Public reports of 2026 distillation campaigns (about 24,000 accounts behind proxy ' +
        'networks), as summarised in DESIGN.md',
    ],
  },
  evaluate(members) {
    if (members.length < 2) return null;
    return {
      score: ramp(Math.log10(members.length), Math.log10(3), 2),
      value: members.length,
      detail: () => `${members.length} accounts share infrastructure and act as one`,
    };
  },
};

/** Every cluster-only signal, in documentation order. */
export const CLUSTER_SIGNALS: readonly ClusterSignal[] = [
  clusterSize,
  loadBalance,
  synchronisedOnset,
];
