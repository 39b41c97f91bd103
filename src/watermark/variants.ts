/**
 * The variant sets: groups of words or short phrases that mean the same in the positions where
 * the rewriter accepts them. The watermark picks one member of a set per occurrence, keyed by the
 * secret and the surrounding words; the verifier checks how often a text agrees with those picks.
 *
 * Every member of a set must be safe to put in place of any other wherever the set's condition
 * holds. A phrase belongs to two sets only when their positions cannot both hold (a sentence's
 * first words before a comma, or its last words before a full stop).
 */

/** Where a set's members may be exchanged. */
export type Position =
  /** Anywhere in a prose line. */
  | 'any'
  /** First words of a sentence. */
  | 'initial'
  /** First words of a sentence, directly followed by a comma. */
  | 'initial-comma'
  /** Anywhere, but followed on the same line by a word (no punctuation after the phrase). */
  | 'before-word'
  /** Last words of a sentence, directly followed by a full stop. */
  | 'final';

/** One set of interchangeable phrases. */
export interface VariantSet {
  /** Stable id; part of the keyed hash, so renaming a set changes its picks. */
  id: string;
  /** Lower-case members, words separated by one space. */
  variants: string[];
  position: Position;
  /** Next words before which the set is left alone (e.g. "so far", "each other"). */
  notBefore?: string[];
  /** Previous words after which the set is left alone (e.g. "on the left"). */
  notAfter?: string[];
  /** A plain word must follow on the same line, with no punctuation between. */
  nextWord?: boolean;
}

function negation(aux: string, contracted: string): VariantSet {
  return { id: `neg-${aux}`, variants: [`${aux} not`, contracted], position: 'any' };
}

