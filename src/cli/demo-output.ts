import type { Stack } from '../app/stack.js';
import type { MoatEvent } from '../core/event.js';
import type { PolicyChange } from '../policy/engine.js';
import type { Actor } from './demo-actors.js';

/** What the demo printed, for its closing summary. */
export interface DemoTally {
  calls: number;
  /** Policy changes printed (escalations, relaxations, cluster joins). */
  detections: number;
  refusals: number;
  /** Accounts that reached `block`. */
  blocked: Set<string>;
}

const RATE_EVERY_MS = 10_000;

function clock(ms = Date.now()): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/**
 * Prints what happens as it happens: every policy change with its level, actions and top
 * reason; the first refusal of each account; and every ten seconds one line with the call
 * rate and statuses instead of a line per call. Returns the running tally and a stop function.
 */
export function reportLive(
  stack: Stack,
  actors: Actor[],
  write: (line: string) => void,
): { tally: DemoTally; stop(): void } {
  const roles = new Map(actors.map((a) => [a.account, a.role]));
  const tally: DemoTally = { calls: 0, detections: 0, refusals: 0, blocked: new Set() };
  const refused = new Set<string>();
  let window = { calls: 0, byStatus: new Map<number, number>(), attackers: 0 };

  stack.plane.engine.onChange((change) => {
    const line = describeChange(change);
    if (!line) return;
    tally.detections++;
    if (change.entry.verdict === 'block' && change.entry.account !== '*') {
      tally.blocked.add(change.entry.account);
    }
    write(line);
  });

  stack.gateway.onEvent((e: MoatEvent) => {
    tally.calls++;
    window.calls++;
    window.byStatus.set(e.status, (window.byStatus.get(e.status) ?? 0) + 1);
    if (roles.get(e.account) === 'attacker') window.attackers++;
    if (e.status !== 403) return;

    tally.refusals++;
    if (refused.has(e.account)) return;
    refused.add(e.account);
    const code = stack.plane.engine.view(e.account)?.decision.deny?.code ?? 'refused';
    const why = code.replace('MOAT_ERR_', '').toLowerCase();
    write(`${clock(Date.parse(e.ts))}  REFUSED  ${e.account} gets 403 ${why} (later ones counted)`);
  });

  const timer = setInterval(() => {
    const statuses = [...window.byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}:${n}`)
      .join(' ');
    const rate = (window.calls / (RATE_EVERY_MS / 1000)).toFixed(1);
    const mix = `${window.calls - window.attackers} customer, ${window.attackers} attacker`;
    write(`${clock()}  ...      ${rate} calls/s (${mix}) ${statuses}`);
    window = { calls: 0, byStatus: new Map(), attackers: 0 };
  }, RATE_EVERY_MS);
  timer.unref();

  return { tally, stop: () => clearInterval(timer) };
}

/** One line for a policy change worth showing, or null. */
function describeChange(change: PolicyChange): string | null {
  const e = change.entry;
  if (change.kind === 'joined' && e.account === '*') return null;

  const who = e.account === '*' ? `cluster ${e.cluster}` : e.account;
  const linked = e.account !== '*' && e.cluster ? ` (cluster ${e.cluster})` : '';
  const top = e.reasons[0];
  const reason = top ? `  ${top.signal}: ${top.detail}` : '';
  const verb = change.kind === 'joined' ? 'LINKED  ' : change.kind === 'relaxed' ? 'RELAXED ' : '';
  const head = verb || 'DETECTED';
  const actions = e.actions.filter((a) => a !== 'allow').join('+') || 'allow';
  const risk = e.risk.toFixed(2);
  const time = clock(Date.parse(e.ts));
  return `${time}  ${head} ${who}${linked} -> ${e.verdict} [${actions}] risk ${risk}${reason}`;
}
