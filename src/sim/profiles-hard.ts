import { BatchArrivals } from './arrival.js';
import type { Call } from './call.js';
import { BASE_PROFILES, type Profile } from './profiles.js';
import type { Rng } from './rng.js';
import type { ProfileName } from './scenario.js';
import * as T from './texts.js';
import { modelAt, pickItem, type AccountState, type World } from './world.js';

const { chatApp, supportBot, ragSearch, codingAssistant, traceArrivals, base } = BASE_PROFILES;

/** Daily batch jobs at a random working hour, stopping at the scenario's end. */
function dailyJobs(rng: Rng, world: World, perDay: number, jobsPerDay: number) {
  const starts: number[] = [];
  for (let day = 0; day * 86_400 < world.endS; day++) {
    for (let j = 0; j < jobsPerDay; j++) starts.push(day * 86_400 + rng.range(7, 20) * 3600);
  }
  starts.sort((x, y) => x - y);
  return new BatchArrivals(
    starts,
    Math.max(1, Math.round(perDay / jobsPerDay)),
    rng.range(3, 15),
    rng,
  );
}

const reseller: Profile = {
  name: 'reseller',
  hardNegative: true,
  summary: 'reseller: one account serving many end users of every kind, high volume',
  tiers: ['scale', 'enterprise'],
  address: 'cloud',
  hosts: [3, 8],
  arrivals: traceArrivals,
  traits: (rng) => ({
    route: 'chat.completions',
    temperature: rng.pick([0.7, 1]),
    stream: true,
    tools: 2,
    bank: rng.pick(T.BANK_NAMES),
  }),
  start(a, t) {
    const sub = a.rng.weighted([chatApp, codingAssistant, supportBot, ragSearch], [4, 3, 2, 2]);
    return sub.start(a, t);
  },
  followUp: { p: 0.3, maxTurns: 5, gapS: [15, 600], next: (a) => a.rng.pick(T.CHAT_FOLLOWUPS) },
};

const batchClassifier: Profile = {
  name: 'batch-classifier',
  hardNegative: true,
  summary: 'batch intent classification of Banking77 queries: templated, temperature 0, bursty',
  tiers: ['scale', 'enterprise'],
  address: 'cloud',
  hosts: [1, 2],
  arrivals: (rng, world, perDay) => dailyJobs(rng, world, perDay, rng.range(1, 2)),
  traits: (rng) => ({ temperature: 0, stream: false, labels: rng.range(10, 77) }),
  start(a, t) {
    const item = pickItem(a.rng, a.world.corpus, ['banking77']);
    const user = [
      `Classify the customer message into one of ${a.traits.labels} intents.`,
      'Answer with the intent label only.',
      `Message: ${item.prompt}`,
      'Intent:',
    ].join('\n');
    return {
      route: 'chat.completions',
      model: modelAt(a, t),
      params: base(a, t, { max_tokens: 8 }),
      user,
      item,
      fixedOutput: item.category ?? 'other',
    };
  },
};

const evalHarness: Profile = {
  name: 'eval-harness',
  hardNegative: true,
  summary: 'evaluation harness: GSM8K step by step at temperature 0 right after a release',
  tiers: ['scale', 'enterprise'],
  address: 'cloud',
  hosts: [1, 2],
  arrivals(rng, world, perDay) {
    const first = world.releaseS ?? rng.next() * world.endS * 0.5;
    const starts = [first + rng.range(1800, 6 * 3600)];
    if (rng.chance(0.5)) starts.push(starts[0] + rng.range(20, 40) * 3600);
    return new BatchArrivals(starts, Math.round(perDay), rng.range(2, 8), rng);
  },
  traits: (rng) => ({
    temperature: 0,
    stream: false,
    cursor: rng.int(1000),
    route: rng.pick(['chat.completions', 'completions']),
  }),
  start(a, t) {
    const set = a.world.corpus.sets.gsm8k;
    const cursor = Number(a.traits.cursor);
    a.traits.cursor = cursor + 1;
    const item = set[cursor % set.length];
    const model =
      a.world.newModel && t >= (a.world.releaseS ?? 0) ? a.world.newModel : modelAt(a, t);
    const params = base(a, t, { max_tokens: 512 });
    if (a.traits.route === 'completions') {
      const user = `Question: ${item.prompt}\nAnswer: Let's think step by step.`;
      return { route: 'completions', model, params, user, item };
    }
    return {
      route: 'chat.completions',
      model,
      params,
      system: T.EVAL_SYSTEM,
      user: item.prompt,
      item,
    };
  },
};

const tutoringApp: Profile = {
  name: 'tutoring-app',
  hardNegative: true,
  summary: 'maths tutoring: GSM8K problems with hints over many turns',
  tiers: ['standard', 'scale'],
  address: 'cloud',
  hosts: [1, 3],
  arrivals: traceArrivals,
  traits: (rng) => ({ temperature: rng.pick([0.5, 0.7]), stream: true }),
  start(a, t) {
    const item = pickItem(a.rng, a.world.corpus, ['gsm8k']);
    a.convo = { system: T.TUTOR_SYSTEM, history: [], item, turns: 0 };
    const opener = a.rng.pick(['Can you help me with this problem?', 'I am stuck on this:', '']);
    return {
      route: 'chat.completions',
      model: modelAt(a, t),
      params: base(a, t, { max_tokens: 300 }),
      system: T.TUTOR_SYSTEM,
      user: `${opener} ${item.prompt}`.trim(),
      item,
      lengthHint: a.rng.range(40, 140),
    };
  },
  followUp: {
    p: 0.7,
    maxTurns: 8,
    gapS: [20, 240],
    next: (a) => a.rng.pick(T.TUTOR_FOLLOWUPS).replace('{n}', String(a.rng.range(2, 120))),
  },
};

const logprobClassifier: Profile = {
  name: 'logprob-classifier',
  hardNegative: true,
  summary: 'label classifier reading logprobs with logit_bias on its label tokens',
  tiers: ['standard', 'scale'],
  address: 'cloud',
  hosts: [1, 2],
  arrivals: traceArrivals,
  traits: (rng) => ({
    temperature: 0,
    stream: false,
    labels: rng.range(2, 10),
    route: rng.pick(['chat.completions', 'completions']),
  }),
  start(a, t) {
    const item = pickItem(a.rng, a.world.corpus, ['banking77', 'arena-hard'], [3, 1]);
    const labels = Number(a.traits.labels);
    const question = 'Does the following message need a human agent? Answer Yes or No.';
    const user = `${question}\n\n${item.prompt}\n\nAnswer:`;
    const params = base(a, t, {
      max_tokens: 1,
      logprobs: true,
      top_logprobs: 5,
      logit_bias: labels,
    });
    const route = a.traits.route as Call['route'];
    const fixedOutput = a.rng.chance(0.3) ? ' Yes' : ' No';
    return { route, model: modelAt(a, t), params, user, item, fixedOutput };
  },
};

/** Every legitimate profile by name. */
export const PROFILES: Record<ProfileName, Profile> = {
  'chat-app': chatApp,
  'support-bot': supportBot,
  'rag-search': ragSearch,
  'coding-assistant': codingAssistant,
  reseller,
  'batch-classifier': batchClassifier,
  'eval-harness': evalHarness,
  'tutoring-app': tutoringApp,
  'logprob-classifier': logprobClassifier,
};

/** Follow-up text for an account's ongoing conversation, from its profile. */
export function followUpText(p: Profile, a: AccountState): string {
  return p.followUp ? p.followUp.next(a) : '';
}
