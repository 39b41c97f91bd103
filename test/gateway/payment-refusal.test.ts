import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { parsePolicyConfig } from '../../src/policy/config.js';
import { PolicyEngine } from '../../src/policy/engine.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

const policy = new PolicyEngine(
  parsePolicyConfig({
    tiers: {
      default: {
        thresholds: { watch: 0.5, review: 0.7, block: 0.9 },
        actions: { block: ['block'] },
      },
    },
  }),
);

let t: TestGateway;

before(async () => {
  t = await startTestGateway(
    {
      auth: {
        trusted_header: {
          account: 'x-provider-account',
          tier: 'x-provider-tier',
          payment_fp: 'x-provider-payment',
        },
      },
    },
    { decider: policy },
  );
  policy.applyVerdict({
    id: 'c_hydra',
    accounts: ['acct_h1', 'acct_h2'],
    risk: 0.97,
    verdict: 'block',
    reasons: [],
    ts: '2026-12-01T00:00:00Z',
    paymentFps: ['pm_hydra'],
  });
});
after(() => t.close());

const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

function client(headers: Record<string, string>, apiKey = 'unused') {
  return new OpenAI({
    apiKey,
    baseURL: `${t.gw.url}/v1`,
    maxRetries: 0,
    defaultHeaders: headers,
  });
}

const blocked = (err: unknown) =>
  err instanceof OpenAI.PermissionDeniedError && err.code === 'account_blocked';

test("a fresh account paying with a blocked cluster's card gets 403 on its first call", async () => {
  const seen = t.fake.bodies.length;
  const fresh = client({
    'x-provider-account': 'acct_new',
    'x-provider-tier': 'standard',
    'x-provider-payment': 'pm_hydra',
  });
  await assert.rejects(fresh.chat.completions.create(ask), blocked);
  assert.equal(t.fake.bodies.length, seen, 'the backend never saw the call');
  assert.equal(policy.view('acct_new')?.cluster, 'c_hydra');
});

test('a fresh account with another card is answered', async () => {
  const seen = t.fake.bodies.length;
  const other = client({
    'x-provider-account': 'acct_other',
    'x-provider-tier': 'standard',
    'x-provider-payment': 'pm_other',
  });
  const r = await other.chat.completions.create(ask);
  assert.ok(r.choices[0].message.content);
  assert.equal(t.fake.bodies.length, seen + 1);
});

test('a key holder cannot name a card: the header counts only with a trusted identity', async () => {
  const forged = client({ 'x-provider-payment': 'pm_hydra' }, t.keys.standard);
  const r = await forged.chat.completions.create(ask);
  assert.ok(r.choices[0].message.content);
  assert.equal(policy.view('acct_standard')?.cluster, undefined);
});

test("a key issued with the blocked cluster's card gets 403 on its first call", async () => {
  const seen = t.fake.bodies.length;
  const key = t.store.keys.create('acct_keyed', 'standard', { payment_fp: 'pm_hydra' }).secret;
  await assert.rejects(client({}, key).chat.completions.create(ask), blocked);
  assert.equal(t.fake.bodies.length, seen, 'the backend never saw the call');
  assert.equal(policy.view('acct_keyed')?.cluster, 'c_hydra');

  const own = t.store.keys.create('acct_keyed_own', 'standard', { payment_fp: 'pm_own' }).secret;
  const r = await client({}, own).chat.completions.create(ask);
  assert.ok(r.choices[0].message.content, 'a key with a card of its own is answered');
});
