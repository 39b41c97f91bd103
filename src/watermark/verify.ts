import { keyedChoice, type Keyring, type WatermarkKey } from './keyring.js';
import { logUpperTail, type Group } from './pvalue.js';
import { PhraseRewriter } from './rewriter.js';

/** One distinct opportunity, a (set, context), as seen in the texts under test. */
export interface Observation {
  setId: string;
  /** Size of the set: the null agreement probability is 1/k. */
  k: number;
  context: string;
  /** The members the texts hold in this context, each once, in the order first seen. */
  members: number[];
}

/** The verifier's verdict for one key. */
export interface Verification {
  /** One-sided p-value: how likely this much agreement is for text written without the key. */
  p_value: number;
  /** log10 of the p-value, still finite where the p-value itself underflows to 0. */
  log10_p: number;
  /** Distinct (set, context) opportunities scored. */
  opportunities: number;
  /** How many of them agree with the key's pick. */
  matches: number;
  /** Agreements expected under the null. */
  expected: number;
  key_id: string;
}

/**
 * Collects the distinct opportunities in texts: each (set, context) counts once, with the set of
 * members seen there, so a repeated text or phrase adds no evidence. Pass `into` to gather
 * across calls.
 */
export function collectObservations(
  texts: Iterable<string>,
  into = new Map<string, Observation>(),
): Map<string, Observation> {
  for (const text of texts) {
    const scanner = new PhraseRewriter((op) => {
      const id = `${op.set.id}\x1f${op.context}`;
      const seen = into.get(id);
      if (!seen) {
        const k = op.set.variants.length;
        into.set(id, { setId: op.set.id, k, context: op.context, members: [op.index] });
      } else if (!seen.members.includes(op.index)) {
        seen.members.push(op.index);
      }
      return null;
    });
    scanner.push(text);
    scanner.end();
  }
  return into;
}

/** The share of watermarked training data the weights are tuned to detect. */
const DESIGN_SHARE = 0.1;
/** Weights are multiples of 1/WEIGHT_STEPS nats, between 1 and MAX_WEIGHT steps. */
const WEIGHT_STEPS = 3;
const MAX_WEIGHT = 24;

/**
 * Whole-number weights per (set, member), from the texts alone: a member a text uses rarely
 * within its set is strong evidence when it agrees with the key (a copy says "hence" mostly where
 * the key said so), a member it uses nearly always is weak evidence. The weight is the log
 * likelihood ratio of an agreement for a copy trained on DESIGN_SHARE watermarked text, rounded.
 * Because the weights depend only on the texts, never on the key, the null stays exact.
 */
export function memberWeights(observations: Map<string, Observation>): Map<string, number> {
  const counts = new Map<string, number[]>();
  for (const o of observations.values()) {
    const c = counts.get(o.setId) ?? new Array<number>(o.k).fill(0);
    for (const m of o.members) c[m]++;
    counts.set(o.setId, c);
  }

  const s = DESIGN_SHARE;
  const weights = new Map<string, number>();
  for (const [setId, c] of counts) {
    const k = c.length;
    const total = c.reduce((a, b) => a + b, 0);
    c.forEach((n, index) => {
      const f = (n + 0.5) / (total + 0.5 * k);
      const q = Math.max(0.002, (f - s / k) / (1 - s));
      const m = (s + (1 - s) * q) / (s + k * (1 - s) * q);
      const llr = Math.log(m / (1 - m)) - Math.log(1 / (k - 1));
      const w = Math.round(llr * WEIGHT_STEPS);
      weights.set(`${setId}:${index}`, Math.min(MAX_WEIGHT, Math.max(1, w)));
    });
  }
  return weights;
}

/**
 * The member an opportunity is scored with: of the members the texts hold in its context, the
 * one with the largest weight (the rarest in the texts; the first seen on a tie). A copy that
 * learned the key writes the keyed member there at least some of the time, so this is the best
 * single witness, and since it is chosen from the texts alone the null stays exact.
 */
function witness(o: Observation, weights: Map<string, number>): { index: number; w: number } {
  let best = { index: o.members[0], w: weights.get(`${o.setId}:${o.members[0]}`)! };
  for (const index of o.members.slice(1)) {
    const w = weights.get(`${o.setId}:${index}`)!;
    if (w > best.w) best = { index, w };
  }
  return best;
}

/**
 * Scores observations against one key. Conditional on the texts, an unknown key picks each
 * member with probability 1/k independently per distinct opportunity, so the weighted agreement
 * score is a sum of scaled binomials, one per (set size, weight), and its tail is exact.
 */
export function scoreKey(observations: Map<string, Observation>, key: WatermarkKey): Verification {
  const weights = memberWeights(observations);
  const groups = new Map<string, Group>();
  let matches = 0;
  let score = 0;
  let expected = 0;
  for (const o of observations.values()) {
    const { index, w } = witness(o, weights);
    const id = `${o.k}:${w}`;
    const g = groups.get(id) ?? { n: 0, p: 1 / o.k, w };
    g.n++;
    groups.set(id, g);
    expected += 1 / o.k;
    if (keyedChoice(key.secret, o.setId, o.context, o.k) !== index) continue;
    matches++;
    score += w;
  }

  const logP = logUpperTail([...groups.values()], score);
  return {
    p_value: Math.exp(logP),
    log10_p: logP / Math.LN10,
    opportunities: observations.size,
    matches,
    expected,
    key_id: key.id,
  };
}

/**
 * Verifies texts against one key (`keyId`) or every key in the ring. With several keys the
 * smallest p-value is multiplied by the number of keys tried (Bonferroni), so the reported
 * p-value stays valid whichever key turned out best.
 */
export function verifyTexts(texts: Iterable<string>, ring: Keyring, keyId?: string): Verification {
  return verifyObservations(collectObservations(texts), ring, keyId);
}

/** As verifyTexts, from observations already collected. */
export function verifyObservations(
  observations: Map<string, Observation>,
  ring: Keyring,
  keyId?: string,
): Verification {
  const keys = keyId ? [ring.get(keyId)] : ring.all();
  const results = keys.map((k) => scoreKey(observations, k));
  const best = results.reduce((a, b) => (b.log10_p < a.log10_p ? b : a));
  if (keys.length === 1) return best;

  const log10 = Math.min(0, best.log10_p + Math.log10(keys.length));
  return { ...best, log10_p: log10, p_value: 10 ** log10 };
}
