import { Ew, type Profile } from '../profile.js';
import { pct, ramp, type Signal, type SignalContext } from './signal.js';

/** Share of recent prompts that ask the model to grade, score or compare responses. */
export const rubricGrading: Signal = {
  id: 'rubric_grading',
  weight: 0.8,
  content: true,
  rule: {
    title: 'Rubric and grading prompts',
    measures:
      'The exponentially weighted share of recent prompts that ask the model to act as a ' +
      'judge: score a response on a scale, apply a rubric, or pick the better of two answers. ' +
      'Scores from 15% (0) to 60% (1).',
    why:
      'Preference and reward data for training another model are harvested this way: the ' +
      'teacher labels pairs or scores outputs at scale (model-as-judge distillation).',
    falsePositives:
      'Legitimate evaluation pipelines and content-moderation tools that use the model as a ' +
      'grader of their own outputs.',
    references: [
      'Zheng et al., Judging LLM-as-a-Judge with MT-Bench and Chatbot Arena, 2023',
      'Lee et al., RLAIF: Scaling Reinforcement Learning from Human Feedback with AI ' +
        'Feedback, 2023',
    ],
  },
  evaluate(p: Profile, ctx: SignalContext) {
    if (p.nText < ctx.minEvents) return null;
    const share = p.share(Ew.Rubric);
    return {
      score: ramp(share, 0.15, 0.6),
      value: share,
      detail: () => `${pct(share)} of prompts ask to grade or score a response`,
    };
  },
};
