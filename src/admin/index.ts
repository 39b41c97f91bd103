import type { IncomingMessage, ServerResponse } from 'node:http';
import { MoatError } from '../core/errors.js';
import { log } from '../core/log.js';
import { VERDICT_LEVELS, type VerdictLevel } from '../core/verdict.js';
import type { PolicyEngine } from '../policy/engine.js';
import { OVERRIDE_KINDS, type OverrideKind, type ReviewStatus } from '../policy/records.js';
import { falsePositiveLabels, resolveReview, type ReviewDecision } from '../policy/review.js';
import { checkKeyClient, KeyClientError, type KeyClient } from '../store/keys.js';
import { authorised, field, optional, readJson, sendError, sendJson } from './http.js';

/** Where the admin API reads and issues keys; the gateway's key table fits. */
export interface AdminKeys {
  create(
    account: string,
    tier: string,
    client?: KeyClient,
  ): { id: string; secret: string } | Promise<{ id: string; secret: string }>;
  revoke(id: string): boolean | Promise<boolean>;
  list(account?: string): unknown[] | Promise<unknown[]>;
}

/** What the admin API works on. */
export interface AdminDeps {
  /** The admin bearer token; without one every call is refused. */
  token?: string;
  engine: PolicyEngine;
  keys?: AdminKeys;
  /** The configured tiers (limits), shown beside the policy's tiers. */
  tiers?: Record<string, unknown>;
  /** Called after a key is issued or revoked (the gateway reloads its key index). */
  onKeysChanged?: () => void;
}

/** The admin API's prefix. */
export const ADMIN_PREFIX = '/admin/v1/';

type Handler = (m: string[], req: IncomingMessage, q: URLSearchParams) => Promise<unknown>;

/**
 * The admin API as a request handler the gateway mounts: it answers everything under
 * `/admin/v1/` (returns true) and leaves other paths alone (returns false). Accounts, keys,
 * tiers, overrides, alerts, audit, clusters, the review queue and calibration labels.
 */
export function adminHandler(
  deps: AdminDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const routes = buildRoutes(deps);
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin');
    if (!url.pathname.startsWith(ADMIN_PREFIX)) return false;

    try {
      if (!authorised(req, deps.token)) throw new MoatError('MOAT_ERR_ADMIN_UNAUTHORIZED');
      const path = url.pathname.slice(ADMIN_PREFIX.length).replace(/\/$/, '');
      for (const [method, pattern, handler] of routes) {
        const m = pattern.exec(path);
        if (!m || method !== req.method) continue;
        const result = await handler(m.slice(1).map(decodeURIComponent), req, url.searchParams);
        sendJson(res, req.method === 'POST' && /^keys$/.test(path) ? 201 : 200, result);
        return true;
      }
      throw new MoatError('MOAT_ERR_NOT_FOUND', `${req.method} ${url.pathname}`);
    } catch (err) {
      if (!(err instanceof MoatError)) log.error({ err: (err as Error).message }, 'admin error');
      sendError(res, err);
    }
    return true;
  };
}

function analyst(req: IncomingMessage, body: Record<string, unknown>): string {
  const header = req.headers['x-moat-analyst'];
  return optional(body, 'analyst') ?? (typeof header === 'string' ? header : 'admin');
}

function limitOf(q: URLSearchParams): number {
  const n = Number(q.get('limit') ?? 100);
  return Number.isInteger(n) && n > 0 && n <= 10_000 ? n : 100;
}

function level(v: string | undefined): VerdictLevel | undefined {
  if (v === undefined) return undefined;
  if (VERDICT_LEVELS.includes(v as VerdictLevel)) return v as VerdictLevel;
  throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', `"level" must be ${VERDICT_LEVELS.join('|')}.`);
}

function overrideFrom(body: Record<string, unknown>) {
  const kind = field(body, 'kind') as OverrideKind;
  if (!OVERRIDE_KINDS.includes(kind)) {
    throw new MoatError(
      'MOAT_ERR_MALFORMED_REQUEST',
      `"kind" must be ${OVERRIDE_KINDS.join('|')}.`,
    );
  }
  const tier = optional(body, 'tier');
  const lvl = level(optional(body, 'level'));
  if (kind === 'tier' && !tier) throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', '"tier" needed.');
  if (kind === 'level' && !lvl)
    throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', '"level" needed.');
  return { kind, tier, level: lvl };
}

function needKeys(deps: AdminDeps): AdminKeys {
  if (!deps.keys) throw new MoatError('MOAT_ERR_NOT_FOUND', 'This gateway has no key store.');
  return deps.keys;
}

