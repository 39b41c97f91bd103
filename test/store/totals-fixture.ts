import type { MoatEvent } from '../../src/core/event.js';
import type Database from 'better-sqlite3';

/** A small deterministic generator (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATUSES = [200, 200, 200, 200, 201, 400, 403, 429, 500, 502];
const TIERS = ['free', 'pro', null];

/**
 * `n` events (under 1,000, so no two share a time) of up to `accounts` accounts, some far busier
 * than others: mixed statuses (refused calls among them), tiers that change over time (some
 * absent), token counts, and arrival out of time order.
 */
export function mixedEvents(seed: number, n: number, accounts: number): MoatEvent[] {
  const rnd = random(seed);
  const start = Date.parse('2026-11-01T00:00:00.000Z');
  const out: MoatEvent[] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.floor(rnd() * rnd() * accounts);
    out.push({
      v: 1,
      id: `evt_${seed}_${i}`,
      // Unique times; the jitter makes arrival order differ from time order.
      ts: new Date(start + i * 1000 + Math.floor(rnd() * 200_000) * 1000 + i).toISOString(),
      account: `acct_${a}`,
      tier: TIERS[Math.floor(rnd() * TIERS.length)] ?? undefined,
      client: { ip: `198.51.100.${a % 250}` },
      route: 'chat.completions',
      model: 'm',
      params: {},
      usage: {
        input_tokens: Math.floor(rnd() * 2000),
        output_tokens: Math.floor(rnd() * 800),
      },
      status: STATUSES[Math.floor(rnd() * STATUSES.length)],
    });
  }
  return out;
}

/** The per-account totals exactly as the console computed them before: one full GROUP BY. */
export function fullGroupBy(db: Database.Database): Map<string, unknown> {
  const rows = db
    .prepare(
      `SELECT account, count(*) AS events, sum(status >= 400) AS refused,
         sum(input_tokens) AS inputTokens, sum(output_tokens) AS outputTokens,
         min(ts) AS firstTs, max(ts) AS lastTs,
         (SELECT tier FROM events e2 WHERE e2.account = events.account
           ORDER BY ts DESC LIMIT 1) AS tier
       FROM events GROUP BY account`,
    )
    .all() as { account: string }[];
  return new Map(rows.map(({ account, ...t }) => [account, t]));
}
