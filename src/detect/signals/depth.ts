import { Ew, type Profile } from '../profile.js';
import { pct, ramp, type Signal, type SignalContext } from './signal.js';

/** Share of single-turn calls: no earlier turns, no follow-up. */
export const conversationDepth: Signal = {
  id: 'conversation_depth',
  weight: 0.3,
  rule: {
    title: 'Conversation depth',
    measures:
      'The weighted share of calls that carry a single user turn and no earlier assistant ' +
      'turn. Scores from 85% (0) to 100% (1). Events without text count as single-turn only ' +
      'when the log records no messages at all.',
    why:
      'Harvesting collects one answer per prompt from a prompt set; there is no conversation, ' +
      'so follow-ups are missing. Chat products show follow-ups and growing histories.',
    falsePositives:
      'API integrations that are single-turn by nature: classification, extraction, search ' +
      'answering, evaluation. Weighted low for that reason.',
    references: [
      'Zheng et al., LMSYS-Chat-1M: A Large-Scale Real-World LLM Conversation Dataset, 2023',
    ],
  },
  evaluate(p: Profile, ctx: SignalContext) {
    if (p.n < ctx.minEvents) return null;
    const share = p.share(Ew.SingleTurn);
    return {
      score: ramp(share, 0.85, 1.0),
      value: share,
      detail: () => `${pct(share)} of calls are single-turn with no follow-up`,
    };
  },
};
