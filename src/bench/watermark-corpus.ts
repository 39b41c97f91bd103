import { loadCorpus } from '../data/load.js';
import {
  makeCorpus,
  SET_NAMES,
  type Corpus,
  type PromptItem,
  type SetName,
} from '../data/corpus.js';
import type { Rng } from './watermark-ngram.js';

/** The sets whose answers the watermark benchmark harvests: distilled answers, as in the field. */
export const HARVEST_SETS: SetName[] = ['gsm8k', 'gpteacher-codegen', 'code-alpaca'];

/** Prompt and answer pairs for the benchmark, and the corpus the replay upstream answers from. */
export interface BenchCorpus {
  source: 'real' | 'builtin';
  corpus: Corpus;
  pairs: PromptItem[];
}

/**
 * The real GSM8K, GPTeacher and Code Alpaca answers when the data folder exists; otherwise a
 * generated set of worked word problems (the project's own corpus has too few distinct phrasings
 * for this benchmark). Figures in the docs come from the real data.
 */
export async function benchCorpus(rng: Rng, builtinSize = 3000): Promise<BenchCorpus> {
  const real = await loadCorpus();
  if (real.source === 'real') {
    const pairs = HARVEST_SETS.flatMap((s) => real.sets[s]).filter((p) => p.answer);
    return { source: 'real', corpus: real, pairs: dedupe(pairs) };
  }

  const items = wordProblems(builtinSize, rng);
  const sets = Object.fromEntries(SET_NAMES.map((n) => [n, [] as PromptItem[]])) as Record<
    SetName,
    PromptItem[]
  >;
  sets.gsm8k = items;
  return { source: 'builtin', corpus: makeCorpus('builtin', sets), pairs: dedupe(items) };
}

function dedupe(items: PromptItem[]): PromptItem[] {
  const seen = new Set<string>();
  return items.filter((p) => {
    const key = p.prompt.trim().toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `n` generated word problems with worked solutions (the benchmark's fresh-clone corpus). */
export function wordProblems(n: number, rng: Rng): PromptItem[] {
  return Array.from({ length: n }, (_, i) => wordProblem(rng, i));
}

const NAMES = ['Ana', 'Ben', 'Chen', 'Dara', 'Eli', 'Farah', 'Gus', 'Hana', 'Ivo', 'Jun', 'Kemi'];
const THINGS = ['apples', 'books', 'pencils', 'stamps', 'cards', 'shells', 'cookies', 'marbles'];
const OPENERS = ['So', 'So', 'So', 'Then', 'Then', 'Therefore,', 'Thus,', 'This means', 'Since'];
const PRONOUN: Record<string, string> = { Ana: 'she', Dara: 'she', Farah: 'she', Hana: 'she' };

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)];
}

function num(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** One generated word problem with a worked, GSM8K-style solution ending in `#### N`. */
function wordProblem(rng: Rng, i: number): PromptItem {
  const name = pick(rng, NAMES);
  const he = PRONOUN[name] ?? 'he';
  const thing = pick(rng, THINGS);
  const a = num(rng, 3, 60);
  const b = num(rng, 2, 9);
  const c = num(rng, 1, a);
  const bought = a * b;
  const left = bought - c;
  const prompt =
    `${name} buys ${b} boxes of ${thing} with ${a} ${thing} in each box ` +
    `and gives ${c} ${thing} to a friend. How many ${thing} does ${name} have now? (#${i})`;

  const lines = [
    `${name} bought ${b} * ${a} = <<${b}*${a}=${bought}>>${bought} ${thing}.`,
    `${pick(rng, OPENERS)} ${he} gives away ${c} of the ${thing}.`,
    `${pick(rng, OPENERS)} ${he} has ${bought} - ${c} = ` +
      `<<${bought}-${c}=${left}>>${left} ${thing} left.`,
  ];
  if (rng() < 0.4)
    lines.splice(1, 0, `Each box holds ${a} ${thing}, which is twice ${a / 2} ${thing}.`);
  lines.push(`#### ${left}`);
  return { id: `wm:${i}`, set: 'gsm8k', kind: 'math', prompt, answer: lines.join('\n') };
}
