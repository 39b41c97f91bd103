import type { Profile } from '../profile.js';
import { pct, ramp, type Signal, type SignalContext } from './signal.js';

/** Daily volume against the tier's norm, and the share of hours the account is active. */
export const volumeDuty: Signal = {
  id: 'volume_duty',
  weight: 0.5,
  rule: {
    title: 'Volume and duty cycle against the tier norm',
    measures:
      "Events in the last 24 hours divided by the tier's norm: `detect.tier_daily_events` " +
      "when set for the tier, else the 90th percentile of the tier's account-days seen so far " +
      '(once 30 days are closed), else 24 times the 90th percentile of its active account-hours ' +
      '(once 30 are closed from at least 10 accounts: the first day of traffic), else 2,000. ' +
      'Scores from 3x (0) to 30x (1). The duty cycle (share of ' +
      'hours with traffic over the last week) is reported beside it but not scored: busy ' +
      'products are active every hour too, and flatness is measured by diurnal_rhythm.',
    why:
      'Harvesting needs many answers: campaigns run around the clock at volumes far above what ' +
      'customers of the same tier send. People sleep; harvesting scripts do not.',
    falsePositives:
      'Large customers on a small tier, batch jobs that run overnight, and always-on services ' +
      'with global users (their volume follows a daily curve; see diurnal_rhythm).',
    references: [
      'Tramer et al., Stealing Machine Learning Models via Prediction APIs, USENIX Security 2016',
    ],
  },
  evaluate(p: Profile, ctx: SignalContext) {
    if (p.n < ctx.minEvents) return null;
    const norm = ctx.tierDailyNorm(p.tier);
    const ratio = p.lastDayEvents() / norm;
    const span = p.spanHours();
    const duty = span >= 12 ? p.activeHours / span : 0;
    return {
      score: ramp(Math.log10(Math.max(ratio, 1e-9)), Math.log10(3), Math.log10(30)),
      value: ratio,
      detail: () =>
        `${p.lastDayEvents()} events in the last day, ${ratio.toFixed(1)}x the ${p.tier} ` +
        `tier norm; active ${pct(duty)} of hours`,
    };
  },
};
