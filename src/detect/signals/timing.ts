import type { Profile } from '../profile.js';
import { ramp, type Signal, type SignalContext } from './signal.js';

/** Spread of the account's inter-arrival gaps on a log scale. */
export const timingRegularity: Signal = {
  id: 'timing_regularity',
  weight: 1.0,
  rule: {
    title: 'Timing regularity',
    measures:
      'Events less than five seconds apart are merged into one burst (concurrency, a batch); ' +
      'the signal is the weighted standard deviation of the log intervals between burst ' +
      'starts, after 20 of them. Random (Poisson) arrivals give about 0.9 once the short ' +
      'intervals are merged; bursty human and batch traffic more; a fixed-rate script close ' +
      'to 0. Scores from 0.8 (0) down to 0.4 (1).',
    why:
      'Harvesting scripts pace themselves to stay under limits, so requests arrive at a steady ' +
      'rate. People and product traffic arrive in bursts.',
    falsePositives:
      'Health checks and cron-driven jobs with a fixed interval; a queue worker draining at a ' +
      'constant rate.',
    references: [
      'Juuti et al., PRADA: Protecting Against DNN Model Stealing Attacks, EuroS&P 2019 ' +
        '(on the timing evasion it discusses)',
    ],
  },
  evaluate(p: Profile, _ctx: SignalContext) {
    const spread = p.gapLogStd();
    if (Number.isNaN(spread)) return null;
    return {
      score: ramp(0.8 - spread, 0, 0.4),
      value: spread,
      detail: () =>
        `requests arrive at a machine-regular pace (log-gap spread ${spread.toFixed(2)})`,
    };
  },
};
