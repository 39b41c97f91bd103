import type { MoatEvent } from '../../src/core/event.js';
import { Rng } from '../../src/detect/hash.js';

/** Test fixtures: small, deterministic event streams with known behaviour. */

const VOCAB = (
  'apple river market garden window silver engine letter travel winter coffee museum ' +
  'pencil doctor planet forest music theatre harbour castle bridge ticket recipe camera ' +
  'island ladder mirror number orange pocket rocket saddle tunnel violin wallet yellow ' +
  'anchor basket candle dragon feather guitar hammer jacket kettle lemon magnet needle ' +
  'people should could would about their which there other after first never these think'
).split(' ');

export const T0 = Date.UTC(2026, 10, 30, 0, 0, 0);
export const HOUR = 3_600_000;

/** A random sentence of `n` vocabulary words. */
export function randomText(rng: Rng, n: number): string {
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(VOCAB[Math.floor(rng.next() * VOCAB.length)]);
  return `${words.join(' ')}?`;
}

/** One event with sensible defaults; `over` replaces top-level fields. */
export function event(over: Partial<MoatEvent> & { account: string; ms: number }): MoatEvent {
  const { ms, ...rest } = over;
  return {
    v: 1,
    id: `evt_${over.account}_${ms}`,
    ts: new Date(ms).toISOString(),
    tier: 'standard',
    client: { ip: '198.51.100.7', user_agent: 'OpenAI/Python 1.40.0' },
    route: 'chat.completions',
    model: 'frontier-large',
    params: { temperature: 0.7, n: 1 },
    input: { messages: [{ role: 'user', content: 'hello there' }] },
    usage: { input_tokens: 200, output_tokens: 150 },
    status: 200,
    ...rest,
  };
}

/** A user message list with one turn. */
export function userMessage(text: string): MoatEvent['input'] {
  return { messages: [{ role: 'user', content: text }] };
}

/** Exponential (Poisson-process) gaps with the given mean, in ms. */
export function poissonGap(rng: Rng, meanMs: number): number {
  return Math.max(1, Math.round(-Math.log(1 - rng.next()) * meanMs));
}

/**
 * A legitimate-looking account: varied prompts, random timing during working hours, some
 * multi-turn calls, an SDK client, moderate outputs.
 */
export function legitAccount(id: string, n: number, seed: number, startMs = T0): MoatEvent[] {
  const rng = new Rng(seed);
  const out: MoatEvent[] = [];
  let ms = startMs + 9 * HOUR + Math.floor(rng.next() * HOUR);
  for (let i = 0; i < n; i++) {
    ms += poissonGap(rng, 120_000);
    const hourOfDay = Math.floor(ms / HOUR) % 24;
    if (hourOfDay >= 18) ms += 15 * HOUR;
    const text = randomText(rng, 6 + Math.floor(rng.next() * 30));
    const multi = rng.next() < 0.4;
    const messages = multi
      ? [
          { role: 'user', content: randomText(rng, 8) },
          { role: 'assistant', content: 'earlier answer' },
          { role: 'user', content: text },
        ]
      : [{ role: 'user', content: text }];
    out.push(
      event({
        account: id,
        ms,
        client: {
          ip: `198.51.${seed % 250}.9`,
          user_agent: 'OpenAI/Python 1.40.0',
          payment_fp: `pm_${id}`,
        },
        input: { messages },
        usage: {
          input_tokens: 300 + Math.floor(rng.next() * 300),
          output_tokens: 120 + Math.floor(rng.next() * 200),
        },
      }),
    );
  }
  return out;
}

const HARVEST_TEMPLATE =
  'Solve the following problem. Think step by step and show your full reasoning before ' +
  'the final answer. Problem: ';

/** A harvesting account: a reasoning template, fixed pace, script client, long outputs. */
export function harvestAccount(
  id: string,
  n: number,
  seed: number,
  o: {
    startMs?: number;
    gapMs?: number;
    payment?: string;
    ip?: string;
    userAgent?: string;
    signupMs?: number;
  } = {},
): MoatEvent[] {
  const rng = new Rng(seed);
  const out: MoatEvent[] = [];
  let ms = o.startMs ?? T0;
  for (let i = 0; i < n; i++) {
    ms += o.gapMs ?? 30_000;
    out.push(
      event({
        account: id,
        ms,
        client: {
          ip: o.ip ?? `203.0.113.${seed % 250}`,
          user_agent: o.userAgent ?? 'python-requests/2.32',
          payment_fp: o.payment ?? `pm_${id}`,
          signup_ts: new Date(o.signupMs ?? T0 - HOUR).toISOString(),
        },
        params: { temperature: 0, n: 1, max_tokens: 4096 },
        input: userMessage(
          `${HARVEST_TEMPLATE}${randomText(rng, 12)} ${Math.floor(rng.next() * 1000)}`,
        ),
        usage: { input_tokens: 60, output_tokens: 900 + Math.floor(rng.next() * 300) },
      }),
    );
  }
  return out;
}

/** Merges event lists into one list in time order (stable). */
export function merge(...lists: MoatEvent[][]): MoatEvent[] {
  return lists.flat().sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
}
