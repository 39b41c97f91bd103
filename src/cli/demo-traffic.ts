import { setMaxListeners } from 'node:events';
import type OpenAI from 'openai';
import type { Actor, DemoCall, PromptSource } from './demo-actors.js';

/** Calls one actor may have open at once; a script does not wait for slow answers. */
const MAX_OPEN = 4;

/** Where the simulated traffic goes and who it is. */
export interface TrafficTarget {
  /** Gateway base URL (without `/v1`). */
  url: string;
  /** A Moat key per actor that identifies with a key. */
  keys: Map<string, string>;
  prompts: PromptSource;
}

/**
 * Runs every actor against the gateway with the official `openai` client until `signal`
 * aborts. Scripts start a call every `everyS` seconds whatever the previous one does; people
 * wait a random, exponentially distributed time. Refusals are expected: the gateway's events
 * show them, so errors are swallowed here.
 */
export async function runTraffic(
  actors: Actor[],
  target: TrafficTarget,
  signal: AbortSignal,
): Promise<void> {
  const { default: OpenAIClient } = await import('openai');
  // Every open call listens on the one stop signal.
  setMaxListeners(0, signal);
  const loops = actors.map((actor) => {
    const client = new OpenAIClient({
      apiKey: target.keys.get(actor.account) ?? 'trusted-header',
      baseURL: `${target.url}/v1`,
      maxRetries: 0,
      timeout: 60_000,
      defaultHeaders: identityHeaders(actor),
    });
    return actorLoop(client, actor, target.prompts, signal);
  });
  await Promise.allSettled(loops);
}

function identityHeaders(actor: Actor): Record<string, string> {
  if (actor.identity.kind !== 'trusted') return {};
  return {
    'x-moat-account': actor.account,
    'x-moat-tier': actor.tier,
    'x-moat-payment-fp': actor.identity.paymentFp,
    'x-moat-signup-ts': actor.identity.signupTs,
  };
}

async function actorLoop(
  client: OpenAI,
  actor: Actor,
  prompts: PromptSource,
  signal: AbortSignal,
): Promise<void> {
  const open = new Set<Promise<void>>();
  await sleep(Math.random() * 2000, signal);
  for (let i = 0; !signal.aborted; i++) {
    const started = Date.now();
    const call = send(client, actor.call(i, prompts), signal);
    open.add(call);
    void call.finally(() => open.delete(call));

    if (actor.pace.kind === 'human') {
      await call;
      await sleep(actor.pace.meanS * 1000 * -Math.log(1 - Math.random()), signal);
    } else {
      const { everyS, burst, restS } = actor.pace;
      const gapS = burst && restS && i % burst === burst - 1 ? restS : everyS;
      const jitter = 1 + (Math.random() - 0.5) * 0.04;
      await sleep(Math.max(0, started + gapS * 1000 * jitter - Date.now()), signal);
      while (open.size >= MAX_OPEN && !signal.aborted) await Promise.race(open);
    }
  }
  await Promise.allSettled(open);
}

type Params = OpenAI.Chat.ChatCompletionCreateParams;

async function send(client: OpenAI, call: DemoCall, signal: AbortSignal): Promise<void> {
  const options = { headers: call.headers, signal };
  try {
    if (!call.stream) {
      const body = { ...call.body, stream: false } as Params & { stream: false };
      await client.chat.completions.create(body, options);
      return;
    }
    const body = { ...call.body, stream: true } as Params & { stream: true };
    const stream = await client.chat.completions.create(body, options);
    for await (const _ of stream);
  } catch {
    // Refusals (403, 429) and aborts at stop are part of the demo; events report them.
  }
}

/** Waits `ms`, or less when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
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
