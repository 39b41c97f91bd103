import type { Profile } from '../profile.js';
import { ramp, type Signal, type SignalContext } from './signal.js';

/** Normality of the distances from each new prompt to the account's earlier prompts. */
export const queryDistance: Signal = {
  id: 'query_distance',
  weight: 0.2,
  content: true,
  rule: {
    title: 'Distance to earlier prompts (PRADA)',
    measures:
      'For each prompt with text, the distance from its feature vector (hashed words, or the ' +
      'projected embedding with `detect.embeddings`) to the nearest ' +
      'of the last 32 prompts of the account. Every 16 prompts the Shapiro-Francia W of the ' +
      'last 48 distances is computed; natural queries give roughly normal distances. On hashed ' +
      'word features even natural traffic departs from normal (W of 0.7 to 0.85 is common), ' +
      'so W scores only from 0.65 (0) down to 0.45 (1).',
    why:
      'Extraction queries are generated or drawn systematically (perturbations of seeds, ' +
      'sweeps over a set), which leaves the nearest-distance distribution far from normal.',
    falsePositives:
      'Templated batch jobs (distances collapse to near zero) and accounts with a few repeated ' +
      'questions. PRADA itself needs about 100 queries before it can alarm.',
    references: [
      'Juuti et al., PRADA: Protecting Against DNN Model Stealing Attacks, EuroS&P 2019',
    ],
  },
  evaluate(p: Profile, _ctx: SignalContext) {
    if (Number.isNaN(p.normality)) return null;
    const w = p.normality;
    return {
      score: ramp(0.65 - w, 0, 0.2),
      value: w,
      detail: () =>
        `distances between prompts are far from natural (Shapiro-Francia W ${w.toFixed(2)})`,
    };
  },
};
