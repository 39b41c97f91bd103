import { Rng } from '../../sim/rng.js';
import { makeCorpus, SET_NAMES, type Corpus, type PromptItem, type SetName } from '../corpus.js';
import { plausibleAnswer, prose } from './answers.js';
import * as W from './words.js';

type Maker = (rng: Rng) => Omit<PromptItem, 'id' | 'set'>;

/** Size of each built-in set: small enough to generate in milliseconds, large enough to sample. */
const SIZES: Record<SetName, number> = {
  'gpteacher-codegen': 500,
  'code-alpaca': 300,
  gsm8k: 800,
  'arena-hard': 250,
  instructionwild: 300,
  banking77: 900,
  'nq-open': 500,
  'role-prompts': 120,
};

function mathItem(rng: Rng): Omit<PromptItem, 'id' | 'set'> {
  const [a, b, c] = [rng.range(5, 90), rng.range(2, 40), rng.range(1, 9)];
  const [who, other, item] = [rng.pick(W.NAMES), rng.pick(W.NAMES), rng.pick(W.ITEMS)];
  const form = rng.int(3);
  const math = (prompt: string[], steps: string[], result: number) => ({
    kind: 'math' as const,
    prompt: prompt.join(' '),
    answer: [...steps, `#### ${result}`].join('\n'),
  });

  if (form === 0) {
    const sum = a + b;
    return math(
      [
        `${who} has ${a} ${item}.`,
        `${who} buys ${b} more and gives ${c} to ${other}.`,
        `How many ${item} does ${who} have now?`,
      ],
      [
        `${who} has ${a} + ${b} = <<${a}+${b}=${sum}>>${sum} ${item} after buying.`,
        `After giving ${c} away, ${who} has ${sum} - ${c} = <<${sum}-${c}=${sum - c}>>${sum - c}.`,
      ],
      sum - c,
    );
  }
  if (form === 1) {
    const total = b * c;
    return math(
      [
        `${who} packs ${item} into ${c} boxes with ${b} in each box.`,
        `How many ${item} are packed in all?`,
      ],
      [`Each box holds ${b}, so ${c} boxes hold ${b} * ${c} = <<${b}*${c}=${total}>>${total}.`],
      total,
    );
  }
  const price = rng.range(2, 15);
  const cost = price * b;
  const paid = cost + a;
  return math(
    [
      `${who} buys ${b} ${item} at $${price} each and pays with $${paid}.`,
      `How much change does ${who} get?`,
    ],
    [
      `The ${item} cost ${b} * ${price} = $<<${b}*${price}=${cost}>>${cost}.`,
      `The change is ${paid} - ${cost} = $<<${paid}-${cost}=${a}>>${a}.`,
    ],
    a,
  );
}

function codeItem(rng: Rng): Omit<PromptItem, 'id' | 'set'> {
  const [task, fn, line] = rng.pick(W.CODE_TASKS);
  const lang = rng.pick(W.LANGS);
  const lead = rng.pick(['Write', 'Implement', 'Create', 'Show me']);
  const extra = rng.pick(['', ' Include a short test.', ' Keep it efficient.', ' Add comments.']);
  const fence = '```';
  const code = [fence, `// ${lang}: ${fn}`, `function ${fn}(input) {`, `  // ${line}`, '}', fence];
  return {
    kind: 'code',
    prompt: `${lead} a ${lang} function named ${fn} that ${task}.${extra}`,
    answer: `${code.join('\n')}\nThe function ${task} and runs in linear time.`,
  };
}

function chatItem(rng: Rng): Omit<PromptItem, 'id' | 'set'> {
  const form = rng.int(5);
  const topic = rng.pick(W.TOPICS);
  const prompt = [
    () => `Explain ${topic} to ${rng.pick(W.AUDIENCES)}.`,
    () => `Write ${rng.pick(W.FORMS)} about ${topic}.`,
    () => `What are the pros and cons of ${rng.pick(W.THINGS)}?`,
    () => `Compare ${rng.pick(W.THINGS)} and ${rng.pick(W.THINGS)} in a short table.`,
    () => `Give me three surprising facts about ${topic}, with a sentence on each.`,
  ][form]();
  const answer = prose(`${prompt.replace(/[.?]$/, '')}: here is my take.`, rng, rng.range(60, 300));
  return { kind: 'chat', prompt, answer };
}

function supportItem(rng: Rng): Omit<PromptItem, 'id' | 'set'> {
  const intents = Object.keys(W.BANK_INTENTS);
  const category = rng.pick(intents);
  const core = rng.pick(W.BANK_INTENTS[category]);
  const tail = rng.pick([
    '?',
    '.',
    ', what should I do?',
    ' - can you check?',
    ' since yesterday.',
  ]);
  const prompt = `${rng.pick(W.BANK_OPENERS)}${core}${tail}`;
  return { kind: 'support', prompt, category };
}

function searchItem(rng: Rng): Omit<PromptItem, 'id' | 'set'> {
  const place = `${rng.pick(W.PLACE_PREFIXES)} ${rng.pick(W.PLACE_STEMS)}`.toLowerCase();
  const year = rng.range(1700, 2015);
  const [question, answer] = rng.pick([
    [`when was ${place} built`, `${year}`],
    [`who designed ${place}`, `${rng.pick(W.NAMES)} ${rng.pick(W.PLACE_STEMS)}`],
    [`how tall is ${place}`, `${rng.range(20, 900)} metres`],
    [`when did ${place} open to the public`, `${year}`],
    [`what river runs past ${place}`, `the ${rng.pick(W.PLACE_STEMS)}`],
    [`who owns ${place} today`, `the ${rng.pick(W.PLACE_STEMS)} Trust`],
  ]);
  return { kind: 'search', prompt: question, answer };
}

function roleItem(rng: Rng): Omit<PromptItem, 'id' | 'set'> {
  const [role, rule] = rng.pick(W.ROLES);
  const first = rng.pick(W.TOPICS);
  const prompt = `I want you to act as a ${role}. ${rule} My first request is about ${first}.`;
  return { kind: 'role', prompt, category: role };
}

const MAKERS: Record<SetName, Maker> = {
  'gpteacher-codegen': codeItem,
  'code-alpaca': codeItem,
  gsm8k: mathItem,
  'arena-hard': chatItem,
  instructionwild: chatItem,
  banking77: supportItem,
  'nq-open': searchItem,
  'role-prompts': roleItem,
};

/**
 * The corpus a fresh clone uses: every set generated from the templates and word lists above,
 * deterministic for the seed. Prompts within a set are unique.
 */
export function builtinCorpus(seed = 'moat-builtin'): Corpus {
  const sets = {} as Record<SetName, PromptItem[]>;
  const seen = new Set<string>();
  for (const name of SET_NAMES) {
    const rng = Rng.derive(seed, name);
    const items: PromptItem[] = [];
    for (let tries = 0; items.length < SIZES[name] && tries < SIZES[name] * 20; tries++) {
      const made = MAKERS[name](rng);
      if (seen.has(made.prompt)) continue;
      seen.add(made.prompt);
      const answer = made.answer ?? plausibleAnswer(made.prompt, made.kind, rng, 80);
      items.push({ ...made, answer, id: `${name}:${items.length}`, set: name });
    }
    sets[name] = items;
  }
  return makeCorpus('builtin', sets);
}
