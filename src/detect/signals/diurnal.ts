import type { Profile } from '../profile.js';
import { ramp, type Signal, type SignalContext } from './signal.js';

/** Evenness of activity over the 24 hours of the day. */
export const diurnalRhythm: Signal = {
  id: 'diurnal_rhythm',
  weight: 0.7,
  rule: {
    title: 'Missing diurnal rhythm',
    measures:
      "The normalised entropy of the account's events over the 24 hours of the day (1 = " +
      'perfectly flat), read once the account spans 36 hours and 100 events. Scores from ' +
      '0.95 (0) to 0.995 (1). Time zone does not matter: only flatness is measured.',
    why:
      'Traffic that people cause follows a daily curve; harvesting runs at full speed around ' +
      'the clock to collect as much as it can before it is stopped.',
    falsePositives:
      'Services with users in every time zone, and overnight batch pipelines that keep the ' +
      'day even on purpose.',
    references: ['Wang et al., ServeGen: Workload Characterization of LLM Serving, 2025'],
  },
  evaluate(p: Profile, _ctx: SignalContext) {
    if (p.n < 100 || p.lastMs - p.firstMs < 36 * 3_600_000) return null;
    let total = 0;
    for (const c of p.hourOfDay) total += c;
    let entropy = 0;
    for (const c of p.hourOfDay) if (c > 0) entropy -= (c / total) * Math.log(c / total);
    const evenness = entropy / Math.log(24);
    return {
      score: ramp(evenness, 0.95, 0.995),
      value: evenness,
      detail: () =>
        `no daily rhythm: activity is spread evenly over the day (evenness ${evenness.toFixed(3)})`,
    };
  },
};
