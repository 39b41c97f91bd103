import { Ew, type Profile } from '../profile.js';
import { pct, ramp, type Signal, type SignalContext } from './signal.js';

/** Share of recent prompts that repeat a template or nearly duplicate an earlier prompt. */
export const templateRepetition: Signal = {
  id: 'template_repetition',
  weight: 0.5,
  content: true,
  rule: {
    title: 'Template repetition and near-duplicates',
    measures:
      'For each prompt, the skeleton (lower case, numbers masked) is reduced to a 16-bin ' +
      'one-permutation MinHash over words and word pairs and compared with the last 48 prompts ' +
      'of the account: a near-duplicate agrees on at least half of the bins both prompts fill ' +
      '(at least four; Jaccard about 0.5). Template ' +
      "keys (the skeleton's first six and last four words) are counted in a heavy-hitter " +
      'sketch; a prompt repeats a template when either key is already being counted. ' +
      'The value is the larger of the two weighted shares; it scores from 30% (0) to 85% (1).',
    why:
      'Harvesters wrap a prompt set in a fixed template ("Answer the following question in ' +
      'detail: ...") or send many variations of one query, so their prompts cluster far more ' +
      'tightly than those of people (SEAT counts such similar pairs).',
    falsePositives:
      'Batch classification, extraction and evaluation jobs are templated by design. Alone ' +
      'this signal never blocks; it adds to others.',
    references: [
      'Zhang et al., SEAT: Similarity Encoder by Adversarial Training for Detecting Model ' +
        'Extraction Attack Queries, AISec 2021',
      'Broder, On the resemblance and containment of documents (MinHash), 1997',
    ],
  },
  evaluate(p: Profile, ctx: SignalContext) {
    if (p.nText < ctx.minEvents) return null;
    const dup = p.share(Ew.NearDup);
    const tpl = p.share(Ew.TemplateRepeat);
    const share = Math.max(dup, tpl);
    return {
      score: ramp(share, 0.3, 0.85),
      value: share,
      detail: () => `${pct(share)} of prompts repeat a template or nearly duplicate an earlier one`,
    };
  },
};
