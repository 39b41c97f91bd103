import { Ew, type Profile } from '../profile.js';
import { ramp, type Signal, type SignalContext } from './signal.js';

/** Output tokens per input token, on a log scale. */
export const outputRatio: Signal = {
  id: 'output_ratio',
  weight: 0.3,
  rule: {
    title: 'Output to input token ratio',
    measures:
      'The weighted mean of log((output tokens + 1) / (input tokens + 1)) over recent calls, ' +
      'shown as a geometric-mean ratio. Scores from 3x (0) to 15x (1).',
    why:
      'Distillation wants long answers to short prompts: that is where the teacher adds the ' +
      'most. Customer traffic (RAG, support with policies, code with context) sends long ' +
      'prompts for short answers.',
    falsePositives:
      'Writing assistants and code generators asked for long outputs from brief requests.',
    references: [
      'Orekondy et al., Knockoff Nets: Stealing Functionality of Black-Box Models, CVPR 2019',
    ],
  },
  evaluate(p: Profile, ctx: SignalContext) {
    if (p.n < ctx.minEvents) return null;
    const ratio = Math.exp(p.share(Ew.LogRatio));
    return {
      score: ramp(Math.log(ratio), Math.log(3), Math.log(15)),
      value: ratio,
      detail: () => `outputs are ${ratio.toFixed(1)}x the prompt length (geometric mean)`,
    };
  },
};
