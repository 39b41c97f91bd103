import type { IncomingMessage, ServerResponse } from 'node:http';
import { MoatError } from '../core/errors.js';
import type { Reason } from '../core/verdict.js';
import type { PolicyEngine } from '../policy/engine.js';
import type { AuditEntry } from '../policy/records.js';
import type { SqliteStore } from '../store/sqlite.js';
import { ConsoleStats, type AccountTraffic } from './console-stats.js';
import { authorised, sendError, sendJson } from './http.js';

/** What the console's read endpoints work on. */
export interface ConsoleApiDeps {
  /** The admin bearer token (the same as the admin API's). */
  token?: string;
  engine: PolicyEngine;
  /** The event store; without one, traffic figures and activity are absent. */
  store?: SqliteStore;
}

/** Prefix of the console's read endpoints, inside the admin API's space. */
export const CONSOLE_API_PREFIX = '/admin/v1/console/';

/** How far back the audit trail is read to find first alerts and latest reasons. */
const AUDIT_WINDOW = 10_000;

/** What the engine's audit trail says about one account. */
interface AlertFacts {
  firstAlertTs: string | null;
  reasons: Reason[];
}

/**
 * Read endpoints the console needs beyond the admin API: accounts ranked by risk with their
 * traffic and first alert, clusters with summed figures, and one account's reasons, activity
 * and retained prompts. Answers paths under `/admin/v1/console/` (true) and leaves the rest
 * (false); mount it before the admin API, whose prefix contains this one.
 */
export function consoleApiHandler(
  deps: ConsoleApiDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const stats = deps.store ? new ConsoleStats(deps.store.db) : undefined;
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://console');
    if (!url.pathname.startsWith(CONSOLE_API_PREFIX)) return false;

    try {
      if (!authorised(req, deps.token)) throw new MoatError('MOAT_ERR_ADMIN_UNAUTHORIZED');
      if (req.method !== 'GET')
        throw new MoatError('MOAT_ERR_NOT_FOUND', `${req.method} ${url.pathname}`);
      const path = url.pathname.slice(CONSOLE_API_PREFIX.length).replace(/\/$/, '');
      const account = /^accounts\/([^/]+)$/.exec(path);

      if (path === 'accounts') sendJson(res, 200, await rankedAccounts(deps, stats, limitOf(url)));
      else if (path === 'clusters') sendJson(res, 200, await clusterFigures(deps, stats));
      else if (account) sendJson(res, 200, await accountDetail(deps, stats, decode(account[1])));
      else throw new MoatError('MOAT_ERR_NOT_FOUND', `GET ${url.pathname}`);
    } catch (err) {
      sendError(res, err);
    }
    return true;
  };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new MoatError(
      'MOAT_ERR_MALFORMED_REQUEST',
      'The account id is not valid percent-encoding.',
    );
  }
}

/**
 * First alert and latest reasons per account, and per cluster (its own entries have account
 * `*`), from the newest part of the audit trail.
 */
async function alertFacts(engine: PolicyEngine): Promise<Map<string, AlertFacts>> {
  const newestFirst = await engine.records.listAudit({ limit: AUDIT_WINDOW });
  const out = new Map<string, AlertFacts>();
  for (const e of newestFirst) {
    const key = e.account === '*' ? `cluster:${e.cluster}` : e.account;
    const f = out.get(key) ?? { firstAlertTs: null, reasons: [] };
    out.set(key, f);
    if (f.reasons.length === 0 && e.reasons.length > 0) f.reasons = e.reasons;
    if (isAlert(e)) f.firstAlertTs = e.ts;
  }
  return out;
}

function isAlert(e: AuditEntry): boolean {
  return e.by === 'engine' && e.verdict !== 'allow';
}

/** `?limit=N`: how many of the ranked accounts to send (default 5,000, at most 100,000). */
function limitOf(url: URL): number {
  const raw = url.searchParams.get('limit');
  if (raw === null) return 5000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) {
    throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', '"limit" must be an integer in 1..100000.');
  }
  return n;
}

