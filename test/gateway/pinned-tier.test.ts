import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import type { Decision } from '../../src/core/decision.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

/** The tier the policy pins per account; accounts not listed keep their key's tier. */
const pins = new Map<string, string>();

let t: TestGateway;

before(async () => {
  t = await startTestGateway(
    {
      tiers: {
        tight: { requests_per_minute: 1, max_concurrent: 1, logprobs: false },
        roomy: { requests_per_minute: 100, retain_text: true },
      },
    },
    {
      decider: {
        decide(account): Decision {
          const tier = pins.get(account);
          return tier ? { watermark: false, rule: 'override:tier', tier } : ALLOW;
        },
      },
    },
  );
});
after(() => t.close());

const ALLOW: Decision = { watermark: false, rule: 'test-allow' };
const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'pinned hello' }] };
const client = (key: string) =>
  new OpenAI({ apiKey: key, baseURL: `${t.gw.url}/v1`, maxRetries: 0 });

test('without a pin the key tier limits apply: the second call of a minute gets 429', async () => {
  const c = client(t.store.keys.create('acct_unpinned', 'tight').secret);
  await c.chat.completions.create(ask);
  await assert.rejects(c.chat.completions.create(ask), OpenAI.RateLimitError);
});

test('a pinned tier replaces the key tier for limits, parameters and retention', async () => {
  const c = client(t.store.keys.create('acct_pinned', 'tight').secret);
  pins.set('acct_pinned', 'roomy');

  for (let i = 0; i < 3; i++) await c.chat.completions.create(ask);
  await c.chat.completions.create({ ...ask, logprobs: true, top_logprobs: 2 });

  await t.gw.flushEvents();
  const rows = t.store.events.list({ account: 'acct_pinned' });
  assert.equal(rows.length, 4);
  for (const row of rows) {
    assert.equal(row.status, 200);
    assert.equal(row.tier, 'roomy', 'the event records the tier in force');
    assert.match(row.input ?? '', /pinned hello/, 'roomy retains text, tight would not');
  }
});

test('a pin naming a tier the config lacks is ignored: the key tier still limits', async () => {
  const c = client(t.store.keys.create('acct_badpin', 'tight').secret);
  pins.set('acct_badpin', 'no-such-tier');

  await c.chat.completions.create(ask);
  await assert.rejects(c.chat.completions.create(ask), OpenAI.RateLimitError);
  await t.gw.flushEvents();
  const rows = t.store.events.list({ account: 'acct_badpin' });
  assert.deepEqual(
    rows.map((r) => [r.tier, r.input]),
    [
      ['tight', null],
      ['tight', null],
    ],
  );
});
