import { Ew, type Profile } from '../profile.js';
import { pct, ramp, type Signal, type SignalContext } from './signal.js';

/** Share of recent traffic on a model released less than a day before. */
export const modelPivot: Signal = {
  id: 'model_pivot',
  weight: 0.3,
  rule: {
    title: 'New-model pivot',
    measures:
      'The weighted share of recent calls to a model released less than 24 hours earlier. A ' +
      'release is taken from `detect.model_releases`, or is the first time the engine sees a ' +
      'model more than a day after it started. Scores from 30% (0) to 90% (1).',
    why:
      'Harvesters move to a new frontier model within hours of its release, before defences ' +
      'and limits for it are tuned, to collect its outputs first.',
    falsePositives:
      'Evaluation harnesses and early adopters that try a new model on release day. Weighted ' +
      'low; it matters together with other signals.',
    references: [
      'Public reports of 2026 distillation campaigns (about 24,000 accounts behind proxy ' +
        'networks), as summarised in DESIGN.md',
    ],
  },
  evaluate(p: Profile, ctx: SignalContext) {
    if (p.n < ctx.minEvents) return null;
    const share = p.share(Ew.NewModel);
    return {
      score: ramp(share, 0.3, 0.9),
      value: share,
      detail: () => `${pct(share)} of calls go to a model released less than a day earlier`,
    };
  },
};
