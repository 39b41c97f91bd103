import type { EventParams } from '../core/event.js';
import { activeOffset, TraceArrivals, type Arrivals } from './arrival.js';
import type { Call } from './call.js';
import type { AddressKind } from './identity.js';
import type { Rng } from './rng.js';
import type { ProfileName } from './scenario.js';
import * as T from './texts.js';
import { modelAt, pickItem, pickSize, type AccountState, type World } from './world.js';

/** How one legitimate profile behaves: its arrivals, its requests, its conversations. */
export interface Profile {
  name: ProfileName;
  /** Traffic that looks like harvesting and is not; reported apart in the benchmark. */
  hardNegative: boolean;
  summary: string;
  tiers: string[];
  address: AddressKind;
  hosts: [number, number];
  arrivals(rng: Rng, world: World, perDay: number): Arrivals;
  traits(rng: Rng): AccountState['traits'];
  /** A new request (the first turn of a conversation, or a single call). */
  start(a: AccountState, t: number): Call;
  /** Follow-up turns: probability after each turn, turn cap, delay range in seconds. */
  followUp?: { p: number; maxTurns: number; gapS: [number, number]; next(a: AccountState): string };
}

const traceArrivals = (rng: Rng, world: World, perDay: number): Arrivals => {
  const windows = rng.pick(world.traces.clients);
  const offset = activeOffset(windows, world.endS, rng);
  return new TraceArrivals(windows, perDay, rng, offset, world.endS);
};

/** Prompts longer than this are cut (a few role prompts run past 100,000 characters). */
const MAX_ROLE_CHARS = 2000;

const base = (a: AccountState, t: number, extra: EventParams): EventParams => ({
  temperature: Number(a.traits.temperature),
  top_p: 1,
  n: 1,
  stream: Boolean(a.traits.stream),
  logprobs: false,
  top_logprobs: 0,
  logit_bias: 0,
  tools: 0,
  ...extra,
});

const chatRoute = (a: AccountState) => (a.traits.route as Call['route']) ?? 'chat.completions';

const chatApp: Profile = {
  name: 'chat-app',
  hardNegative: false,
  summary: 'consumer chat app: Arena and InstructionWild prompts, role prompts, follow-ups',
  tiers: ['free', 'standard', 'scale'],
  address: 'cloud',
  hosts: [1, 4],
  arrivals: traceArrivals,
  traits: (rng) => ({
    route: rng.weighted(['chat.completions', 'responses', 'messages'], [6, 2, 2]),
    temperature: rng.pick([0.7, 0.8, 1]),
    stream: true,
  }),
  start(a, t) {
    const { rng, world } = a;
    // A quarter of conversations open with a role prompt ("I want you to act as...").
    const sets = ['arena-hard', 'instructionwild', 'role-prompts'] as const;
    const item = pickItem(rng, world.corpus, [...sets], [1, 2, 1]);
    a.convo = { history: [], item, turns: 0 };
    const size = pickSize(rng, world.traces.chatSizes);
    return {
      route: chatRoute(a),
      model: modelAt(a, t),
      params: base(a, t, { max_tokens: rng.pick([1024, 2048, 4096]) }),
      user: item.prompt.slice(0, MAX_ROLE_CHARS),
      item,
      lengthHint: size.output,
    };
  },
  followUp: { p: 0.45, maxTurns: 6, gapS: [20, 400], next: (a) => a.rng.pick(T.CHAT_FOLLOWUPS) },
};

const supportBot: Profile = {
  name: 'support-bot',
  hardNegative: false,
  summary: 'bank support bot: Banking77 queries under a policy system prompt',
  tiers: ['standard', 'scale'],
  address: 'cloud',
  hosts: [2, 6],
  arrivals: traceArrivals,
  traits: (rng) => ({
    route: rng.weighted(['chat.completions', 'messages'], [3, 1]),
    temperature: rng.pick([0.2, 0.3, 0.5]),
    stream: rng.chance(0.5),
    bank: rng.pick(T.BANK_NAMES),
  }),
  start(a, t) {
    const item = pickItem(a.rng, a.world.corpus, ['banking77']);
    const system = T.supportPolicy(String(a.traits.bank));
    a.convo = { system, history: [], item, turns: 0 };
    return {
      route: chatRoute(a),
      model: modelAt(a, t),
      params: base(a, t, { max_tokens: 400 }),
      system,
      user: item.prompt,
      item,
      lengthHint: a.rng.range(40, 160),
    };
  },
  followUp: { p: 0.35, maxTurns: 4, gapS: [30, 600], next: (a) => a.rng.pick(T.SUPPORT_FOLLOWUPS) },
};

const ragSearch: Profile = {
  name: 'rag-search',
  hardNegative: false,
  summary: 'search and RAG: NQ questions with retrieved passages, plus embedding calls',
  tiers: ['standard', 'scale'],
  address: 'cloud',
  hosts: [1, 3],
  arrivals: traceArrivals,
  traits: (rng) => ({ temperature: rng.pick([0, 0.1, 0.2]), stream: rng.chance(0.3) }),
  start(a, t) {
    const { rng, world } = a;
    const item = pickItem(rng, world.corpus, ['nq-open']);
    if (rng.chance(0.3)) {
      const params = { n: 1 };
      return { route: 'embeddings', model: 'embed-small', params, user: item.prompt, item };
    }
    const passages = [1, 2, 3].map(
      (i) => `[${i}] ${rng.pick(world.corpus.sets['nq-open']).prompt}`,
    );
    const size = pickSize(rng, world.traces.longSizes);
    return {
      route: 'chat.completions',
      model: modelAt(a, t),
      params: base(a, t, { max_tokens: 256 }),
      system: T.RAG_SYSTEM,
      user: `Question: ${item.prompt}\n\nPassages:\n${passages.join('\n')}`,
      item,
      hiddenInputTokens: Math.min(16_000, size.input),
      lengthHint: Math.min(200, size.output),
    };
  },
};

const codingAssistant: Profile = {
  name: 'coding-assistant',
  hardNegative: false,
  summary: 'IDE coding assistant: GPTeacher and Code Alpaca prompts, tools, multi-turn',
  tiers: ['standard', 'scale', 'enterprise'],
  address: 'cloud',
  hosts: [1, 4],
  arrivals: traceArrivals,
  traits: (rng) => ({
    route: rng.weighted(['chat.completions', 'messages'], [2, 1]),
    temperature: rng.pick([0, 0.2, 0.3]),
    stream: true,
    tools: rng.range(1, 6),
  }),
  start(a, t) {
    const { rng, world } = a;
    const item = pickItem(rng, world.corpus, ['gpteacher-codegen', 'code-alpaca']);
    a.convo = { system: T.CODE_SYSTEM, history: [], item, turns: 0 };
    const size = pickSize(rng, world.traces.longSizes);
    return {
      route: chatRoute(a),
      model: modelAt(a, t),
      params: base(a, t, { max_tokens: 4096, tools: Number(a.traits.tools) }),
      system: T.CODE_SYSTEM,
      user: item.prompt,
      item,
      hiddenInputTokens: Math.min(12_000, size.input),
    };
  },
  followUp: { p: 0.5, maxTurns: 8, gapS: [30, 900], next: (a) => a.rng.pick(T.CODE_FOLLOWUPS) },
};

export const BASE_PROFILES = {
  chatApp,
  supportBot,
  ragSearch,
  codingAssistant,
  traceArrivals,
  base,
};
