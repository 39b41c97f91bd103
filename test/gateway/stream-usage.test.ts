import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import OpenAI from 'openai';
import type { Limiter } from '../../src/core/limits.js';
import { MemoryLimiter } from '../../src/gateway/index.js';
import type { EventRow } from '../../src/store/events.js';
import { randomKey } from '../../src/watermark/keyring.js';
import { createWatermarker } from '../../src/watermark/marker.js';
import { ANSWER, COMPLETION_TOKENS, PROMPT_TOKENS } from './helpers/fake-upstream.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

/** Tokens each settled call was counted at, in order. */
const settled: number[] = [];
const inner = new MemoryLimiter();
const limiter: Limiter = {
  admit(account, spec, estimate, now) {
    const a = inner.admit(account, spec, estimate, now);
    if (!a.ok) return a;
    return {
      ok: true,
      settle(tokens) {
        settled.push(tokens);
        a.settle(tokens);
      },
    };
  },
};

let t: TestGateway;

before(async () => {
  t = await startTestGateway(
    { tiers: { standard: {}, marked: { watermark: 'always' } } },
    {
      limiter,
      marker: createWatermarker({ keys: [randomKey('su')], activeKey: 'su', strength: 1 }),
    },
  );
});
after(() => t.close());
beforeEach(() => {
  t.fake.ignoreIncludeUsage = false;
  settled.length = 0;
});

const client = (tier = 'standard') =>
  new OpenAI({ apiKey: t.keys[tier], baseURL: `${t.gw.url}/v1`, maxRetries: 0 });
const messages = [{ role: 'user' as const, content: 'Count' }];
/** The estimates Moat falls back to: characters / 4. */
const ESTIMATED_OUTPUT = Math.ceil(ANSWER.length / 4);
const ESTIMATED_INPUT = Math.ceil('Count'.length / 4);

async function lastEvent(): Promise<EventRow> {
  await t.gw.flushEvents();
  return t.store.events.list().at(-1)!;
}

/** Every chunk of a streamed chat call, as the SDK hands them over. */
async function chatChunks(extra: object = {}, tier = 'standard'): Promise<any[]> {
  const stream = await client(tier).chat.completions.create({
    model: 'm',
    messages,
    stream: true,
    ...extra,
  });
  const chunks: any[] = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}

const chatText = (chunks: any[]) => chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
const lastBody = () => t.fake.bodies.at(-1) as Record<string, any>;

function assertNoUsage(chunks: any[]): void {
  assert.ok(chunks.length >= ANSWER.split(' ').length);
  for (const c of chunks) {
    assert.equal(c.choices.length, 1, 'no chunk without choices');
    assert.ok(!('usage' in c), `no usage field: ${JSON.stringify(c)}`);
  }
}

function assertExactUsage(e: EventRow): void {
  assert.equal(e.status, 200);
  assert.equal(e.input_tokens, PROMPT_TOKENS);
  assert.equal(e.output_tokens, COMPLETION_TOKENS);
  assert.notEqual(COMPLETION_TOKENS, ESTIMATED_OUTPUT, 'the estimate would differ');
  assert.deepEqual(settled, [PROMPT_TOKENS + COMPLETION_TOKENS]);
}

test('a chat caller without include_usage sees no usage, the event and limit get the exact usage', async () => {
  const chunks = await chatChunks();

  assert.equal(chatText(chunks), ANSWER);
  assertNoUsage(chunks);
  assert.deepEqual(lastBody().stream_options, { include_usage: true });
  assert.deepEqual(lastBody().messages, messages, 'the rest of the body is forwarded as sent');
  assertExactUsage(await lastEvent());
});

test('a completions caller without include_usage sees no usage, the event gets the exact usage', async () => {
  const stream = await client().completions.create({ model: 'm', prompt: 'Count', stream: true });
  const chunks: any[] = [];
  for await (const c of stream) chunks.push(c);

  assert.equal(chunks.map((c) => c.choices[0].text).join(''), ANSWER);
  assertNoUsage(chunks);
  assertExactUsage(await lastEvent());
});

test('usage is taken out of a watermarked stream too', async () => {
  const chunks = await chatChunks({}, 'marked');

  assert.ok(chatText(chunks).length > 0);
  assertNoUsage(chunks);
  assertExactUsage(await lastEvent());
});

test('a caller that asks for usage still gets its usage chunk', async () => {
  const chunks = await chatChunks({ stream_options: { include_usage: true } });

  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assert.equal(last.usage.prompt_tokens, PROMPT_TOKENS);
  assert.equal(last.usage.completion_tokens, COMPLETION_TOKENS);
  for (const c of chunks.slice(0, -1)) assert.equal(c.usage, null, 'as the backend sent it');
  assert.equal(chatText(chunks), ANSWER);
  assertExactUsage(await lastEvent());
});

test('a caller that turns usage off gets none; its other stream options are kept', async () => {
  const r = await fetch(`${t.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.keys.standard}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'm',
      messages,
      stream: true,
      stream_options: { include_usage: false, include_obfuscation: false },
    }),
  });
  const text = await r.text();

  assert.equal(r.status, 200);
  assert.doesNotMatch(text, /usage/);
  assert.match(text, /data: \[DONE\]\n\n$/);
  assert.deepEqual(lastBody().stream_options, { include_usage: true, include_obfuscation: false });
  assertExactUsage(await lastEvent());
});

test('a backend that ignores include_usage: the stream works, usage is estimated', async () => {
  t.fake.ignoreIncludeUsage = true;
  const chunks = await chatChunks();

  assert.equal(chatText(chunks), ANSWER);
  assertNoUsage(chunks);
  assert.equal(lastBody().stream_options?.include_usage, true, 'usage was asked for');
  const e = await lastEvent();
  assert.equal(e.status, 200);
  assert.equal(e.input_tokens, ESTIMATED_INPUT);
  assert.equal(e.output_tokens, ESTIMATED_OUTPUT);
  assert.deepEqual(settled, [ESTIMATED_INPUT + ESTIMATED_OUTPUT]);
});

test('upstream.request_usage: false forwards the body as sent and estimates', async () => {
  const off = await startTestGateway({ upstream: { request_usage: false } });
  try {
    const c = new OpenAI({ apiKey: off.keys.standard, baseURL: `${off.gw.url}/v1` });
    const stream = await c.chat.completions.create({ model: 'm', messages, stream: true });
    for await (const _ of stream);
    assert.equal(off.fake.bodies.at(-1)!.stream_options, undefined);
    await off.gw.flushEvents();
    assert.equal(off.store.events.list().at(-1)!.output_tokens, ESTIMATED_OUTPUT);
  } finally {
    await off.close();
  }
});
