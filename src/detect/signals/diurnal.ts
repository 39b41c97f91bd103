import type { Profile } from '../profile.js';
import { ramp, type Signal, type SignalContext } from './signal.js';

/** Strength of the daily rhythm of an account's activity. */
export const diurnalRhythm: Signal = {
  id: 'diurnal_rhythm',
  weight: 0.7,
  rule: {
    title: 'Missing diurnal rhythm',
    measures:
      "The amplitude of the account's daily rhythm: from the chi-square statistic X2 of its " +
      'events over the 24 hours of the day against a flat day, A = sqrt(max(0, X2 - 23) / n), ' +
      'which removes the Poisson noise expected of a flat day and does not grow with volume. ' +
      'Read once the account spans 24 hours and 100 events; A scores from 0.45 (0) down to ' +
      '0.15 (1). Time zone does not matter: only the shape is measured.',
    why:
      'Traffic that people cause follows a daily curve; harvesting runs at full speed around ' +
      'the clock to collect as much as it can before it is stopped.',
    falsePositives:
      'Services with users in every time zone, and overnight batch pipelines that keep the ' +
      'day even on purpose. Mimics that add a daily curve evade it.',
    references: ['ServeGen: workload characterisation of LLM serving, Alibaba, 2025'],
  },
  evaluate(p: Profile, _ctx: SignalContext) {
    if (p.n < 100 || p.lastMs - p.firstMs < 24 * 3_600_000) return null;
    let total = 0;
    for (const c of p.hourOfDay) total += c;
    const expected = total / 24;
    let chi = 0;
    for (const c of p.hourOfDay) chi += (c - expected) ** 2 / expected;
    const amplitude = Math.sqrt(Math.max(0, chi - 23) / total);
    return {
      score: ramp(0.45 - amplitude, 0, 0.3),
      value: amplitude,
      detail: () =>
        `no daily rhythm: activity is nearly flat over the day (amplitude ${amplitude.toFixed(2)})`,
    };
  },
};
