/**
 * Probe prompts for testing a suspect endpoint: requests that draw worked, explanatory prose,
 * where the watermark's phrases occur (sentence openers, connectives, contractions), rather than
 * code or one-word answers. Generated from templates so any number of distinct probes exists.
 */

const TOPICS = [
  'how compound interest works',
  'why the sky looks blue',
  'how a hash table handles collisions',
  'what causes inflation',
  'how vaccines train the immune system',
  'why leaves change colour in autumn',
  'how a bill becomes law',
  'what a p-value means',
  'how tides are caused by the moon',
  'how public key cryptography works',
  'why bread rises',
  'how a refrigerator keeps food cold',
  'what makes a good password',
  'how to plan a weekly budget',
  'how photosynthesis stores energy',
  'why cats purr',
];

const ASKS = [
  'Explain {t} step by step, as you would to a student.',
  'Walk me through {t}. Use a short worked example.',
  'In a few paragraphs, explain {t} and what people often get wrong.',
  'Give a careful explanation of {t}, then summarise it.',
];

const NAMES = ['Maya', 'Omar', 'Lena', 'Tom', 'Priya', 'Diego', 'Sara', 'Ken'];
const ITEMS = ['notebooks', 'tickets', 'plants', 'bottles', 'stickers', 'muffins'];

function wordProblem(i: number): string {
  const name = NAMES[i % NAMES.length];
  const item = ITEMS[Math.floor(i / NAMES.length) % ITEMS.length];
  const a = 3 + ((i * 7) % 40);
  const b = 2 + ((i * 3) % 9);
  const c = 1 + ((i * 5) % a);
  return (
    `${name} buys ${b} packs of ${item} with ${a} ${item} in each pack, then gives ${c} ` +
    `${item} away. How many ${item} are left? Solve it step by step.`
  );
}

/** The `i`-th probe prompt (0-based); distinct for every i. */
export function probePrompt(i: number): string {
  if (i % 2 === 0) return wordProblem(i / 2);
  const j = (i - 1) / 2;
  const ask = ASKS[j % ASKS.length];
  const topic = TOPICS[Math.floor(j / ASKS.length) % TOPICS.length];
  const round = Math.floor(j / (ASKS.length * TOPICS.length));
  const text = ask.replace('{t}', topic);
  return round === 0 ? text : `${text} (variant ${round})`;
}

/** The first `n` probe prompts. */
export function probePrompts(n: number): string[] {
  return Array.from({ length: n }, (_, i) => probePrompt(i));
}
