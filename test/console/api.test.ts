import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { consoleApiHandler, type ConsoleApiDeps } from '../../src/admin/console-api.js';
import type { MoatEvent } from '../../src/core/event.js';
import { parsePolicyConfig } from '../../src/policy/config.js';
import { PolicyEngine } from '../../src/policy/engine.js';
import { quietAccount, reviewTarget, seed, TOKEN } from './seed.js';

async function serve(deps: ConsoleApiDeps) {
  const handle = consoleApiHandler(deps);
  const server: Server = createServer(async (req, res) => {
    if (!(await handle(req, res))) {
      res.writeHead(418);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (path: string, token = TOKEN) => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };
  return { server, get };
}

function countBy(events: MoatEvent[], account: string): number {
  return events.filter((e) => e.account === account).length;
}

test('accounts come ranked by risk with their event counts, tier and first alert', async () => {
  const s = await seed();
  const { server, get } = await serve({ token: TOKEN, engine: s.engine, store: s.store });
  try {
    assert.equal((await get('/admin/v1/console/accounts', 'wrong')).status, 401);
    assert.equal((await get('/admin/v1/console/nothing')).status, 404);
    assert.equal((await get('/admin/v1/accounts')).status, 418, 'the admin API is left alone');

    const { body } = await get('/admin/v1/console/accounts');
    assert.equal(body.traffic, true);
    assert.equal(body.total, body.accounts.length);
    const top = await get('/admin/v1/console/accounts?limit=3');
    assert.deepEqual(
      top.body.accounts.map((a: any) => a.account),
      body.accounts.slice(0, 3).map((a: any) => a.account),
    );
    assert.equal(top.body.total, body.total);
    assert.equal(top.body.alerted, body.accounts.filter((a: any) => a.level !== 'allow').length);
    assert.equal((await get('/admin/v1/console/accounts?limit=0')).status, 400);
    assert.equal(body.accounts.length, new Set(s.events.map((e) => e.account)).size);
    const risks = body.accounts.map((a: any) => a.risk);
    assert.deepEqual(
      [...risks].sort((a, b) => b - a),
      risks,
    );

    const { account: id, item } = await reviewTarget(s);
    const alerted = body.accounts.find((a: any) => a.account === id);
    assert.equal(alerted.events, countBy(s.events, id));
    assert.equal(alerted.level, s.engine.view(id)?.level);
    assert.equal(alerted.tier, 'standard');
    assert.ok(alerted.firstAlertTs <= item.ts, 'first alert at or before the review it queued');
    const audit = await s.engine.records.listAudit({ account: id });
    assert.equal(alerted.topReason, audit.find((e) => e.reasons.length)?.reasons[0].detail);

    const quietId = quietAccount(s);
    const quiet = body.accounts.find((a: any) => a.account === quietId);
    assert.equal(quiet.level, 'allow');
    assert.equal(quiet.firstAlertTs, null);
    assert.equal(quiet.events, countBy(s.events, quietId));
  } finally {
    server.close();
    s.store.close();
  }
});

test('account detail: reasons, activity adding up to its events, audit, reviews', async () => {
  const s = await seed();
  const { server, get } = await serve({ token: TOKEN, engine: s.engine, store: s.store });
  try {
    const { account: id, item } = await reviewTarget(s);
    const { body } = await get(`/admin/v1/console/accounts/${encodeURIComponent(id)}`);
    assert.ok(body.reasons.length > 0);
    assert.ok(body.reasons.every((r: any) => typeof r.detail === 'string' && r.detail));
    const a = body.activity;
    const total =
      a.ok.reduce((x: number, v: number) => x + v, 0) +
      a.refused.reduce((x: number, v: number) => x + v, 0);
    assert.equal(total, countBy(s.events, id));
    assert.equal(a.ok.length, 48);
    assert.equal(a.from, s.events.find((e) => e.account === id)?.ts);
    assert.deepEqual(body.prompts, [], 'a standard tier keeps no prompt text');
    assert.deepEqual(
      body.reviews.map((r: any) => r.id),
      [item.id],
    );
    assert.ok(body.audit.every((e: any) => e.account === id));
    assert.equal(body.decision.rule, s.engine.view(id)?.decision.rule);

    assert.equal((await get('/admin/v1/console/accounts/nobody')).status, 404);
    assert.equal((await get('/admin/v1/console/accounts/%E0%A4%A')).status, 400);
  } finally {
    server.close();
    s.store.close();
  }
});

test('prompts are shown only for a tier that retains text', async () => {
  const s = await seed();
  const { server, get } = await serve({ token: TOKEN, engine: s.engine, store: s.store });
  try {
    const { body } = await get('/admin/v1/console/accounts/legit0');
    assert.equal(body.tier, 'research');
    const last = s.events.filter((e) => e.account === 'legit0').at(-1)!;
    const messages = last.input?.messages ?? [];
    const text = messages.filter((m) => m.role === 'user').at(-1)?.content;
    assert.equal(body.prompts.length, 5);
    assert.equal(body.prompts[0].text, String(text).slice(0, 400));
  } finally {
    server.close();
    s.store.close();
  }
});

test('clusters carry their members and summed figures', async () => {
  const s = await seed();
  const { server, get } = await serve({ token: TOKEN, engine: s.engine, store: s.store });
  try {
    const { body } = await get('/admin/v1/console/clusters');
    assert.ok(body.clusters.length >= 1);
    const c = body.clusters[0];
    const expected = c.accounts.reduce((n: number, id: string) => n + countBy(s.events, id), 0);
    assert.equal(c.events, expected);
    assert.equal(c.members.length, c.accounts.length);
    assert.ok(c.accounts.every((id: string) => s.engine.view(id)?.cluster === c.id));
    assert.ok(c.firstAlertTs);
    assert.ok(c.reasons.length > 0);
  } finally {
    server.close();
    s.store.close();
  }
});

test('without an event store the figures are unknown, not zero', async () => {
  const engine = new PolicyEngine(parsePolicyConfig({}));
  engine.applyVerdict({ account: 'x1', risk: 0.8, verdict: 'review', reasons: [], ts: 'x' });
  await engine.flush();
  const { server, get } = await serve({ token: TOKEN, engine });
  try {
    const { body } = await get('/admin/v1/console/accounts');
    assert.equal(body.traffic, false);
    assert.equal(body.accounts[0].events, null);
    const detail = await get('/admin/v1/console/accounts/x1');
    assert.equal(detail.body.activity, null);
    assert.equal(detail.body.level, 'review');
  } finally {
    server.close();
  }
});
