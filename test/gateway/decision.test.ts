import Anthropic from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import type { Decision } from '../../src/core/decision.js';
import type { ResponseMarker } from '../../src/core/marker.js';
import { ANSWER } from './helpers/fake-upstream.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

/** A decision per account, so each test sets what the policy says. */
const decisions = new Map<string, Decision>();
const calls: { account: string; tier: string }[] = [];

/** Upper-cases text: easy to see in JSON and SSE, and exercises both marker paths. */
const upper: ResponseMarker = {
  markJson(_api, _route, body) {
    const b = body as { choices?: { message: { content: string } }[] };
    for (const c of b.choices ?? []) c.message.content = c.message.content.toUpperCase();
    return body;
  },
  sse: () => ({
    push: (chunk) =>
      chunk.replace(/"content":"([^"]*)"/g, (_, s: string) => `"content":"${s.toUpperCase()}"`),
    end: () => '',
  }),
};

let t: TestGateway;

before(async () => {
  t = await startTestGateway(
    {
      tiers: {
        standard: { watermark: 'policy' },
        always: { watermark: 'always' },
        never: { watermark: 'never' },
      },
    },
    {
      decider: {
        decide(account, tier) {
          calls.push({ account, tier });
          if (account === 'acct_broken') throw new Error('policy bug');
          return decisions.get(account) ?? { watermark: false, rule: 'test-allow' };
        },
      },
      marker: upper,
    },
  );
});
after(() => t.close());

const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
const client = (key: string) =>
  new OpenAI({ apiKey: key, baseURL: `${t.gw.url}/v1`, maxRetries: 0 });

test('the decider is asked once per request with the account and tier', async () => {
  calls.length = 0;
  await client(t.keys.standard).chat.completions.create(ask);
  assert.deepEqual(calls, [{ account: 'acct_standard', tier: 'standard' }]);
});

test('deny account_blocked: 403 and the backend is not called', async () => {
  const { id: _id, secret } = t.store.keys.create('acct_blocked', 'standard');
  decisions.set('acct_blocked', {
    deny: { code: 'MOAT_ERR_ACCOUNT_BLOCKED' },
    watermark: false,
    rule: 'r',
  });
  const before = t.fake.bodies.length;
  await assert.rejects(
    client(secret).chat.completions.create(ask),
    (err: unknown) => err instanceof OpenAI.PermissionDeniedError && err.code === 'account_blocked',
  );
  assert.equal(t.fake.bodies.length, before);
});

test('deny verification_required carries the link, in the Anthropic shape too', async () => {
  const { secret } = t.store.keys.create('acct_verify', 'standard');
  const link = 'https://provider.example/verify?a=1';
  decisions.set('acct_verify', {
    deny: { code: 'MOAT_ERR_VERIFICATION_REQUIRED', link },
    watermark: false,
    rule: 'r',
  });
  const anthropic = new Anthropic({ apiKey: secret, baseURL: t.gw.url, maxRetries: 0 });
  await assert.rejects(
    anthropic.messages.create({
      model: 'c',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'x' }],
    }),
    (err: unknown) => {
      assert.ok(err instanceof Anthropic.PermissionDeniedError);
      const body = err.error as { error: { type: string; message: string } };
      assert.equal(body.error.type, 'permission_error');
      assert.ok(body.error.message.includes(link));
      return true;
    },
  );
});

test('degrade strips logprobs and logit_bias, caps n and max_tokens', async () => {
  const { secret } = t.store.keys.create('acct_degraded', 'standard');
  decisions.set('acct_degraded', {
    degrade: { maxTokens: 64, maxN: 1, stripReasoning: false },
    watermark: false,
    rule: 'r',
  });
  await client(secret).chat.completions.create({
    ...ask,
    logprobs: true,
    top_logprobs: 5,
    logit_bias: { '1': 5 },
    n: 4,
    max_tokens: 4000,
  });
  const sent = t.fake.bodies.at(-1) as Record<string, unknown>;
  assert.equal(sent.logprobs, undefined);
  assert.equal(sent.top_logprobs, undefined);
  assert.equal(sent.logit_bias, undefined);
  assert.equal(sent.n, 1);
  assert.equal(sent.max_tokens, 64);

  await t.gw.flushEvents();
  const params = JSON.parse(t.store.events.list({ account: 'acct_degraded' }).at(-1)!.params);
  assert.equal(params.logprobs, true, 'the event keeps what the caller asked for');
  assert.equal(params.logit_bias, 1);
});

test('throttle multiplies the tier limits', async () => {
  const { secret } = t.store.keys.create('acct_throttled', 'standard');
  // Default tier: 600 requests per minute; a 1/300 throttle leaves 2.
  decisions.set('acct_throttled', { throttle: 1 / 300, watermark: false, rule: 'r' });
  const c = client(secret);
  await c.chat.completions.create(ask);
  await c.chat.completions.create(ask);
  await assert.rejects(
    c.chat.completions.create(ask),
    (err: unknown) => err instanceof OpenAI.RateLimitError,
  );
});

test('watermark: policy marks only when the decision says so, JSON and SSE', async () => {
  const { secret } = t.store.keys.create('acct_marked', 'standard');
  const c = client(secret);
  assert.equal((await c.chat.completions.create(ask)).choices[0].message.content, ANSWER);

  decisions.set('acct_marked', { watermark: true, rule: 'r' });
  assert.equal(
    (await c.chat.completions.create(ask)).choices[0].message.content,
    ANSWER.toUpperCase(),
  );
  let text = '';
  for await (const chunk of await c.chat.completions.create({ ...ask, stream: true })) {
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  assert.equal(text, ANSWER.toUpperCase());
});

test('watermark: always and never override the decision', async () => {
  const a = await client(t.keys.always).chat.completions.create(ask);
  assert.equal(a.choices[0].message.content, ANSWER.toUpperCase());

  decisions.set('acct_never', { watermark: true, rule: 'r' });
  const n = await client(t.keys.never).chat.completions.create(ask);
  assert.equal(n.choices[0].message.content, ANSWER);
});

test('a decider that throws gives 500 internal_error, logged, and the gateway keeps serving', async () => {
  const { secret } = t.store.keys.create('acct_broken', 'standard');
  await assert.rejects(
    client(secret).chat.completions.create(ask),
    (err: unknown) => err instanceof OpenAI.InternalServerError && err.code === 'internal_error',
  );
  const ok = await client(t.keys.standard).chat.completions.create(ask);
  assert.equal(ok.choices[0].message.content, ANSWER);
});
