import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

let t: TestGateway;

before(async () => {
  t = await startTestGateway({
    tiers: {
      standard: {},
      tight: { requests_per_minute: 2, max_concurrent: 1, logprobs: false, logit_bias: false },
      small: { tokens_per_minute: 300, default_output_tokens: 100 },
    },
  });
});
after(() => t.close());

const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
const client = (tier: string) =>
  new OpenAI({ apiKey: t.keys[tier], baseURL: `${t.gw.url}/v1`, maxRetries: 0 });

test('over requests_per_minute: 429 with Retry-After', async () => {
  const c = client('tight');
  await c.chat.completions.create(ask);
  await c.chat.completions.create(ask);
  const r = await fetch(`${t.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.keys.tight}`, 'content-type': 'application/json' },
    body: JSON.stringify(ask),
  });
  assert.equal(r.status, 429);
  const retry = Number(r.headers.get('retry-after'));
  assert.ok(retry >= 1 && retry <= 30, `Retry-After ${retry}`);
  const body = (await r.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'rate_limit_exceeded');
  assert.match(body.error.message, /requests limit/);
  assert.equal(t.gw.metrics.limited.get(['requests']), 1);
});

test('over tokens_per_minute: the estimate is refused, the SDK sees RateLimitError', async () => {
  const c = client('small');
  await c.chat.completions.create({ ...ask, max_tokens: 200 });
  await assert.rejects(
    c.chat.completions.create({ ...ask, max_tokens: 295 }),
    (err: unknown) =>
      err instanceof OpenAI.RateLimitError && err.headers.get('retry-after') !== null,
  );
});

test('settling returns unused tokens: a call that used few leaves room for the next', async () => {
  const c = client('small');
  // The first call reserved 201 tokens and used 19, so about 281 remain: 251 fits. Without the
  // refund at settlement only 99 would remain and this call would be refused.
  await c.chat.completions.create({ ...ask, max_tokens: 250 });
});

test('over max_concurrent while a stream is open: 429 concurrency', async () => {
  t.fake.chunkDelayMs = 100;
  const fresh = t.store.keys.create('acct_conc', 'tight').secret;
  const c = new OpenAI({ apiKey: fresh, baseURL: `${t.gw.url}/v1`, maxRetries: 0 });
  const stream = await c.chat.completions.create({ ...ask, stream: true });
  const iter = stream[Symbol.asyncIterator]();
  await iter.next();
  await assert.rejects(
    c.chat.completions.create(ask),
    (err: unknown) => err instanceof OpenAI.RateLimitError && /concurrency limit/.test(err.message),
  );
  for (let r = await iter.next(); !r.done; r = await iter.next());
  t.fake.chunkDelayMs = 1;
});

test('a parameter the tier forbids gets 403 naming it', async () => {
  const fresh = t.store.keys.create('acct_lp', 'tight').secret;
  const c = new OpenAI({ apiKey: fresh, baseURL: `${t.gw.url}/v1`, maxRetries: 0 });
  await assert.rejects(
    c.chat.completions.create({ ...ask, logprobs: true, top_logprobs: 5 }),
    (err: unknown) =>
      err instanceof OpenAI.PermissionDeniedError &&
      err.param === 'logprobs' &&
      err.code === 'parameter_not_allowed',
  );
  await assert.rejects(
    c.chat.completions.create({ ...ask, logit_bias: { '50256': -100 } }),
    (err: unknown) => err instanceof OpenAI.PermissionDeniedError && err.param === 'logit_bias',
  );
});
