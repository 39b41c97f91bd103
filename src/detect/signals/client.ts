import { Ew, type Profile } from '../profile.js';
import { pct, ramp, type Signal, type SignalContext } from './signal.js';

/** Generic HTTP clients and rotation of user agents and networks. */
export const clientFingerprint: Signal = {
  id: 'client_fingerprint',
  weight: 0.4,
  rule: {
    title: 'Client fingerprints',
    measures:
      'The weighted share of calls from a generic HTTP library (python-requests, curl, ' +
      'aiohttp...) or with no user agent, the number of distinct user agents (up to 8) and of ' +
      'distinct network prefixes (/24, up to 16). The score is the largest of 0.2 x the ' +
      'generic share, a ramp of user agents (2 to 5) and a ramp of networks (4 to 12).',
    why:
      'Harvesting is scripted and often spread over proxy pools: one account seen from many ' +
      'networks and clients is rotating to dodge limits.',
    falsePositives:
      'Backend integrations written with a plain HTTP library; mobile users moving between ' +
      'networks; companies with several offices.',
    references: [
      'Public reports of 2026 distillation campaigns (about 24,000 accounts behind proxy ' +
        'networks), as summarised in DESIGN.md',
    ],
  },
  evaluate(p: Profile, ctx: SignalContext) {
    if (p.n < ctx.minEvents) return null;
    const script = p.share(Ew.ScriptClient);
    const uaScore = ramp(p.uaCount, 2, 5);
    const netScore = ramp(p.netCount, 4, 12);
    const score = Math.max(0.2 * script, uaScore, netScore);
    const detail = () =>
      netScore >= uaScore && netScore > 0.2 * script
        ? `calls come from ${p.netCount >= 16 ? '16+' : p.netCount} network prefixes`
        : uaScore > 0.2 * script
          ? `${p.uaCount >= 8 ? '8+' : p.uaCount} different user agents`
          : `${pct(script)} of calls from a generic HTTP client`;
    return { score, value: score, detail };
  },
};
