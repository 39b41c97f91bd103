import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

let t: TestGateway;
let openai: OpenAI;

before(async () => {
  t = await startTestGateway({ upstream: { headers_timeout_ms: 500, body_timeout_ms: 500 } });
  openai = new OpenAI({ apiKey: t.keys.standard, baseURL: `${t.gw.url}/v1`, maxRetries: 0 });
});
after(() => t.close());
beforeEach(() => {
  t.fake.mode = 'ok';
  t.fake.chunkDelayMs = 1;
});

const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

async function lastEvent() {
  await t.gw.flushEvents();
  return t.store.events.list().at(-1)!;
}

test('a backend that refuses connections gives 502 upstream_error', async () => {
  const dead = await startTestGateway({ upstream: { url: 'http://127.0.0.1:9' } });
  try {
    const client = new OpenAI({
      apiKey: dead.keys.standard,
      baseURL: `${dead.gw.url}/v1`,
      maxRetries: 0,
    });
    await assert.rejects(
      client.chat.completions.create(ask),
      (err: unknown) =>
        err instanceof OpenAI.APIError && err.status === 502 && err.code === 'upstream_error',
    );
    assert.equal(dead.gw.metrics.upstreamErrors.get(['refused']), 1);
  } finally {
    await dead.close();
  }
});

test('a backend too slow to answer gives 504 upstream_timeout', async () => {
  t.fake.mode = 'slow-headers';
  t.fake.slowMs = 1_500;
  const started = Date.now();
  await assert.rejects(
    openai.chat.completions.create(ask),
    (err: unknown) =>
      err instanceof OpenAI.APIError && err.status === 504 && err.code === 'upstream_timeout',
  );
  assert.ok(Date.now() - started < 1_400, 'the 500 ms headers timeout applied');
  assert.equal((await lastEvent()).status, 504);
});

test('a backend reset mid-stream ends the stream with an error the SDK raises', async () => {
  t.fake.mode = 'reset-mid-stream';
  const stream = await openai.chat.completions.create({ ...ask, stream: true });
  let text = '';
  await assert.rejects(
    (async () => {
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    })(),
    (err: unknown) =>
      err instanceof OpenAI.APIError && /backend refused or dropped/.test(err.message),
  );
  assert.ok(text.length > 0, 'the chunks before the reset were relayed');
  const e = await lastEvent();
  assert.equal(e.status, 502);
});

test('a backend that stalls mid-stream is cut after the body timeout with 504', async () => {
  t.fake.mode = 'stall-mid-stream';
  t.fake.slowMs = 3_000;
  const stream = await openai.chat.completions.create({ ...ask, stream: true });
  await assert.rejects(
    (async () => {
      for await (const _ of stream);
    })(),
    (err: unknown) => err instanceof OpenAI.APIError && /did not answer in time/.test(err.message),
  );
  assert.equal((await lastEvent()).status, 504);
});

test('a backend 500 passes through with its own body', async () => {
  t.fake.mode = 'error-500';
  await assert.rejects(
    openai.chat.completions.create(ask),
    (err: unknown) =>
      err instanceof OpenAI.InternalServerError && /backend broke/.test(err.message),
  );
  assert.equal((await lastEvent()).status, 500);
});

test('a client that disconnects mid-stream ends the upstream request too', async () => {
  t.fake.chunkDelayMs = 300;
  const abandoned = t.fake.nextAbandon();
  const before = t.fake.abandoned;
  const controller = new AbortController();
  const stream = await openai.chat.completions.create(
    { ...ask, stream: true },
    { signal: controller.signal },
  );
  const iter = stream[Symbol.asyncIterator]();
  const first = await iter.next();
  assert.equal(first.done, false);
  controller.abort();

  await Promise.race([
    abandoned,
    new Promise((_, reject) => setTimeout(() => reject(new Error('upstream still open')), 2_000)),
  ]);
  assert.equal(t.fake.abandoned, before + 1);
  const e = await lastEvent();
  assert.equal(e.status, 499);
  assert.ok(JSON.parse(e.output!).finish_reason === undefined);
});
