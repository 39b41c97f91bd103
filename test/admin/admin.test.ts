import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminHandler } from '../../src/admin/index.js';
import { parsePolicyConfig } from '../../src/policy/config.js';
import { PolicyEngine } from '../../src/policy/engine.js';
import { SqliteRecords } from '../../src/policy/sqlite-records.js';
import { openStore } from '../../src/store/sqlite.js';

const TOKEN = 'admin-token-for-tests-0123';

async function setup() {
  const store = openStore(':memory:');
  const engine = new PolicyEngine(parsePolicyConfig({}), { records: new SqliteRecords(store.db) });
  let refreshed = 0;
  const handle = adminHandler({
    token: TOKEN,
    engine,
    keys: store.keys,
    tiers: { standard: {}, free: {} },
    onKeysChanged: () => refreshed++,
  });
  const server: Server = createServer(async (req, res) => {
    if (!(await handle(req, res))) {
      res.writeHead(418);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: string, path: string, body?: unknown, token = TOKEN) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'x-moat-analyst': 'ana' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };
  const close = () => {
    server.close();
    store.close();
  };
  return { engine, store, call, close, refreshed: () => refreshed, base };
}

test('the admin API refuses a wrong token and leaves other paths to the gateway', async () => {
  const s = await setup();
  try {
    const bad = await s.call('GET', '/admin/v1/accounts', undefined, 'nope');
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, 'admin_unauthorized');
    assert.equal((await fetch(`${s.base}/v1/models`)).status, 418);
    assert.equal((await s.call('GET', '/admin/v1/nothing')).status, 404);
  } finally {
    s.close();
  }
});

test('an override set through the API wins over the engine and shows in the audit', async () => {
  const s = await setup();
  try {
    s.engine.applyVerdict({ account: 'a1', risk: 0.99, verdict: 'block', reasons: [], ts: 'x' });
    assert.equal(s.engine.decide('a1', 'standard').deny?.code, 'MOAT_ERR_ACCOUNT_BLOCKED');

    const put = await s.call('PUT', '/admin/v1/overrides/a1', {
      kind: 'allow',
      reason: 'customer',
    });
    assert.equal(put.status, 200);
    assert.equal(s.engine.decide('a1', 'standard').deny, undefined);

    const view = await s.call('GET', '/admin/v1/accounts/a1');
    assert.equal(view.body.override.kind, 'allow');
    assert.deepEqual(
      view.body.audit.map((e: any) => `${e.rule}/${e.by}`),
      ['override:allow/ana', 'tier:default/block/engine'],
    );
    const bad = await s.call('PUT', '/admin/v1/overrides/a1', { kind: 'maybe', reason: 'x' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /"kind" must be/);

    assert.equal((await s.call('DELETE', '/admin/v1/overrides/a1')).status, 200);
    assert.equal(s.engine.decide('a1', 'standard').deny?.code, 'MOAT_ERR_ACCOUNT_BLOCKED');
  } finally {
    s.close();
  }
});

test('review queue: dismissing resets the account and becomes a false-positive label', async () => {
  const s = await setup();
  try {
    const reasons = [{ signal: 'template_repetition', value: 0.9, detail: '90% one template' }];
    s.engine.applyVerdict({ account: 'b1', risk: 0.8, verdict: 'review', reasons, ts: 'x' });
    s.engine.applyVerdict({ account: 'b2', risk: 0.8, verdict: 'review', reasons, ts: 'x' });
    await s.engine.flush();

    const open = await s.call('GET', '/admin/v1/reviews?status=open');
    assert.equal(open.body.reviews.length, 2);
    const item = open.body.reviews.find((r: any) => r.account === 'b1');
    const other = open.body.reviews.find((r: any) => r.account === 'b2');

    const dismissed = await s.call('POST', `/admin/v1/reviews/${item.id}`, { decision: 'dismiss' });
    assert.equal(dismissed.body.status, 'dismissed');
    assert.equal(s.engine.decide('b1', 'standard').rule, 'tier:standard/allow');
    const again = await s.call('POST', `/admin/v1/reviews/${item.id}`, { decision: 'confirm' });
    assert.equal(again.status, 400);

    const changed = await s.call('POST', `/admin/v1/reviews/${other.id}`, {
      decision: 'change',
      override: { kind: 'block' },
      note: 'confirmed harvester',
    });
    assert.equal(changed.body.status, 'changed');
    assert.equal(s.engine.decide('b2', 'standard').deny?.code, 'MOAT_ERR_ACCOUNT_BLOCKED');

    const labels = await s.call('GET', '/admin/v1/labels');
    assert.equal(labels.body.labels.length, 1);
    assert.equal(labels.body.labels[0].account, 'b1');
    assert.equal(labels.body.labels[0].label, 'legit');
    assert.deepEqual(labels.body.labels[0].signals, ['template_repetition']);
  } finally {
    s.close();
  }
});

test('a key can carry payment and sign-up facts; a bad one is a 400 naming it', async () => {
  const s = await setup();
  try {
    const body = { account: 'c2', tier: 'free', payment_fp: 'pm_c2', signup_ts: '2026-12-01' };
    const made = await s.call('POST', '/admin/v1/keys', body);
    assert.equal(made.status, 201);
    const key = s.store.keys.active().find((k) => k.id === made.body.id);
    assert.deepEqual(key?.client, { payment_fp: 'pm_c2', signup_ts: '2026-12-01' });

    const bad = await s.call('POST', '/admin/v1/keys', { ...body, signup_ts: 'soon' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /"signup_ts" must be a date/);
    const wrongType = await s.call('POST', '/admin/v1/keys', { ...body, payment_fp: 7 });
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.body.error.message, /"payment_fp"/);
    assert.equal(s.store.keys.list('c2').length, 1, 'refused requests issue no key');
  } finally {
    s.close();
  }
});

test('keys are issued and revoked through the API; the gateway is told to reload', async () => {
  const s = await setup();
  try {
    const made = await s.call('POST', '/admin/v1/keys', { account: 'c1', tier: 'free' });
    assert.equal(made.status, 201);
    assert.match(made.body.secret, /^moat_sk_/);
    const unknownTier = await s.call('POST', '/admin/v1/keys', { account: 'c1', tier: 'gold' });
    assert.equal(unknownTier.status, 400);

    const listed = await s.call('GET', '/admin/v1/keys?account=c1');
    assert.equal(listed.body.keys.length, 1);
    assert.equal(JSON.stringify(listed.body).includes(made.body.secret), false);

    assert.equal((await s.call('DELETE', `/admin/v1/keys/${made.body.id}`)).status, 200);
    assert.equal((await s.call('DELETE', `/admin/v1/keys/${made.body.id}`)).status, 404);
    assert.equal(s.refreshed(), 2);
  } finally {
    s.close();
  }
});
