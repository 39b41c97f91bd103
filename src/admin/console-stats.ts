import type Database from 'better-sqlite3';

/** Traffic figures of one account, read from the event store. */
export interface AccountTraffic {
  events: number;
  /** Calls the gateway refused (status 400 and above). */
  refused: number;
  inputTokens: number;
  outputTokens: number;
  firstTs: string;
  lastTs: string;
  /** The tier of the account's latest event. */
  tier: string | null;
}

/** Counts over time for one account: `ok[i]` and `refused[i]` cover `[from + i*bucketMs, ...)`. */
export interface Activity {
  from: string;
  to: string;
  bucketMs: number;
  ok: number[];
  refused: number[];
  /** How many of the account's latest events the chart covers (it reads at most a cap). */
  events: number;
}

/** A prompt the account's tier retained, cut to a readable length. */
export interface RetainedPrompt {
  ts: string;
  text: string;
}

const BUCKETS = 48;
const ACTIVITY_CAP = 20_000;
const PROMPT_CHARS = 400;

/**
 * Read-only queries over the event store for the console: per-account totals, counts over time
 * and retained prompts. Events stored without text (the default) never yield a prompt.
 */
export class ConsoleStats {
  constructor(private readonly db: Database.Database) {}

  /**
   * Totals of every account that has events, or of one, from the per-account totals the event
   * writer keeps: one row per account, however many events the store holds.
   */
  traffic(account?: string): Map<string, AccountTraffic> {
    const where = account === undefined ? '' : 'WHERE account = @account';
    const query = this.db.prepare(
      `SELECT account, events, refused, input_tokens AS inputTokens,
           output_tokens AS outputTokens, first_ts AS firstTs, last_ts AS lastTs, tier
         FROM account_totals ${where}`,
    );
    const rows = (
      account === undefined ? query.all() : query.all({ account })
    ) as (AccountTraffic & {
      account: string;
    })[];
    return new Map(rows.map(({ account: id, ...t }) => [id, t]));
  }

  /** The account's latest events (up to a cap) as counts in 48 equal buckets. */
  activity(account: string): Activity | null {
    const rows = this.db
      .prepare(`SELECT ts, status FROM events WHERE account = ? ORDER BY ts DESC, id DESC LIMIT ?`)
      .all(account, ACTIVITY_CAP) as { ts: string; status: number }[];
    if (rows.length === 0) return null;

    const times = rows.map((r) => Date.parse(r.ts));
    const from = Math.min(...times);
    const to = Math.max(...times);
    const bucketMs = Math.max(1000, Math.ceil((to - from + 1) / BUCKETS));
    const ok = new Array<number>(BUCKETS).fill(0);
    const refused = new Array<number>(BUCKETS).fill(0);
    rows.forEach((r, i) => {
      const b = Math.min(BUCKETS - 1, Math.floor((times[i] - from) / bucketMs));
      if (r.status >= 400) refused[b]++;
      else ok[b]++;
    });

    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      bucketMs,
      ok,
      refused,
      events: rows.length,
    };
  }

  /** The latest prompts whose text the tier retained (and whose time to live has not passed). */
  retainedPrompts(account: string, limit = 5): RetainedPrompt[] {
    const rows = this.db
      .prepare(
        `SELECT ts, input FROM events WHERE account = ? AND input IS NOT NULL
         ORDER BY ts DESC LIMIT ?`,
      )
      .all(account, limit) as { ts: string; input: string }[];
    return rows.flatMap((r) => {
      const text = lastUserText(r.input);
      return text ? [{ ts: r.ts, text: text.slice(0, PROMPT_CHARS) }] : [];
    });
  }
}

function lastUserText(raw: string): string | null {
  let input: { messages?: { role?: string; content?: unknown }[]; prompt?: unknown };
  try {
    input = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof input.prompt === 'string') return input.prompt;

  const users = (input.messages ?? []).filter((m) => m.role === 'user');
  const content = users.at(-1)?.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const parts = content.map((p) => (typeof p?.text === 'string' ? p.text : ''));
  return parts.join(' ').trim() || null;
}
