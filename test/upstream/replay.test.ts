import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { builtinCorpus } from '../../src/data/builtin/prompts.js';
import { startReplayUpstream, type ReplayUpstream } from '../../src/upstream/replay.js';

const corpus = builtinCorpus();
const known = corpus.sets.gsm8k[0];
let up: ReplayUpstream;
let openai: OpenAI;
let anthropic: Anthropic;

before(async () => {
  up = await startReplayUpstream({ tokensPerSecond: 0, corpus });
  openai = new OpenAI({ baseURL: `${up.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: up.url, apiKey: 'sk-ant-test', maxRetries: 0 });
});
after(() => up.close());

test('chat completion answers a known prompt with the corpus answer', async () => {
  const r = await openai.chat.completions.create({
    model: 'frontier-large',
    messages: [
      { role: 'system', content: 'Solve step by step.' },
      { role: 'user', content: known.prompt },
    ],
  });
  assert.equal(r.choices[0].message.content, known.answer);
  assert.equal(r.choices[0].finish_reason, 'stop');
  assert.ok(r.usage && r.usage.completion_tokens > 0 && r.usage.prompt_tokens > 0);
});

test('streamed chat chunks reassemble to the same answer, with usage when asked', async () => {
  const stream = await openai.chat.completions.create({
    model: 'frontier-large',
    messages: [{ role: 'user', content: known.prompt }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let chunks = 0;
  let usage = 0;
  for await (const chunk of stream) {
    chunks++;
    text += chunk.choices[0]?.delta?.content ?? '';
    if (chunk.usage) usage = chunk.usage.completion_tokens;
  }
  assert.equal(text, known.answer);
  assert.ok(chunks > 3);
  assert.ok(usage > 0);
});

test('an unknown prompt gets a plausible answer, cut by max_tokens', async () => {
  const r = await openai.chat.completions.create({
    model: 'frontier-large',
    messages: [{ role: 'user', content: 'Tell me about the sleeping habits of otters in winter.' }],
    max_tokens: 10,
  });
  assert.equal(r.choices[0].finish_reason, 'length');
  assert.equal(r.usage?.completion_tokens, 10);
  assert.ok((r.choices[0].message.content ?? '').length > 10);
});

test('logprobs, top_logprobs and n are honoured', async () => {
  const r = await openai.chat.completions.create({
    model: 'frontier-large',
    messages: [{ role: 'user', content: 'Classify: my card is lost. Label:' }],
    logprobs: true,
    top_logprobs: 5,
    n: 3,
    temperature: 1,
    max_tokens: 5,
  });
  assert.equal(r.choices.length, 3);
  const lp = r.choices[0].logprobs?.content ?? [];
  assert.equal(lp.length, 5);
  assert.equal(lp[0].top_logprobs.length, 5);
  assert.ok(lp.every((t) => t.logprob <= 0));
});

test('legacy completions and responses work, streamed and not', async () => {
  const c = await openai.completions.create({ model: 'm', prompt: known.prompt, max_tokens: 400 });
  assert.equal(c.choices[0].text, known.answer);

  const r = await openai.responses.create({ model: 'm', input: known.prompt });
  assert.equal(r.output_text, known.answer);

  const s = await openai.responses.create({ model: 'm', input: known.prompt, stream: true });
  let text = '';
  let completed = false;
  for await (const ev of s) {
    if (ev.type === 'response.output_text.delta') text += ev.delta;
    if (ev.type === 'response.completed') completed = true;
  }
  assert.equal(text, known.answer);
  assert.ok(completed);
});

test('embeddings come back as unit vectors in float and base64 encodings', async () => {
  const r = await openai.embeddings.create({ model: 'e', input: ['hello there', 'bye'] });
  assert.equal(r.data.length, 2);
  const norm = Math.hypot(...r.data[0].embedding);
  assert.ok(Math.abs(norm - 1) < 1e-3);
  const f = await openai.embeddings.create({ model: 'e', input: 'x', encoding_format: 'float' });
  assert.equal(f.data[0].embedding.length, 256);
});

test('models are listed', async () => {
  const ids = [];
  for await (const m of openai.models.list()) ids.push(m.id);
  assert.ok(ids.includes('frontier-large'));
});

test('anthropic messages work with the official SDK, streamed and not', async () => {
  const m = await anthropic.messages.create({
    model: 'frontier-large',
    max_tokens: 1024,
    messages: [{ role: 'user', content: known.prompt }],
  });
  assert.equal(m.content[0].type === 'text' && m.content[0].text, known.answer);
  assert.equal(m.stop_reason, 'end_turn');

  const stream = anthropic.messages.stream({
    model: 'frontier-large',
    max_tokens: 5,
    messages: [{ role: 'user', content: known.prompt }],
  });
  const final = await stream.finalMessage();
  assert.equal(final.stop_reason, 'max_tokens');
  assert.equal(final.usage.output_tokens, 5);
});

test('bad JSON is a 400 in the API error shape', async () => {
  const res = await fetch(`${up.url}/v1/messages`, { method: 'POST', body: '{nope' });
  assert.equal(res.status, 400);
  const body = (await res.json()) as { type: string };
  assert.equal(body.type, 'error');
  const res2 = await fetch(`${up.url}/v1/chat/completions`, { method: 'POST', body: '[]' });
  const body2 = (await res2.json()) as { error: { code: string } };
  assert.equal(body2.error.code, 'invalid_request');
});

test('the token rate paces a stream', async () => {
  const slow = await startReplayUpstream({ tokensPerSecond: 200, corpus });
  try {
    const client = new OpenAI({ baseURL: `${slow.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const t0 = Date.now();
    const s = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: known.prompt }],
      max_tokens: 40,
      stream: true,
    });
    for await (const _ of s) void _;
    const ms = Date.now() - t0;
    assert.ok(ms >= 150, `40 tokens at 200/s took ${ms} ms`);
  } finally {
    await slow.close();
  }
});
