import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { SseRewriter } from '../../src/core/marker.js';
import { createWatermarker } from '../../src/watermark/marker.js';
import { randomKey } from '../../src/watermark/keyring.js';
import { MIXED } from './helpers/samples.js';

const wm = createWatermarker({ keys: [randomKey('m')], activeKey: 'm', strength: 1 });
const TEXT = MIXED[0] + '\n' + MIXED[7];
const MARKED = wm.markText(TEXT);

function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function frame(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
}

/** Feeds a stream through the rewriter in uneven pieces, as a network would. */
function rewrite(rw: SseRewriter, stream: string, size = 23): string {
  return (
    pieces(stream, size)
      .map((p) => rw.push(p))
      .join('') + rw.end()
  );
}

function chatStream(withTool: boolean): string {
  const head = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm' };
  let s = frame({
    ...head,
    choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }],
  });
  for (const p of pieces(TEXT, 5)) {
    s += frame({ ...head, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] });
  }
  if (withTool) {
    const call = {
      index: 0,
      id: 't1',
      type: 'function',
      function: { name: 'f', arguments: '{"so": "do not"}' },
    };
    s += frame({
      ...head,
      choices: [{ index: 0, delta: { tool_calls: [call] }, finish_reason: null }],
    });
  }
  s += frame({ ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
  return s + 'data: [DONE]\n\n';
}

test('markJson marks every text field of the four response shapes and nothing else', () => {
  const chat = {
    choices: [
      { message: { content: TEXT, tool_calls: [{ function: { arguments: '{"so": 1}' } }] } },
    ],
  };
  wm.markJson('openai', 'chat.completions', chat);
  assert.equal(chat.choices[0].message.content, MARKED);
  assert.equal(chat.choices[0].message.tool_calls[0].function.arguments, '{"so": 1}');

  const completion = { choices: [{ text: TEXT }] };
  wm.markJson('openai', 'completions', completion);
  assert.equal(completion.choices[0].text, MARKED);

  const responses = {
    output: [
      { type: 'function_call', arguments: '{"so": "do not"}' },
      { type: 'message', content: [{ type: 'output_text', text: TEXT }] },
    ],
  };
  wm.markJson('openai', 'responses', responses);
  assert.equal((responses.output[1].content as { text: string }[])[0].text, MARKED);
  assert.equal(responses.output[0].arguments, '{"so": "do not"}');

  const messages = {
    content: [
      { type: 'text', text: TEXT },
      { type: 'tool_use', input: { note: 'So do not' } },
    ],
  };
  wm.markJson('anthropic', 'messages', messages);
  assert.equal(messages.content[0].text, MARKED);
  assert.deepEqual(messages.content[1].input, { note: 'So do not' });

  const embeddings = { data: [{ embedding: [0.1] }] };
  assert.deepEqual(wm.markJson('openai', 'embeddings', embeddings), {
    data: [{ embedding: [0.1] }],
  });
});

test('a chat stream carries the marked text; tool calls and other events pass untouched', () => {
  const stream = chatStream(true);
  const out = rewrite(wm.sse('openai', 'chat.completions'), stream);
  let text = '';
  let args = '';
  for (const ev of out.split('\n\n').filter(Boolean)) {
    assert.ok(ev.startsWith('data: '), `bad frame: ${ev}`);
    if (ev === 'data: [DONE]') continue;
    const delta = JSON.parse(ev.slice(6)).choices[0].delta;
    text += delta.content ?? '';
    args += delta.tool_calls?.[0]?.function?.arguments ?? '';
  }
  assert.equal(text, MARKED);
  assert.equal(args, '{"so": "do not"}');
  assert.ok(out.endsWith('data: [DONE]\n\n'));
  assert.ok(out.startsWith(stream.split('\n\n')[0] + '\n\n'), 'role chunk not byte-identical');
});

test('the official OpenAI client reads the rewritten chat stream', async () => {
  const body = rewrite(wm.sse('openai', 'chat.completions'), chatStream(false));
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'x' });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(text, MARKED);
  } finally {
    server.close();
  }
});

test('a completions stream flushes the held tail before [DONE]', () => {
  let s = '';
  for (const p of pieces(TEXT, 7))
    s += frame({ id: 'x', choices: [{ index: 0, text: p, finish_reason: null }] });
  s += 'data: [DONE]\n\n';
  const out = rewrite(wm.sse('openai', 'completions'), s, 11);
  const frames = out.split('\n\n').filter(Boolean);
  assert.equal(frames.at(-1), 'data: [DONE]');
  const text = frames
    .slice(0, -1)
    .map((f) => JSON.parse(f.slice(6)).choices[0].text)
    .join('');
  assert.equal(text, MARKED);
});

