import { Ew, type Profile } from '../profile.js';
import { pct, ramp, type Signal, type SignalContext } from './signal.js';

/** Requests for token probabilities, logit bias and several choices. */
export const logprobExtraction: Signal = {
  id: 'logprob_extraction',
  weight: 1.1,
  rule: {
    title: 'logprobs, top_logprobs, logit_bias and n > 1',
    measures:
      'Weighted shares of calls that ask for top_logprobs >= 5, that combine logit_bias with ' +
      'logprobs, and that ask for n > 1 choices. The value is the largest of the first two ' +
      'shares and half the n > 1 share; it scores from 20% (0) to 80% (1). When nearly every ' +
      'output is one or two tokens long (a label classifier), the score is halved.',
    why:
      'Soft labels (the full top-k distribution) carry far more of the teacher than sampled ' +
      'text, and logit_bias together with logprobs leaks the output projection one token at a ' +
      'time. Many choices per prompt multiply the samples harvested per call.',
    falsePositives:
      'Classifiers that read the probability of label tokens (logprobs with a small logit_bias ' +
      'over the labels, one-token outputs), calibration and uncertainty tooling, best-of-n ' +
      'sampling in products.',
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
    const labels = p.share(Ew.ShortOutput) > 0.9 ? 0.5 : 1;
    const detail = () =>
      top >= bias && top >= many / 2
        ? `${pct(top)} of calls request top_logprobs >= 5`
        : bias >= many / 2
          ? `${pct(bias)} of calls combine logit_bias with logprobs`
          : `${pct(many)} of calls ask for several choices (n > 1)`;
    return { score: ramp(value, 0.2, 0.8) * labels, value, detail };
  },
};
