import { LONG_WINDOW, type Profile } from '../profile.js';
import { pct, ramp, type Signal, type SignalContext } from './signal.js';

/** Prompts the long window must hold before the test is read. */
const MIN_PROMPTS = 300;

/**
 * Windowed excess of reasoning and grading requests inside otherwise ordinary traffic: the
 * two-sample test of a mixed account's long window against benign traffic on the elicitation
 * indicator.
 */
export const mixedHarvest: Signal = {
  id: 'mixed_harvest',
  weight: 2,
  rule: {
    title: 'Harvesting share inside mixed traffic',
    measures:
      `Over an exponentially weighted window of about ${LONG_WINDOW} prompts, the count of ` +
      'prompts that ask for step-by-step reasoning or grading is compared with the count ' +
      'expected at the rate of low-risk traffic seen so far (a binomial z score, the ' +
      'linear-kernel two-sample test on this indicator). Read once the window holds ' +
      `${MIN_PROMPTS} prompts. Scores from z 6 (0) to 14 (1), and only while such prompts are ` +
      'a minority of the window (fading out from 50% to 80%): an account that sends nothing ' +
      'else is scored by cot_elicitation and rubric_grading.',
    why:
      'A reseller or shared account that carries a harvesting end user shows the harvest as ' +
      'a sub-stream: 5-50% of its prompts. Whole-account shares over a short window move by ' +
      'that share only, below any alert level that keeps legitimate tenants quiet, but over ' +
      'a long window the excess count of reasoning requests is many standard deviations above ' +
      'what the same number of benign prompts would hold.',
    falsePositives:
      'A reseller whose end users include a tutoring or evaluation product, math help sites ' +
      'with mixed traffic, and chat apps whose users ask for step-by-step answers more often ' +
      'than the population. The benign rate is learned from traffic, so it drifts with the ' +
      'customer base. Not discounted for bursty traffic as the other content signals are: ' +
      'a busy shared account is dense by nature, and the test is about its minority.',
    references: [
      'Gretton et al., A Kernel Two-Sample Test, JMLR 2012',
      'Windowed MMD detection of extraction queries mixed into benign traffic (0.3% benign ' +
        'false positives, 90.5% detection at 5-50% attacker share), as cited in DESIGN.md',
    ],
  },
  evaluate(p: Profile, ctx: SignalContext) {
    if (p.nText < MIN_PROMPTS) return null;
    const n = p.longW;
    const share = p.longElicit / n;
    const rate = ctx.benignElicitRate;
    const z = (p.longElicit - n * rate) / Math.sqrt(n * rate * (1 - rate));
    const minority = 1 - ramp(share, 0.5, 0.8);
    return {
      score: ramp(z, 6, 14) * minority,
      value: z,
      detail: () =>
        `${pct(share)} of the last ${Math.round(n)} prompts ask for reasoning or grading ` +
        `against ${pct(rate)} of benign traffic (${z.toFixed(1)} standard deviations)`,
    };
  },
};