test('a responses stream carries the marked text in deltas and in the done events', () => {
  let seq = 0;
  const ev = (type: string, data: object) => frame({ type, sequence_number: seq++, ...data }, type);
  let s = ev('response.created', { response: { id: 'r' } });
  for (const p of pieces(TEXT, 6)) {
    s += ev('response.output_text.delta', {
      item_id: 'i',
      output_index: 0,
      content_index: 0,
      delta: p,
    });
  }
  s += ev('response.output_text.done', {
    item_id: 'i',
    output_index: 0,
    content_index: 0,
    text: TEXT,
  });
  const part = { type: 'output_text', text: TEXT };
  s += ev('response.content_part.done', { output_index: 0, content_index: 0, part });
  const item = { type: 'message', content: [part] };
  s += ev('response.output_item.added', { output_index: 1, item: { type: 'message' } });
  s += ev('response.completed', { response: { id: 'r', output: [item] } });

  const out = rewrite(wm.sse('openai', 'responses'), s);
  let deltas = '';
  const done: Record<string, unknown> = {};
  const numbers: number[] = [];
  for (const f of out.split('\n\n').filter(Boolean)) {
    const [eventLine, dataLine] = f.split('\n');
    const data = JSON.parse(dataLine.slice(6));
    assert.equal(eventLine, `event: ${data.type}`);
    numbers.push(data.sequence_number);
    if (data.type === 'response.output_text.delta') deltas += data.delta;
    else done[data.type] = data;
  }
  assert.equal(deltas, MARKED);
  assert.equal((done['response.output_text.done'] as { text: string }).text, MARKED);
  assert.equal(
    (done['response.content_part.done'] as { part: { text: string } }).part.text,
    MARKED,
  );
  const completed = done['response.completed'] as {
    response: { output: { content: { text: string }[] }[] };
  };
  assert.equal(completed.response.output[0].content[0].text, MARKED);
  // The held tail goes out as one more delta; every event keeps a unique number, in order.
  assert.equal(numbers.length, seq + 1);
  assert.deepEqual(numbers, [...numbers.keys()]);
});

function anthropicStream(): string {
  const message = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'm',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 1, output_tokens: 0 },
  };
  let s = frame({ type: 'message_start', message }, 'message_start');
  s += frame(
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    'content_block_start',
  );
  for (const p of pieces(TEXT, 4)) {
    s += frame(
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } },
      'content_block_delta',
    );
  }
  s += frame({ type: 'content_block_stop', index: 0 }, 'content_block_stop');
  const tool = { type: 'tool_use', id: 't', name: 'f', input: {} };
  s += frame({ type: 'content_block_start', index: 1, content_block: tool }, 'content_block_start');
  const json = { type: 'input_json_delta', partial_json: '{"q": "So do not"}' };
  s += frame({ type: 'content_block_delta', index: 1, delta: json }, 'content_block_delta');
  s += frame({ type: 'content_block_stop', index: 1 }, 'content_block_stop');
  s += frame(
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 9 },
    },
    'message_delta',
  );
  return s + frame({ type: 'message_stop' }, 'message_stop');
}

test('an Anthropic stream keeps tool input and non-text events byte-identical', () => {
  const stream = anthropicStream();
  const out = rewrite(wm.sse('anthropic', 'messages'), stream, 17);
  const untouched = stream.split('\n\n').filter((f) => !f.includes('text_delta'));
  for (const f of untouched) assert.ok(out.includes(`${f}\n\n`), `changed: ${f}`);
});

test('the official Anthropic client reads the rewritten stream', async () => {
  const body = rewrite(wm.sse('anthropic', 'messages'), anthropicStream(), 9);
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const client = new Anthropic({ baseURL: `http://127.0.0.1:${port}`, apiKey: 'x' });
    const stream = client.messages.stream({
      model: 'm',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const final = await stream.finalMessage();
    const text = final.content.find((b) => b.type === 'text');
    assert.equal(text?.type === 'text' ? text.text : '', MARKED);
    const tool = final.content.find((b) => b.type === 'tool_use');
    assert.deepEqual(tool?.type === 'tool_use' ? tool.input : null, { q: 'So do not' });
  } finally {
    server.close();
  }
});
