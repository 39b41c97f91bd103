import type { Profile } from '../profile.js';
import { pct, ramp, type Signal, type SignalContext } from './signal.js';

/** Blocked neighbours on one of the account's networks: where harvesting was already stopped. */
export const networkReputation: Signal = {
  id: 'network_reputation',
  weight: 1,
  rule: {
    title: 'Network of blocked accounts',
    measures:
      'For each network prefix (/24) an account has used, the accounts the engine has seen on ' +
      'it and how many of them it has blocked; the worst network counts. Scores the product ' +
      'of two ramps: blocked accounts from 2 (0) to 8 (1), and their share of the accounts ' +
      'seen on the network from 20% (0) to 50% (1).',
    why:
      'A hydra spreads its accounts over a pool of proxy or cloud networks. Accounts that share ' +
      'no card, client or sign-up time with the rest still come from the same pool, and when ' +
      'most accounts seen on a network have been blocked, the next one there is likely part ' +
      'of the same campaign. This reaches accounts that linking misses and that carry the ' +
      'campaign alone once its replacements run out.',
    falsePositives:
      'Customers behind a shared cloud, VPN or carrier network that a hydra also used; the ' +
      'share ramp keeps busy networks with many ordinary accounts low. Evidence only: weighted ' +
      'so that it needs other signals to reach an alert.',
    references: [
      'IP reputation and shared-infrastructure scoring as used in account-abuse detection',
    ],
  },
  evaluate(p: Profile, ctx: SignalContext) {
    if (p.n < ctx.minEvents) return null;
    const s = ctx.netStanding(p);
    if (s.blocked === 0) return null;
    const share = s.blocked / Math.max(1, s.accounts);
    return {
      score: ramp(s.blocked, 2, 8) * ramp(share, 0.2, 0.5),
      value: s.blocked,
      detail: () =>
        `${s.blocked} of ${s.accounts} accounts seen on one of its networks were blocked ` +
        `(${pct(share)})`,
    };
  },
};
