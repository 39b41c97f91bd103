import Anthropic from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import type { EventRow } from '../../src/store/events.js';
import { ANSWER, COMPLETION_TOKENS, PROMPT_TOKENS } from './helpers/fake-upstream.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

let t: TestGateway;
let openai: OpenAI;
let anthropic: Anthropic;

before(async () => {
  t = await startTestGateway();
  openai = new OpenAI({ apiKey: t.keys.standard, baseURL: `${t.gw.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: t.keys.standard, baseURL: t.gw.url, maxRetries: 0 });
});
after(() => t.close());

/** The stored events after the queue is flushed, newest last. */
async function events(): Promise<EventRow[]> {
  await t.gw.flushEvents();
  return t.store.events.list();
}

function checkEvent(e: EventRow, route: string, stream: boolean): void {
  assert.equal(e.route, route);
  assert.equal(e.account, 'acct_standard');
  assert.equal(e.tier, 'standard');
  assert.equal(e.status, 200);
  assert.equal(e.input_tokens, PROMPT_TOKENS);
  assert.equal(e.output_tokens, COMPLETION_TOKENS);
  assert.equal(JSON.parse(e.params).stream, stream);
  assert.equal(e.input, null, 'standard tier does not retain text');
  assert.match(e.key_id ?? '', /^key_/);
}

test('openai chat completion, not streamed, is relayed and logged', async () => {
  const r = await openai.chat.completions.create({
    model: 'm1',
    messages: [{ role: 'user', content: 'What is six times seven?' }],
    temperature: 0,
    max_tokens: 50,
  });
  assert.equal(r.choices[0].message.content, ANSWER);
  assert.equal(r.usage?.completion_tokens, COMPLETION_TOKENS);

  const e = (await events()).at(-1)!;
  checkEvent(e, 'chat.completions', false);
  assert.deepEqual(JSON.parse(e.params), { temperature: 0, max_tokens: 50, stream: false });
  assert.equal(JSON.parse(e.output!).finish_reason, 'stop');
});

test('openai chat completion streamed chunk by chunk with usage', async () => {
  const stream = await openai.chat.completions.create({
    model: 'm1',
    messages: [{ role: 'user', content: 'Count' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let chunks = 0;
  for await (const c of stream) {
    text += c.choices[0]?.delta?.content ?? '';
    chunks++;
  }
  assert.equal(text, ANSWER);
  assert.ok(chunks >= 8, `got ${chunks} chunks`);
  checkEvent((await events()).at(-1)!, 'chat.completions', true);
});

test('openai streaming responses carry Cache-Control: no-transform', async () => {
  const { response } = await openai.chat.completions
    .create({ model: 'm1', messages: [{ role: 'user', content: 'x' }], stream: true })
    .withResponse();
  assert.match(response.headers.get('cache-control') ?? '', /no-transform/);
  assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
  await response.body?.cancel();
});

test('openai completions, responses and embeddings routes', async () => {
  const c = await openai.completions.create({ model: 'm1', prompt: 'Say it', logprobs: 2 });
  assert.equal(c.choices[0].text, ANSWER);
  const r = await openai.responses.create({
    model: 'm1',
    input: 'Explain',
    instructions: 'Be brief',
  });
  assert.equal(r.output_text, ANSWER);
  const em = await openai.embeddings.create({ model: 'm1', input: 'embed me' });
  assert.deepEqual(em.data[0].embedding, [0.5, 0.25]);

  const all = await events();
  const [ce, re, ee] = all.slice(-3);
  checkEvent(ce, 'completions', false);
  assert.equal(JSON.parse(ce.params).top_logprobs, 2);
  checkEvent(re, 'responses', false);
  assert.equal(ee.route, 'embeddings');
  assert.equal(ee.input_tokens, PROMPT_TOKENS);
});

test('openai responses streamed', async () => {
  const stream = await openai.responses.create({ model: 'm1', input: 'Explain', stream: true });
  let text = '';
  for await (const ev of stream) if (ev.type === 'response.output_text.delta') text += ev.delta;
  assert.equal(text, ANSWER);
  checkEvent((await events()).at(-1)!, 'responses', true);
});

test('anthropic messages, not streamed', async () => {
  const m = await anthropic.messages.create({
    model: 'claude-x',
    max_tokens: 64,
    system: 'You are terse.',
    messages: [{ role: 'user', content: 'Hello' }],
  });
  assert.equal(m.content[0].type === 'text' ? m.content[0].text : '', ANSWER);
  const e = (await events()).at(-1)!;
  checkEvent(e, 'messages', false);
  assert.equal(JSON.parse(e.params).max_tokens, 64);
  assert.equal(JSON.parse(e.output!).finish_reason, 'end_turn');
});

test('anthropic messages streamed', async () => {
  const stream = anthropic.messages.stream({
    model: 'claude-x',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Hello' }],
  });
  let text = '';
  stream.on('text', (piece) => (text += piece));
  const final = await stream.finalMessage();
  assert.equal(text, ANSWER);
  assert.equal(final.usage.output_tokens, COMPLETION_TOKENS);
  checkEvent((await events()).at(-1)!, 'messages', true);
});

test('GET /v1/models is relayed for a valid key', async () => {
  const list = await openai.models.list();
  assert.equal(list.data[0].id, 'fake-model');
});

test('the backend gets the request but never the caller key', async () => {
  await openai.chat.completions.create({
    model: 'm1',
    messages: [{ role: 'user', content: 'hi' }],
  });
  const h = t.fake.headers.at(-1)!;
  assert.equal(h.authorization, undefined);
  assert.equal(h['x-api-key'], undefined);
  assert.equal((t.fake.bodies.at(-1) as { model: string }).model, 'm1');
});

test('listeners receive the full event with prompt and response text', async () => {
  const seen: { text?: string; prompt?: string }[] = [];
  t.gw.onEvent((e) => seen.push({ text: e.output?.text, prompt: e.input?.messages?.[0]?.content }));
  await openai.chat.completions.create({
    model: 'm1',
    messages: [{ role: 'user', content: 'secret prompt' }],
  });
  await t.gw.flushEvents();
  assert.deepEqual(seen.at(-1), { text: ANSWER, prompt: 'secret prompt' });
});

test('SSE is relayed as it arrives, not buffered until the end', async () => {
  t.fake.chunkDelayMs = 150;
  try {
    const started = Date.now();
    const stream = await openai.chat.completions.create({
      model: 'm1',
      messages: [{ role: 'user', content: 'slowly' }],
      stream: true,
    });
    const arrivals: number[] = [];
    for await (const c of stream)
      if (c.choices[0]?.delta?.content) arrivals.push(Date.now() - started);
    // The backend spends about 8 x 150 ms on the stream: the first word must arrive long before
    // the last one, and the words must be spread over that time.
    assert.equal(arrivals.length, 8);
    assert.ok(arrivals[7] - arrivals[0] >= 800, `arrivals ${arrivals.join(', ')}`);
  } finally {
    t.fake.chunkDelayMs = 1;
  }
});