async function rankedAccounts(
  deps: ConsoleApiDeps,
  stats: ConsoleStats | undefined,
  limit: number,
) {
  const { engine } = deps;
  const traffic = stats?.traffic() ?? new Map<string, AccountTraffic>();
  const facts = await alertFacts(engine);
  const ids = new Set([...engine.accountIds(), ...traffic.keys()]);

  const accounts = [...ids].map((id) => {
    const view = engine.view(id);
    const t = traffic.get(id);
    const f = facts.get(id);
    return {
      account: id,
      risk: view?.risk ?? 0,
      level: view?.level ?? 'allow',
      tier: t?.tier ?? view?.tier ?? null,
      cluster: view?.cluster ?? null,
      override: view?.override?.kind ?? null,
      rule: view?.decision.rule ?? null,
      events: t?.events ?? null,
      refused: t?.refused ?? null,
      lastTs: t?.lastTs ?? null,
      firstAlertTs: f?.firstAlertTs ?? null,
      topReason: f?.reasons[0]?.detail ?? null,
    };
  });
  accounts.sort((a, b) => b.risk - a.risk || (b.events ?? 0) - (a.events ?? 0));
  return {
    total: accounts.length,
    alerted: accounts.filter((a) => a.level !== 'allow').length,
    accounts: accounts.slice(0, limit),
    traffic: stats !== undefined,
  };
}

async function clusterFigures(deps: ConsoleApiDeps, stats?: ConsoleStats) {
  const traffic = stats?.traffic() ?? new Map<string, AccountTraffic>();
  const facts = await alertFacts(deps.engine);

  // Accounts that joined after the cluster's last verdict are members too.
  const joined = new Map<string, string[]>();
  for (const id of deps.engine.accountIds()) {
    const c = deps.engine.view(id)?.cluster;
    if (c) joined.set(c, [...(joined.get(c) ?? []), id]);
  }

  const clusters = deps.engine.clusterViews().map((view) => {
    const c = {
      ...view,
      accounts: [...new Set([...view.accounts, ...(joined.get(view.id) ?? [])])],
    };
    const members = c.accounts.map((id) => ({
      account: id,
      level: deps.engine.view(id)?.level ?? 'allow',
      risk: deps.engine.view(id)?.risk ?? 0,
      events: traffic.get(id)?.events ?? null,
    }));
    const sum = (k: 'events' | 'refused' | 'inputTokens' | 'outputTokens') =>
      c.accounts.reduce((n, id) => n + (traffic.get(id)?.[k] ?? 0), 0);
    const own = facts.get(`cluster:${c.id}`);
    const alerts = [own, ...c.accounts.map((id) => facts.get(id))]
      .map((f) => f?.firstAlertTs)
      .filter((t): t is string => typeof t === 'string')
      .sort();
    return {
      ...c,
      members,
      events: stats ? sum('events') : null,
      refused: stats ? sum('refused') : null,
      inputTokens: stats ? sum('inputTokens') : null,
      outputTokens: stats ? sum('outputTokens') : null,
      firstAlertTs: alerts[0] ?? null,
      reasons: own?.reasons ?? [],
    };
  });
  clusters.sort((a, b) => b.risk - a.risk);
  return { clusters };
}

async function accountDetail(deps: ConsoleApiDeps, stats: ConsoleStats | undefined, id: string) {
  const { engine } = deps;
  const view = engine.view(id);
  const traffic = stats?.traffic(id).get(id);
  if (!view && !traffic) throw new MoatError('MOAT_ERR_NOT_FOUND', `No account ${id}.`);

  const audit = await engine.records.listAudit({ account: id, limit: 200 });
  const alerts = audit.filter(isAlert);
  // The newest entry with reasons explains the account; a later reset means it was dismissed.
  const explained = audit.findIndex((e) => e.reasons.length > 0);
  const source = explained === -1 ? undefined : audit[explained];
  const reset = audit.slice(0, Math.max(0, explained)).find((e) => e.rule === 'analyst:reset');
  const open = await engine.records.listReviews({ status: 'open', limit: 1000 });

  return {
    account: id,
    risk: view?.risk ?? 0,
    level: view?.level ?? 'allow',
    tier: traffic?.tier ?? view?.tier ?? null,
    cluster: view?.cluster ?? null,
    clusterLevel: view?.clusterLevel ?? null,
    override: view?.override ?? null,
    decision: view?.decision ?? null,
    reasons: source?.reasons ?? [],
    reasonsFrom: source ? { ts: source.ts, rule: source.rule, by: source.by } : null,
    dismissed: reset ? { ts: reset.ts, by: reset.by } : null,
    firstAlertTs: alerts.at(-1)?.ts ?? null,
    traffic: traffic ?? null,
    activity: stats?.activity(id) ?? null,
    prompts: stats?.retainedPrompts(id) ?? [],
    reviews: open.filter((r) => r.account === id),
    audit: audit.slice(0, 50),
  };
}
