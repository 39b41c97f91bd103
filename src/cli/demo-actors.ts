import type { PromptItem, SetName } from '../data/corpus.js';
import { COT_WRAPPERS, HARVEST_TEMPLATES } from '../sim/texts.js';

/** How an actor paces its calls: people and products vary, scripts keep a fixed interval. */
export type Pace =
  | { kind: 'human'; meanS: number }
  | { kind: 'script'; everyS: number; burst?: number; restS?: number };

/** One call an actor makes: the request body and any headers beyond its identity. */
export interface DemoCall {
  body: Record<string, unknown>;
  stream: boolean;
  headers: Record<string, string>;
}

/** A simulated caller of the demo: a customer or an attacker, with its identity and habits. */
export interface Actor {
  account: string;
  tier: string;
  role: 'customer' | 'attacker';
  /** One line on what it does, printed at start. */
  describe: string;
  /** Identify with a Moat key (default) or through the trusted headers of the provider's auth. */
  identity: { kind: 'key' } | { kind: 'trusted'; paymentFp: string; signupTs: string };
  pace: Pace;
  /** The i-th call of this actor. */
  call(i: number, prompts: PromptSource): DemoCall;
}

/** Prompts by set, from the corpus the replay upstream answers from. */
export type PromptSource = (sets: SetName[], i: number) => string;

/** Builds a PromptSource over the corpus; order is shuffled per actor by a stride. */
export function promptSource(all: Record<SetName, PromptItem[]>): PromptSource {
  return (sets, i) => {
    const pool = sets.flatMap((s) => all[s]);
    if (pool.length === 0) return 'Hello, what can you do?';
    return pool[(i * 7919) % pool.length].prompt;
  };
}

const MODEL = 'frontier-large';
const SCRIPT_UA = 'python-requests/2.32.3';

function chat(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: MODEL, messages: [{ role: 'user', content }], ...extra };
}

function customer(
  account: string,
  tier: string,
  sets: SetName[],
  meanS: number,
  describe: string,
  net: number,
  extra: Record<string, unknown> = {},
): Actor {
  return {
    account,
    tier,
    role: 'customer',
    describe,
    identity: { kind: 'key' },
    pace: { kind: 'human', meanS },
    call: (i, prompts) => ({
      body: chat(prompts(sets, i), { max_tokens: 300, ...extra }),
      stream: i % 2 === 0,
      headers: { 'x-forwarded-for': `198.51.${net}.${20 + (i % 3)}` },
    }),
  };
}

/** A proxy-pool address: a new /24 network for every call. */
function proxyAddress(i: number, base: string): string {
  return `${base}.${i % 24}.${(i * 37) % 250}`;
}

/** A hydra member: trusted-header identity sharing one payment fingerprint with the others. */
function hydraMember(n: number, signupTs: string): Actor {
  return {
    account: `acct_hydra_${n}`,
    tier: 'trial',
    role: 'attacker',
    describe: 'hydra member: shared card, proxy pool, one template',
    identity: { kind: 'trusted', paymentFp: 'pm_7c41e09a', signupTs },
    pace: { kind: 'script', everyS: 5.3 + n * 0.2 },
    call: (i, prompts) => ({
      body: chat(HARVEST_TEMPLATES[1].replace('{p}', prompts(['arena-hard', 'code-alpaca'], i)), {
        max_tokens: 2048,
      }),
      stream: false,
      headers: { 'x-forwarded-for': `100.64.${n}.${i % 200}`, 'user-agent': 'python-httpx/0.27' },
    }),
  };
}

/**
 * The demo's population: four customers (one of them a templated temperature-0 evaluation run,
 * the classic false positive) and three campaigns: a chain-of-thought harvester behind a proxy
 * pool, a logprob extractor, and a hydra of four trial accounts sharing a payment fingerprint.
 * The harvesters pace themselves a little over five seconds apart, as campaigns that must last
 * do; the extractor fires bursts of eight calls half a second apart, then rests six seconds.
 */
export function demoActors(now = Date.now()): Actor[] {
  const signupTs = new Date(now - 40 * 60_000).toISOString();
  return [
    customer('acct_helpdesk', 'standard', ['banking77'], 2, 'support bot (banking questions)', 1),
    customer('acct_codeshop', 'standard', ['code-alpaca'], 3, 'coding assistant', 2),
    customer('acct_search', 'trial', ['nq-open'], 2.5, 'search answers', 3),
    customer('acct_evalrun', 'standard', ['gsm8k'], 1, 'evaluation run, temperature 0', 4, {
      temperature: 0,
    }),
    {
      account: 'acct_cotfarm',
      tier: 'standard',
      role: 'attacker',
      describe: 'chain-of-thought harvester behind a proxy pool',
      identity: { kind: 'key' },
      pace: { kind: 'script', everyS: 5.2 },
      call: (i, prompts) => ({
        body: chat(COT_WRAPPERS[0].replace('{p}', prompts(['gsm8k', 'arena-hard'], i)), {
          temperature: 0,
          max_tokens: 1024,
        }),
        stream: true,
        headers: { 'x-forwarded-for': proxyAddress(i, '203.0'), 'user-agent': SCRIPT_UA },
      }),
    },
    {
      account: 'acct_lprobe',
      tier: 'standard',
      role: 'attacker',
      describe: 'logprob extractor (top_logprobs 20, logit_bias sweeps)',
      identity: { kind: 'key' },
      pace: { kind: 'script', everyS: 0.5, burst: 8, restS: 6 },
      call: (i, prompts) => ({
        body: chat(prompts(['instructionwild', 'arena-hard'], i), {
          temperature: 0,
          max_tokens: 8,
          logprobs: true,
          top_logprobs: 20,
          logit_bias: Object.fromEntries(
            Array.from({ length: 50 }, (_, k) => [String(1000 + ((i * 50 + k) % 50_000)), -100]),
          ),
        }),
        stream: false,
        headers: { 'x-forwarded-for': '192.0.2.77', 'user-agent': SCRIPT_UA },
      }),
    },
    ...[1, 2, 3, 4].map((n) => hydraMember(n, signupTs)),
  ];
}
