import { hash32 } from './hash.js';

/**
 * A coarse topic lexicon: each prompt is placed in the topic whose words it uses most. Coarse on
 * purpose: the signals need the shape of an account's coverage (narrow, or broad and even), not
 * an exact subject.
 */
const LEXICON: Record<string, string> = {
  math:
    'math solve equation calculate number numbers sum total percent percentage ' +
    'fraction multiply divide divided times minus plus cost costs price average ratio ' +
    'probability integer prime area triangle circle algebra',
  code:
    'code function python javascript java typescript sql query class method bug error ' +
    'compile array string loop api regex html css json script program implement ' +
    'variable rust golang c++ debug',
  writing:
    'write story poem essay email letter blog article paragraph rewrite summarize ' +
    'summary draft headline slogan tweet caption lyrics novel',
  science:
    'physics chemistry biology energy cell atom molecule quantum planet gravity ' +
    'evolution experiment theory climate species dna protein',
  finance:
    'bank account card transfer payment money loan invest investment stock market tax ' +
    'refund balance fee charge deposit withdraw credit debit exchange currency',
  business:
    'business company marketing sales customer product strategy startup revenue brand ' +
    'management employee meeting team client plan',
  health:
    'health symptoms disease diet exercise medical doctor medicine pain sleep weight ' +
    'nutrition mental therapy patient',
  trivia:
    'who when where war country city president capital born film movie song album ' +
    'team won history king queen season episode',
  tech:
    'computer software linux windows network server cloud ai model data database ' +
    'docker kubernetes hardware phone app',
  language:
    'translate translation grammar meaning word words english spanish french german ' +
    'sentence synonym pronounce',
  roleplay: 'act pretend roleplay character game imagine persona role you are scenario',
  law: 'law legal contract court rights lawyer regulation policy liability',
};

/** Topic names, in index order. */
export const TOPICS: readonly string[] = Object.keys(LEXICON);

const WORD_TOPIC = new Map<number, number>();
TOPICS.forEach((topic, index) => {
  for (const word of LEXICON[topic].split(' ')) WORD_TOPIC.set(hash32(word), index);
});

const counts = new Uint16Array(TOPICS.length);

/**
 * The topic index a prompt's words (as `hash32` of each word) point to most, or -1 when none of
 * them is in the lexicon.
 */
export function topicOf(words: ArrayLike<number>): number {
  counts.fill(0);
  let best = -1;
  let bestCount = 0;
  for (let i = 0; i < words.length; i++) {
    const t = WORD_TOPIC.get(words[i]);
    if (t === undefined) continue;
    const c = ++counts[t];
    if (c > bestCount) {
      bestCount = c;
      best = t;
    }
  }
  return best;
}
