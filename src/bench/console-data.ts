import type { MoatEvent } from '../core/event.js';
import { Rng } from '../sim/rng.js';

/** Milliseconds `fn` took, wall clock. */
export function timeMs(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const START = Date.parse('2026-11-01T00:00:00.000Z');

/**
 * `batches` batches of `size` events as the gateway records them (no text kept), numbered from
 * `first`: one event every 10 ms, each from one of `accounts` accounts picked at random, about
 * one in twenty refused (429), prompt and completion token counts of a chat call.
 */
export function writerEvents(
  first: number,
  batches: number,
  size: number,
  accounts: number,
): MoatEvent[][] {
  const rng = new Rng(first + 1);
  const out: MoatEvent[][] = [];
  for (let b = 0; b < batches; b++) {
    const batch: MoatEvent[] = [];
    for (let j = 0; j < size; j++) {
      const i = first + b * size + j;
      const a = rng.int(accounts);
      const refused = rng.next() < 0.05;
      batch.push({
        v: 1,
        id: `evt_${i.toString(36).padStart(8, '0')}`,
        ts: new Date(START + i * 10).toISOString(),
        account: `acct_${a}`,
        key: `key_${a}`,
        tier: a % 10 === 0 ? 'pro' : 'free',
        client: { ip: `198.51.${(a >> 8) & 255}.${a & 255}`, user_agent: 'OpenAI/Python 1.54.0' },
        route: 'chat.completions',
        model: 'gpt-4o-mini',
        params: { temperature: 0.7, max_tokens: 256, stream: rng.next() < 0.5 },
        usage: refused
          ? { input_tokens: 0, output_tokens: 0 }
          : {
              input_tokens: 80 + Math.floor(rng.next() * 400),
              output_tokens: Math.floor(rng.next() * 256),
            },
        status: refused ? 429 : 200,
        latency_ms: refused ? 1 : 200 + Math.floor(rng.next() * 800),
      });
    }
    out.push(batch);
  }
  return out;
}
