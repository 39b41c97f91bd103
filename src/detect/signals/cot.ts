import { Ew, type Profile } from '../profile.js';
import { pct, ramp, type Signal, type SignalContext } from './signal.js';

/** Share of recent prompts that ask the model to show its reasoning. */
export const cotElicitation: Signal = {
  id: 'cot_elicitation',
  weight: 0.9,
  content: true,
  rule: {
    title: 'Chain-of-thought elicitation',
    measures:
      'The exponentially weighted share of recent prompts (a window of about the configured ' +
      'number of events) that ask for step-by-step reasoning, a reasoning trace, or to show the ' +
      'work before the answer. Scores from 10% (0) to 60% (1), so that a harvest share mixed ' +
      'into other traffic shows in the window.',
    why:
      'Reasoning traces are the most valuable thing to distil: a student model trained on them ' +
      'learns the teacher\'s problem solving, not only its answers. Harvesters add "think step ' +
      'by step" or "explain your reasoning" to nearly every prompt.',
    falsePositives:
      'Evaluation harnesses that prompt with chain of thought (GSM8K-style), tutoring apps, and ' +
      'math help sites. Weighted so that this alone reaches watch, not block.',
    references: [
      'Wei et al., Chain-of-Thought Prompting Elicits Reasoning in Large Language Models, 2022',
      'Hsieh et al., Distilling Step-by-Step, 2023',
    ],
  },
  evaluate(p: Profile, ctx: SignalContext) {
    if (p.nText < ctx.minEvents) return null;
    const share = p.share(Ew.Cot);
    return {
      score: ramp(share, 0.1, 0.6),
      value: share,
      detail: () => `${pct(share)} of prompts ask for step-by-step reasoning`,
    };
  },
};
