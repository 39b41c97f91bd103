import type OpenAI from 'openai';
import { parseConfig } from '../config/index.js';
import type { PromptItem, SetName } from '../data/corpus.js';
import { loadCorpus } from '../data/load.js';
import type { MoatEvent } from '../core/event.js';
import { startGateway } from '../gateway/index.js';
import { openStore } from '../store/sqlite.js';
import { startReplayUpstream } from '../upstream/replay.js';
import { intFlag, parseArgs } from './args.js';
import type { Command } from './commands.js';

/** A simulated customer: what it asks, how often, and whether it streams. */
interface Customer {
  account: string;
  tier: string;
  sets: SetName[];
  /** Mean seconds between requests. */
  everyS: number;
  stream: boolean;
  temperature?: number;
}

const CUSTOMERS: Customer[] = [
  { account: 'acct_helpdesk', tier: 'standard', sets: ['banking77'], everyS: 2, stream: true },
  { account: 'acct_codeshop', tier: 'standard', sets: ['code-alpaca'], everyS: 3, stream: true },
  { account: 'acct_search', tier: 'trial', sets: ['nq-open'], everyS: 1.5, stream: false },
  {
    account: 'acct_evalrun',
    tier: 'standard',
    sets: ['gsm8k'],
    everyS: 0.5,
    stream: false,
    temperature: 0,
  },
];

const DEMO_CONFIG = {
  server: { port: 8080 },
  tiers: {
    standard: { requests_per_minute: 600, tokens_per_minute: 2_000_000, max_concurrent: 8 },
    trial: {
      requests_per_minute: 60,
      tokens_per_minute: 100_000,
      max_concurrent: 2,
      logprobs: false,
    },
  },
  store: { path: 'demo.db' },
};

/** `moat demo [--port N] [--duration S]`: replay model, gateway and simulated customers. */
export const command: Command = {
  async run(argv) {
    const args = parseArgs(argv, ['port', 'duration']);
    const port = intFlag(args, 'port', 8080);
    const durationS = intFlag(args, 'duration', 0);

    const corpus = await loadCorpus();
    const upstream = await startReplayUpstream({ corpus, tokensPerSecond: 60 });
    const config = parseConfig(
      { ...DEMO_CONFIG, server: { port }, upstream: { url: upstream.url } },
      '(demo)',
    );
    const store = openStore(config.store.path);
    const keys = CUSTOMERS.map((c) => store.keys.create(c.account, c.tier).secret);
    const gw = await startGateway({ config, store });
    gw.onEvent(printEvent);

    process.stdout.write(
      `moat demo: gateway ${gw.url}/v1 in front of a replay model (${corpus.source} corpus)\n` +
        `  metrics ${gw.url}/metrics · ${CUSTOMERS.length} simulated customers · Ctrl-C to stop\n`,
    );

    const { default: OpenAIClient } = await import('openai');
    const stop = new AbortController();
    const loops = CUSTOMERS.map((c, i) => {
      const client = new OpenAIClient({ apiKey: keys[i], baseURL: `${gw.url}/v1`, maxRetries: 0 });
      return customerLoop(client, c, prompts(c.sets, corpus.sets), stop.signal);
    });

    await waitForStop(durationS);
    stop.abort();
    await Promise.allSettled(loops);
    await gw.close();
    store.close();
    await upstream.close();
    return 0;
  },
};

function prompts(sets: SetName[], all: Record<SetName, PromptItem[]>): string[] {
  const out = sets.flatMap((s) => all[s].map((p) => p.prompt));
  return out.length ? out : ['Hello, what can you do?'];
}

async function customerLoop(
  client: OpenAI,
  c: Customer,
  texts: string[],
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    await sleep(c.everyS * 1000 * (0.5 + Math.random()), signal);
    if (signal.aborted) return;
    const content = texts[Math.floor(Math.random() * texts.length)];
    const body = {
      model: 'frontier-large',
      messages: [{ role: 'user' as const, content }],
      max_tokens: 200,
      ...(c.temperature === undefined ? {} : { temperature: c.temperature }),
    };
    try {
      if (!c.stream) {
        await client.chat.completions.create(body);
        continue;
      }
      const stream = await client.chat.completions.create({ ...body, stream: true });
      for await (const _ of stream);
    } catch {
      // Refusals (429, 403) are part of the demo; each is printed from its event.
    }
  }
}

function printEvent(e: MoatEvent): void {
  const time = e.ts.slice(11, 19);
  const tokens = `${e.usage.input_tokens}->${e.usage.output_tokens} tok`;
  const who = `${e.account.padEnd(14)} ${(e.tier ?? '-').padEnd(8)}`;
  const line = `${time} ${who} ${e.route} ${e.status}`;
  process.stdout.write(`${line} ${tokens} ${e.latency_ms ?? 0} ms\n`);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function waitForStop(durationS: number): Promise<void> {
  return new Promise((resolve) => {
    if (durationS > 0) setTimeout(resolve, durationS * 1000);
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
