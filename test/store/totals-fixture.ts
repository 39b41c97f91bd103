import type { MoatEvent } from '../../src/core/event.js';
import type Database from 'better-sqlite3';
import { Rng } from '../../src/sim/rng.js';

const STATUSES = [200, 200, 200, 200, 201, 400, 403, 429, 500, 502];
const TIERS = ['free', 'pro', null];

/**
 * `n` events (under 1,000, so no two share a time) of up to `accounts` accounts, some far busier
 * than others: mixed statuses (refused calls among them), tiers that change over time (some
 * absent), token counts, and arrival out of time order.
 */
export function mixedEvents(seed: number, n: number, accounts: number): MoatEvent[] {
  const rng = new Rng(seed);
  const start = Date.parse('2026-11-01T00:00:00.000Z');
  const out: MoatEvent[] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.floor(rng.next() * rng.next() * accounts);
    out.push({
      v: 1,
      id: `evt_${seed}_${i}`,
      // Unique times; the jitter makes arrival order differ from time order.
      ts: new Date(start + i * 1000 + Math.floor(rng.next() * 200_000) * 1000 + i).toISOString(),
      account: `acct_${a}`,
      tier: TIERS[Math.floor(rng.next() * TIERS.length)] ?? undefined,
      client: { ip: `198.51.100.${a % 250}` },
      route: 'chat.completions',
      model: 'm',
      params: {},
      usage: {
        input_tokens: Math.floor(rng.next() * 2000),
        output_tokens: Math.floor(rng.next() * 800),
      },
      status: STATUSES[Math.floor(rng.next() * STATUSES.length)],
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
