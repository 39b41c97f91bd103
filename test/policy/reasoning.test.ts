import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { reasoningMarker } from '../../src/policy/reasoning.js';
import type { SseRewriter } from '../../src/core/marker.js';

const THOUGHT = 'First I add the units. Then I carry the one. Then the tens. '.repeat(20);

function sse(events: { event?: string; data: unknown }[]): string {
  return events
    .map((e) => `${e.event ? `event: ${e.event}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`)
    .join('');
}

/** Feeds the stream through the rewriter in uneven pieces, as a network would. */
function rewriteInPieces(rw: SseRewriter, text: string, size = 37): string {
  let out = '';
  for (let i = 0; i < text.length; i += size) out += rw.push(text.slice(i, i + size));
  return out + rw.end();
}

const ANTHROPIC_STREAM = sse([
  { event: 'message_start', data: { type: 'message_start', message: messageShell() } },
  {
    event: 'content_block_start',
    data: { type: 'content_block_start', index: 0, content_block: thinkingBlock('') },
  },
  {
    event: 'content_block_delta',
    data: {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'thinking_delta', thinking: THOUGHT },
    },
  },
  {
    event: 'content_block_delta',
    data: {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'signature_delta', signature: 'sig' },
    },
  },
  { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
  {
    event: 'content_block_start',
    data: { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
  },
  {
    event: 'content_block_delta',
    data: { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: '42' } },
  },
  { event: 'content_block_stop', data: { type: 'content_block_stop', index: 1 } },
  {
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn' },
      usage: { output_tokens: 9 },
    },
  },
  { event: 'message_stop', data: { type: 'message_stop' } },
]);

function thinkingBlock(thinking: string) {
  return { type: 'thinking', thinking, signature: '' };
}

function messageShell() {
  return {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'm',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 5, output_tokens: 0 },
  };
}

async function serve(body: string): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

test('chat JSON: reasoning_content is removed, or summarised in summarise mode', () => {
  const body = () => ({
    choices: [
      { index: 0, message: { role: 'assistant', content: '42', reasoning_content: THOUGHT } },
    ],
  });
  const stripped = reasoningMarker('strip').markJson('openai', 'chat.completions', body()) as any;
  assert.deepEqual(stripped.choices[0].message, { role: 'assistant', content: '42' });

  const summary = reasoningMarker('summarise').markJson(
    'openai',
    'chat.completions',
    body(),
  ) as any;
  const text: string = summary.choices[0].message.reasoning_content;
  assert.match(text, /^First I add the units\. … \[reasoning withheld: 1200 characters\]$/);
});

test('anthropic and responses JSON: thinking blocks and reasoning items are removed', () => {
  const msg = reasoningMarker('strip').markJson('anthropic', 'messages', {
    content: [
      thinkingBlock(THOUGHT),
      { type: 'redacted_thinking', data: 'x' },
      { type: 'text', text: '42' },
    ],
  }) as any;
  assert.deepEqual(msg.content, [{ type: 'text', text: '42' }]);

  const resp = reasoningMarker('strip').markJson('openai', 'responses', {
    output: [
      { type: 'reasoning', summary: [] },
      { type: 'message', content: [] },
    ],
  }) as any;
  assert.deepEqual(resp.output, [{ type: 'message', content: [] }]);
});

test('chat SSE: reasoning deltas vanish wherever the chunks split', () => {
  const stream =
    sse([
      {
        data: { choices: [{ index: 0, delta: { role: 'assistant', reasoning_content: THOUGHT } }] },
      },
      { data: { choices: [{ index: 0, delta: { content: '42' } }] } },
    ]) + 'data: [DONE]\n\n';
  for (const size of [1, 7, 64, 10_000]) {
    const out = rewriteInPieces(
      reasoningMarker('strip').sse('openai', 'chat.completions'),
      stream,
      size,
    );
    assert.ok(!out.includes('carry'), `size ${size}`);
    assert.ok(out.includes('"content":"42"'));
    assert.ok(out.endsWith('data: [DONE]\n\n'));
  }
});

test('chat SSE summarise: the summary arrives with the first answer chunk', () => {
  const stream = sse([
    { data: { choices: [{ index: 0, delta: { reasoning_content: THOUGHT.slice(0, 600) } }] } },
    { data: { choices: [{ index: 0, delta: { reasoning_content: THOUGHT.slice(600) } }] } },
    { data: { choices: [{ index: 0, delta: { content: '42' } }] } },
  ]);
  const out = rewriteInPieces(
    reasoningMarker('summarise').sse('openai', 'chat.completions'),
    stream,
  );
  const chunks = out
    .split('\n\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l.slice(6)));
  assert.equal(chunks.length, 3);
  assert.deepEqual(chunks[0].choices[0].delta, {});
  assert.match(chunks[2].choices[0].delta.reasoning_content, /withheld: 1200 characters/);
});

test('anthropic SSE without thinking still assembles in the official SDK', async () => {
  const out = rewriteInPieces(
    reasoningMarker('strip').sse('anthropic', 'messages'),
    ANTHROPIC_STREAM,
  );
  assert.ok(!out.includes('carry the one'));
  const upstream = await serve(out);
  try {
    const client = new Anthropic({ apiKey: 'k', baseURL: upstream.url, maxRetries: 0 });
    const stream = client.messages.stream({
      model: 'm',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'q' }],
    });
    const msg = await stream.finalMessage();
    assert.deepEqual(
      msg.content,
      [{ type: 'text', text: '42', citations: undefined }].map(({ type, text }) => ({
        type,
        text,
      })) as any,
    );
  } finally {
    upstream.close();
  }
});

test('anthropic SSE summarise keeps one short thinking block', async () => {
  const out = rewriteInPieces(
    reasoningMarker('summarise').sse('anthropic', 'messages'),
    ANTHROPIC_STREAM,
  );
  const upstream = await serve(out);
  try {
    const client = new Anthropic({ apiKey: 'k', baseURL: upstream.url, maxRetries: 0 });
    const msg = await client.messages
      .stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'q' }] })
      .finalMessage();
    assert.equal(msg.content.length, 2);
    const thinking = msg.content[0] as { type: string; thinking: string };
    assert.equal(thinking.type, 'thinking');
    assert.match(thinking.thinking, /^First I add the units\. … \[reasoning withheld: 1200/);
  } finally {
    upstream.close();
  }
});

test('responses SSE: reasoning items are dropped and outputs renumbered for the SDK', async () => {
  const reasoning = { id: 'rs_1', type: 'reasoning', summary: [] };
  const message = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text: '42', annotations: [] }],
  };
  const response = (output: unknown[], status: string) => ({
    id: 'resp_1',
    object: 'response',
    status,
    model: 'm',
    output,
  });
  const stream = sse([
    { data: { type: 'response.created', response: response([], 'in_progress') } },
    { data: { type: 'response.output_item.added', output_index: 0, item: reasoning } },
    {
      data: { type: 'response.reasoning_summary_text.delta', output_index: 0, delta: THOUGHT },
    },
    { data: { type: 'response.output_item.done', output_index: 0, item: reasoning } },
    {
      data: {
        type: 'response.output_item.added',
        output_index: 1,
        item: { ...message, status: 'in_progress', content: [] },
      },
    },
    { data: { type: 'response.output_item.done', output_index: 1, item: message } },
    { data: { type: 'response.completed', response: response([reasoning, message], 'completed') } },
  ]);
  const out = rewriteInPieces(reasoningMarker('strip').sse('openai', 'responses'), stream);
  assert.ok(!out.includes('carry'));
  assert.ok(!out.includes('"output_index":1'));

  const upstream = await serve(out);
  try {
    const client = new OpenAI({ apiKey: 'k', baseURL: upstream.url, maxRetries: 0 });
    const final = await client.responses.stream({ model: 'm', input: 'q' }).finalResponse();
    assert.deepEqual(
      final.output.map((o) => o.type),
      ['message'],
    );
  } finally {
    upstream.close();
  }
});
