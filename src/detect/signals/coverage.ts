import type { Profile } from '../profile.js';
import { TOPICS } from '../topics.js';
import { pct, ramp, type Signal, type SignalContext } from './signal.js';

/** How evenly an account's prompts spread over topics. */
export const topicCoverage: Signal = {
  id: 'topic_coverage',
  weight: 0.3,
  content: true,
  rule: {
    title: 'Topical concentration and coverage',
    measures:
      `Each prompt is placed in one of ${TOPICS.length} coarse topics by a word lexicon. After ` +
      '50 placed prompts, the normalised entropy of the topic counts measures coverage ' +
      '(1 = perfectly even); the largest share measures concentration. Even coverage scores ' +
      'from 0.85 (0) to 0.97 (1); concentration is reported, not scored.',
    why:
      'A harvester building a general student model sweeps every capability evenly, which no ' +
      'single product does; a cluster of accounts with complementary topics is one sweep split ' +
      'up (see the cluster signals).',
    falsePositives:
      'General-purpose chat products and resellers see broad coverage too; narrow focus is ' +
      'normal for most products, so it is not scored.',
    references: [
      'Orekondy et al., Knockoff Nets: Stealing Functionality of Black-Box Models, CVPR 2019',
    ],
  },
  evaluate(p: Profile, _ctx: SignalContext) {
    if (p.topicTotal < 50) return null;
    let entropy = 0;
    let top = 0;
    for (const c of p.topics) {
      if (c === 0) continue;
      const q = c / p.topicTotal;
      entropy -= q * Math.log(q);
      top = Math.max(top, q);
    }
    const evenness = entropy / Math.log(TOPICS.length);
    return {
      score: ramp(evenness, 0.85, 0.97),
      value: evenness,
      detail: () =>
        `prompts cover topics evenly (evenness ${evenness.toFixed(2)}; top topic ${pct(top)})`,
    };
  },
};
