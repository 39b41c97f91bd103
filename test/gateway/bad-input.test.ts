import Anthropic from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

let t: TestGateway;

before(async () => {
  t = await startTestGateway();
});
after(() => t.close());

async function post(path: string, body: string, key = t.keys.standard) {
  const r = await fetch(`${t.gw.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
  });
  return { status: r.status, headers: r.headers, body: (await r.json()) as any };
}

test('malformed JSON gets 400 in the OpenAI shape with a stable code', async () => {
  const r = await post('/v1/chat/completions', '{"model": "m", "messages": [');
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'invalid_request');
  assert.equal(r.body.error.type, 'invalid_request_error');
  assert.match(r.body.error.message, /not valid JSON/);
});

test('a field of the wrong type gets 400 naming the field', async () => {
  const r = await post(
    '/v1/chat/completions',
    JSON.stringify({ model: 'm', messages: [], temperature: 'hot' }),
  );
  assert.equal(r.status, 400);
  assert.equal(r.body.error.param, 'temperature');
  assert.match(r.body.error.message, /"temperature" must be a number/);
});

test('a message of the wrong shape is named with its index', async () => {
  const body = {
    model: 'm',
    messages: [
      { role: 'user', content: 'ok' },
      { role: 'user', content: 7 },
    ],
  };
  const r = await post('/v1/chat/completions', JSON.stringify(body));
  assert.equal(r.status, 400);
  assert.equal(r.body.error.param, 'messages[1].content');
});

test('the OpenAI SDK surfaces a missing field as BadRequestError', async () => {
  const openai = new OpenAI({ apiKey: t.keys.standard, baseURL: `${t.gw.url}/v1`, maxRetries: 0 });
  await assert.rejects(
    openai.chat.completions.create({ model: 'm', messages: 'hello' as never }),
    (err: unknown) =>
      err instanceof OpenAI.BadRequestError && /"messages" must be an array/.test(err.message),
  );
});

test('the Anthropic SDK gets errors in the Anthropic shape', async () => {
  const anthropic = new Anthropic({ apiKey: t.keys.standard, baseURL: t.gw.url, maxRetries: 0 });
  await assert.rejects(
    anthropic.messages.create({ model: 'c', max_tokens: 'ten' as never, messages: [] }),
    (err: unknown) => {
      assert.ok(err instanceof Anthropic.BadRequestError);
      const body = err.error as { type: string; error: { type: string; message: string } };
      assert.equal(body.type, 'error');
      assert.equal(body.error.type, 'invalid_request_error');
      assert.match(body.error.message, /"max_tokens" must be a whole number/);
      return true;
    },
  );
});

test('a body over the limit gets 413 while it is still being sent', async () => {
  // Stream the body in chunks without Content-Length; the answer must come before the client
  // has sent everything (the limit is 64 KiB, the client would send 1 MiB).
  const result = await new Promise<{ status: number; sentWhenAnswered: number }>(
    (resolve, reject) => {
      let sent = 0;
      const req = request(`${t.gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.keys.standard}`, 'content-type': 'application/json' },
      });
      req.on('response', (res) => {
        resolve({ status: res.statusCode ?? 0, sentWhenAnswered: sent });
        res.resume();
        req.destroy();
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(16 * 1024, 'a');
      const pump = () => {
        if (sent >= 1024 * 1024 || req.destroyed) return req.end();
        sent += chunk.length;
        req.write(chunk);
        setTimeout(pump, 5);
      };
      pump();
    },
  );
  assert.equal(result.status, 413);
  assert.ok(
    result.sentWhenAnswered < 1024 * 1024,
    `answered after ${result.sentWhenAnswered} bytes`,
  );
});

test('a declared Content-Length over the limit gets 413 with the SDK', async () => {
  const openai = new OpenAI({ apiKey: t.keys.standard, baseURL: `${t.gw.url}/v1`, maxRetries: 0 });
  await assert.rejects(
    openai.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x'.repeat(200_000) }],
    }),
    (err: unknown) =>
      err instanceof OpenAI.APIError && err.status === 413 && err.code === 'request_too_large',
  );
});

test('an unknown key gets 401 and an event under the anonymous account', async () => {
  const r = await post('/v1/chat/completions', '{}', 'moat_sk_nope');
  assert.equal(r.status, 401);
  assert.equal(r.body.error.code, 'invalid_api_key');
  await t.gw.flushEvents();
  const e = t.store.events.list({ account: 'anonymous' }).at(-1);
  assert.equal(e?.status, 401);
  assert.equal(e?.tier, null);
});

test('a revoked key gets 401 once the key index is refreshed', async () => {
  const { id, secret } = t.store.keys.create('acct_rev', 'standard');
  const ok = await post(
    '/v1/chat/completions',
    JSON.stringify({ model: 'm', messages: [] }),
    secret,
  );
  assert.equal(ok.status, 200);

  assert.equal(t.store.keys.revoke(id), true);
  t.gw.refreshKeys();
  const openai = new OpenAI({ apiKey: secret, baseURL: `${t.gw.url}/v1`, maxRetries: 0 });
  await assert.rejects(
    openai.chat.completions.create({ model: 'm', messages: [] }),
    (err: unknown) => err instanceof OpenAI.AuthenticationError && err.code === 'invalid_api_key',
  );
});

test('an unknown route gets 404 and the server keeps serving', async () => {
  const r = await post('/v1/nothing', '{}');
  assert.equal(r.status, 404);
  assert.equal(r.body.error.code, 'not_found');
  const health = await fetch(`${t.gw.url}/healthz`);
  assert.equal(health.status, 200);
});