/** All sets. Changing this list changes which texts verify; bump the set ids if you do. */
export const VARIANT_SETS: readonly VariantSet[] = [
  negation('do', "don't"),
  negation('does', "doesn't"),
  negation('did', "didn't"),
  negation('is', "isn't"),
  negation('are', "aren't"),
  negation('was', "wasn't"),
  negation('were', "weren't"),
  negation('will', "won't"),
  negation('would', "wouldn't"),
  negation('should', "shouldn't"),
  negation('could', "couldn't"),
  negation('has', "hasn't"),
  negation('have', "haven't"),
  { id: 'neg-can', variants: ['cannot', "can't"], position: 'any' },
  { id: 'you-are', variants: ['you are', "you're"], position: 'before-word' },
  { id: 'we-are', variants: ['we are', "we're"], position: 'before-word' },
  { id: 'they-are', variants: ['they are', "they're"], position: 'before-word' },
  { id: 'you-will', variants: ['you will', "you'll"], position: 'before-word' },
  { id: 'we-will', variants: ['we will', "we'll"], position: 'before-word' },
  { id: 'they-will', variants: ['they will', "they'll"], position: 'before-word' },
  {
    id: 'conclude',
    variants: ['so', 'therefore', 'thus', 'hence', 'consequently'],
    position: 'initial',
    notBefore: ['far', 'much', 'many', 'that', 'long', 'to', 'as', 'if', 'what', 'now', 'yes'],
  },
  {
    id: 'means',
    variants: ['this means', 'that means', 'this implies', 'that implies'],
    position: 'initial',
  },
  {
    id: 'since',
    variants: ['since', 'because'],
    position: 'initial',
    nextWord: true,
    notBefore: ['then', 'last', 'the', 'early', 'its', 'that', 'this', 'when', 'before', 'birth'],
  },
  { id: 'in-total', variants: ['in total', 'in all', 'altogether'], position: 'final' },
  {
    id: 'in-total-first',
    variants: ['in total', 'altogether', 'all together'],
    position: 'initial-comma',
  },
  {
    id: 'left',
    variants: ['left', 'remaining'],
    position: 'final',
    notAfter: ['the', 'to', 'on', 'turn', 'turned', 'turns', 'keep', 'be', 'is', 'was', 'and'],
  },
  { id: 'twice', variants: ['twice', 'two times'], position: 'any' },
  { id: 'half-of', variants: ['half of the', 'half the'], position: 'any' },
  { id: 'both-of', variants: ['both of the', 'both the'], position: 'any' },
  {
    id: 'sequence',
    variants: ['then', 'next', 'after that', 'afterwards', 'subsequently'],
    position: 'initial',
  },
  {
    id: 'add',
    variants: ['additionally', 'moreover', 'furthermore', 'also', 'in addition'],
    position: 'initial-comma',
  },
  { id: 'last', variants: ['finally', 'lastly'], position: 'initial-comma' },
  { id: 'first', variants: ['first', 'firstly'], position: 'initial-comma' },
  { id: 'second', variants: ['second', 'secondly'], position: 'initial-comma' },
  { id: 'result', variants: ['as a result', 'as a consequence'], position: 'initial-comma' },
  { id: 'similar', variants: ['similarly', 'likewise'], position: 'initial-comma' },
  {
    id: 'sum-up',
    variants: ['in conclusion', 'to conclude', 'to sum up'],
    position: 'initial-comma',
  },
  { id: 'overall', variants: ['overall', 'in summary', 'in short'], position: 'initial-comma' },
  { id: 'example', variants: ['for example', 'for instance'], position: 'any' },
  { id: 'in-order', variants: ['in order to', 'so as to'], position: 'before-word' },
  {
    id: 'each',
    variants: ['each', 'every'],
    position: 'before-word',
    notBefore: ['of', 'other', 'and', 'or', 'one'],
  },
  { id: 'bought', variants: ['bought', 'purchased'], position: 'any' },
  { id: 'toward', variants: ['toward', 'towards'], position: 'any' },
  { id: 'among', variants: ['among', 'amongst'], position: 'any' },
  { id: 'perhaps', variants: ['perhaps', 'maybe'], position: 'any' },
  { id: 'often', variants: ['often', 'frequently'], position: 'any' },
  { id: 'roughly', variants: ['approximately', 'roughly'], position: 'any' },
  { id: 'percent', variants: ['percent', 'per cent'], position: 'any' },
  { id: 'color', variants: ['color', 'colour'], position: 'any' },
  { id: 'colors', variants: ['colors', 'colours'], position: 'any' },
  { id: 'favorite', variants: ['favorite', 'favourite'], position: 'any' },
  { id: 'behavior', variants: ['behavior', 'behaviour'], position: 'any' },
  { id: 'traveled', variants: ['traveled', 'travelled'], position: 'any' },
  { id: 'traveling', variants: ['traveling', 'travelling'], position: 'any' },
  { id: 'gray', variants: ['gray', 'grey'], position: 'any' },
  { id: 'analyze', variants: ['analyze', 'analyse'], position: 'any' },
  { id: 'organize', variants: ['organize', 'organise'], position: 'any' },
  { id: 'recognize', variants: ['recognize', 'recognise'], position: 'any' },
];

/** A member of a set, split into words, for matching. */
export interface Phrase {
  set: VariantSet;
  index: number;
  words: string[];
}

/** Phrases by their first word, longest first, so "in order to" is tried before shorter ones. */
export const PHRASES_BY_FIRST: ReadonlyMap<string, readonly Phrase[]> = indexPhrases();

/**
 * Words that start a member. Only these can change in a later rewrite (a phrase is rewritten as
 * a whole, from its first word), so a neighbour's context reads them as one class.
 */
export const FIRST_WORDS: ReadonlySet<string> = new Set(PHRASES_BY_FIRST.keys());

/** Longest member, in words. */
export const MAX_PHRASE_WORDS = Math.max(
  ...VARIANT_SETS.flatMap((s) => s.variants.map((v) => v.split(' ').length)),
);

function indexPhrases(): Map<string, Phrase[]> {
  const byFirst = new Map<string, Phrase[]>();
  const seen = new Set<string>();
  for (const set of VARIANT_SETS) {
    set.variants.forEach((variant, index) => {
      const where = `${variant}@${set.position}`;
      if (seen.has(where)) throw new Error(`variant "${variant}" is in two sets`);
      seen.add(where);
      const words = variant.split(' ');
      const list = byFirst.get(words[0]) ?? [];
      list.push({ set, index, words });
      byFirst.set(words[0], list);
    });
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.words.length - a.words.length);
  return byFirst;
}