function buildRoutes(deps: AdminDeps): [string, RegExp, Handler][] {
  const { engine } = deps;
  const records = engine.records;
  return [
    [
      'GET',
      /^accounts$/,
      async () => ({ accounts: engine.accountIds().map((a) => engine.view(a)) }),
    ],
    [
      'GET',
      /^accounts\/([^/]+)$/,
      async ([id]) => ({
        ...(engine.view(id) ?? { account: id, level: 'allow' }),
        audit: await records.listAudit({ account: id, limit: 50 }),
      }),
    ],
    [
      'GET',
      /^keys$/,
      async (_m, _r, q) => ({ keys: await needKeys(deps).list(q.get('account') ?? undefined) }),
    ],
    [
      'POST',
      /^keys$/,
      async (_m, req) => {
        const body = await readJson(req);
        const tier = field(body, 'tier');
        if (deps.tiers && !(tier in deps.tiers)) {
          throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', `Tier "${tier}" is not configured.`);
        }
        const key = await needKeys(deps).create(field(body, 'account'), tier, keyClient(body));
        deps.onKeysChanged?.();
        return key;
      },
    ],
    [
      'DELETE',
      /^keys\/([^/]+)$/,
      async ([id]) => {
        if (!(await needKeys(deps).revoke(id)))
          throw new MoatError('MOAT_ERR_NOT_FOUND', `No key ${id}.`);
        deps.onKeysChanged?.();
        return { revoked: id };
      },
    ],
    ['GET', /^tiers$/, async () => ({ tiers: deps.tiers ?? {}, policy: engine.config.tiers })],
    ['GET', /^overrides$/, async () => ({ overrides: engine.overrideList() })],
    [
      'PUT',
      /^overrides\/([^/]+)$/,
      async ([account], req) => {
        const body = await readJson(req);
        const o = { account, ...overrideFrom(body), reason: field(body, 'reason') };
        const override = { ...o, by: analyst(req, body), ts: new Date().toISOString() };
        engine.setOverride(override);
        await engine.flush();
        return override;
      },
    ],
    [
      'DELETE',
      /^overrides\/([^/]+)$/,
      async ([account], req) => {
        if (!engine.removeOverride(account, analyst(req, {}))) {
          throw new MoatError('MOAT_ERR_NOT_FOUND', `No override for ${account}.`);
        }
        await engine.flush();
        return { removed: account };
      },
    ],
    [
      'GET',
      /^alerts$/,
      async (_m, _r, q) => ({ alerts: await records.listAudit({ limit: limitOf(q) }) }),
    ],
    [
      'GET',
      /^audit$/,
      async (_m, _r, q) => ({
        audit: await records.listAudit({
          account: q.get('account') ?? undefined,
          limit: limitOf(q),
        }),
      }),
    ],
    ['GET', /^clusters$/, async () => ({ clusters: engine.clusterViews() })],
    [
      'GET',
      /^clusters\/([^/]+)$/,
      async ([id]) => {
        const c = engine.clusterViews().find((x) => x.id === id);
        if (!c) throw new MoatError('MOAT_ERR_NOT_FOUND', `No cluster ${id}.`);
        return c;
      },
    ],
    [
      'GET',
      /^reviews$/,
      async (_m, _r, q) => ({
        reviews: await records.listReviews({
          status: (q.get('status') ?? undefined) as ReviewStatus | undefined,
          limit: limitOf(q),
        }),
      }),
    ],
    [
      'POST',
      /^reviews\/([^/]+)$/,
      async ([id], req) => {
        const body = await readJson(req);
        const decision = field(body, 'decision');
        const who = analyst(req, body);
        const note = optional(body, 'note');
        let d: ReviewDecision;
        if (decision === 'confirm' || decision === 'dismiss') d = { decision, analyst: who, note };
        else if (decision === 'change') {
          const o = body.override;
          if (typeof o !== 'object' || o === null) {
            throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', '"override" must be an object.');
          }
          d = {
            decision,
            analyst: who,
            note,
            override: overrideFrom(o as Record<string, unknown>),
          };
        } else {
          throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', '"decision": confirm|dismiss|change.');
        }
        return resolveReview(engine, id, d);
      },
    ],
    ['GET', /^labels$/, async () => ({ labels: await falsePositiveLabels(records) })],
  ];
}

/** The optional `payment_fp` and `signup_ts` of a key request, checked; a 400 names a bad one. */
function keyClient(body: Record<string, unknown>): KeyClient | undefined {
  const client = {
    payment_fp: optional(body, 'payment_fp'),
    signup_ts: optional(body, 'signup_ts'),
  };
  try {
    return checkKeyClient(client);
  } catch (err) {
    if (!(err instanceof KeyClientError)) throw err;
    throw new MoatError('MOAT_ERR_MALFORMED_REQUEST', `Field "${err.field}" ${err.detail}.`);
  }
}
