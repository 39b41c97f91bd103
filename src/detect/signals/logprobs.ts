import { Ew, type Profile } from '../profile.js';
import { pct, ramp, type Signal, type SignalContext } from './signal.js';

/** Requests for wide token distributions, large logit-bias maps and several choices. */
export const logprobExtraction: Signal = {
  id: 'logprob_extraction',
  weight: 1.0,
  rule: {
    title: 'logprobs, top_logprobs, logit_bias and n > 1',
    measures:
      'Weighted shares of calls that ask for top_logprobs >= 10, that send a logit_bias map ' +
      'of 20 or more tokens, and that ask for n > 1 choices. The value is the largest of the ' +
      'first two shares and half the n > 1 share; it scores from 20% (0) to 80% (1).',
    why:
      'Soft labels (a wide top-k distribution) carry far more of the teacher than sampled ' +
      'text, and a large logit_bias map swept across the vocabulary together with logprobs ' +
      'leaks the output projection. Many choices per prompt multiply the samples per call.',
    falsePositives:
      'Classifiers read a few label tokens (top_logprobs up to 5, a logit_bias over their few ' +
      'labels), which this signal leaves alone; calibration and uncertainty tools that ask for ' +
      'wide distributions, and best-of-n sampling in products, do raise it.',
    references: [
      'Carlini et al., Stealing Part of a Production Language Model, ICML 2024',
      'Finlayson et al., Logits of API-Protected LLMs Leak Proprietary Information, 2024',
      'Hinton et al., Distilling the Knowledge in a Neural Network, 2015',
    ],
  },
  evaluate(p: Profile, ctx: SignalContext) {
    if (p.n < ctx.minEvents) return null;
    const top = p.share(Ew.TopLogprobs);
    const bias = p.share(Ew.LogitBias);
    const many = p.share(Ew.ManyChoices);
    const value = Math.max(top, bias, many / 2);
    const detail = () =>
      top >= bias && top >= many / 2
        ? `${pct(top)} of calls request top_logprobs >= 10`
        : bias >= many / 2
          ? `${pct(bias)} of calls send a logit_bias map of 20+ tokens`
          : `${pct(many)} of calls ask for several choices (n > 1)`;
    return { score: ramp(value, 0.2, 0.8), value, detail };
  },
};
