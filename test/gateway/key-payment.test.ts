import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { parsePolicyConfig } from '../../src/policy/config.js';
import { PolicyEngine } from '../../src/policy/engine.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

// The real policy engine decides for the gateway; a blocked cluster's verdict lists the card
// its accounts share. A new account whose key was issued with that card is refused at once.
const policy = new PolicyEngine(
  parsePolicyConfig({
    tiers: {
      default: {
        thresholds: { watch: 0.5, review: 0.7, block: 0.9 },
        actions: { watch: ['watermark'], review: ['degrade', 'review'], block: ['block'] },
      },
    },
  }),
);
let t: TestGateway;

before(async () => {
  t = await startTestGateway({}, { decider: policy });
  policy.applyVerdict({
    id: 'c1',
    accounts: ['h1', 'h2'],
    risk: 0.95,
    verdict: 'block',
    reasons: [],
    ts: '2026-12-01T00:00:00Z',
    paymentFps: ['pm_hydra'],
  });
});
after(() => t.close());

const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
const client = (key: string) =>
  new OpenAI({ apiKey: key, baseURL: `${t.gw.url}/v1`, maxRetries: 0 });

test("a key issued with a blocked cluster's card is refused on its first call", async () => {
  const key = t.store.keys.create('h3', 'standard', { payment_fp: 'pm_hydra' }).secret;
  await assert.rejects(
    client(key).chat.completions.create(ask),
    (err: unknown) => err instanceof OpenAI.APIError && err.status === 403,
  );
  assert.equal(policy.view('h3')?.cluster, 'c1');

  const other = t.store.keys.create('h4', 'standard', { payment_fp: 'pm_own' }).secret;
  const answer = await client(other).chat.completions.create(ask);
  assert.ok(answer.choices[0].message.content, 'a card of its own is answered');
});
