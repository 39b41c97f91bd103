import { wordProblems } from '../../../src/bench/watermark-corpus.js';
import { seeded } from '../../../src/bench/watermark-ngram.js';
import { HARVEST_SETS } from '../../../src/bench/watermark-corpus.js';
import { loadCorpus } from '../../../src/data/load.js';

/** Hand-written answers mixing prose with every kind of text the watermark must not touch. */
export const MIXED: string[] = [
  'So the loop runs twice. Then it stops, for example when the list is empty.\n\n' +
    '```python\nfor x in items:\n    if x is not None:\n        print("do not stop")\n```\n' +
    'Therefore, you are done. It does not matter which order you use.',
  'Each step is small. You do not need `do not` flags; see https://example.com/do-not/each.\n' +
    'Since the value is "do not change", we are keeping it. In addition, they will see.',
  '{"answer": "So he did not", "each": 3}\n' +
    'Then the parser reads it. Perhaps it is not valid JSON.',
  'Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n' +
    'So Natalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72',
  'First, install the package. Second, run it. Finally, check the output.\n' +
    '    npm install --save each-so-thus\n' +
    'As a result, the tool is ready. Similarly, the docs are built.',
  'def f(x):\n    return x\nThis is not code. So it changes. In conclusion, it works.',
  "We're sure it doesn't fail. You'll see that they're right, and we can't stop now.",
  'He bought 3 apples and purchased 2 pears. Each apple costs $2, so he has 5 left.\n' +
    'That means he spent half of the money. Thus he has twice as many apples as before.',
  '- So the first item is here.\n- Then the second one.\n1. Therefore, the third.\n' +
    '> So this is a quote line.\nso lower-case lines are not prose.',
  "She said 'do not go' and left. It isn't far. The color is gray, roughly.",
];

/** Generated worked word problems, enough for statistics on a fresh clone. */
export function generatedAnswers(n: number, seed = 1): string[] {
  return wordProblems(n, seeded(seed)).map((p) => p.answer!);
}

/** The real distilled answers (GSM8K, GPTeacher, Code Alpaca) or null without the data folder. */
export async function realAnswers(): Promise<Record<string, string[]> | null> {
  const corpus = await loadCorpus();
  if (corpus.source !== 'real') return null;
  const out: Record<string, string[]> = {};
  for (const set of HARVEST_SETS) {
    out[set] = corpus.sets[set].map((p) => p.answer).filter((a): a is string => !!a);
  }
  return out;
}
