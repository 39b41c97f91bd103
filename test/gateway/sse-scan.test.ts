import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseTap } from '../../src/gateway/output.js';
import { OTHER, valueAfter } from '../../src/gateway/sse-scan.js';

test('valueAfter reads strings with escapes, null, and flags any other value', () => {
  const j = (o: unknown) => JSON.stringify(o);
  assert.equal(valueAfter(j({ a: 1, content: 'plain' }), '"content":'), 'plain');
  const tricky = 'say "hi"\\ \n\té \u2028 end\\';
  assert.equal(valueAfter(j({ content: tricky }), '"content":'), tricky);
  assert.equal(valueAfter('{"content" :1,"content":  "spaced"}', '"content":'), 'spaced');
  assert.equal(valueAfter(j({ content: null }), '"content":'), null);
  assert.equal(valueAfter(j({ content: [{ token: 'x' }] }), '"content":'), OTHER);
  assert.equal(valueAfter(j({ other: 'x' }), '"content":'), undefined);
  assert.equal(valueAfter(j({ reasoning_content: 'think' }), '"content":'), undefined);
  assert.equal(valueAfter(j({ text: 'a "content": "fake"' }), '"content":'), undefined);
  assert.equal(valueAfter('{"content":"cut off', '"content":'), OTHER);
});

/** What the tap makes of a stream when every chunk is parsed whole (the reference). */
function reference(chunks: object[]): { text: string; finish?: string; out?: number } {
  let text = '';
  let finish: string | undefined;
  let out: number | undefined;
  for (const c of chunks as { choices?: any[]; usage?: any }[]) {
    const choice = c.choices?.[0];
    if (typeof choice?.delta?.content === 'string') text += choice.delta.content;
    if (choice?.finish_reason) finish = choice.finish_reason;
    if (c.usage) out = c.usage.completion_tokens;
  }
  return { text, finish, out };
}

test('the tap reads chat chunks of every shape as a full parse would', () => {
  const chunks = [
    { choices: [{ index: 0, delta: { role: 'assistant', content: null }, finish_reason: null }] },
    { choices: [{ index: 0, delta: { content: 'He said "ok"\\\n' }, finish_reason: null }] },
    { choices: [{ index: 0, delta: { reasoning_content: 'hidden', content: 'é' } }] },
    {
      choices: [
        {
          index: 0,
          logprobs: { content: [{ token: 'x', logprob: -1 }] },
          delta: { content: ' after logprobs' },
          finish_reason: null,
        },
      ],
    },
    { choices: [{ index: 0, delta: { tool_calls: [{ function: { arguments: '{"a":1}' } }] } }] },
    { choices: [{ index: 0, delta: {}, finish_reason: 'length' }] },
    { choices: [], usage: { prompt_tokens: 5, completion_tokens: 7 } },
  ];
  for (const spaced of [false, true]) {
    const tap = new SseTap('chat.completions', 1000);
    for (const c of chunks) {
      const json = spaced ? JSON.stringify(c, null, 1).replace(/\n/g, '') : JSON.stringify(c);
      tap.push(Buffer.from(`data: ${json}\n\n`));
    }
    tap.push(Buffer.from('data: [DONE]\n\n'));
    const s = tap.end();
    const want = reference(chunks);
    assert.equal(s.text, want.text);
    assert.equal(s.finishReason, want.finish);
    assert.equal(s.outputTokens, want.out);
    assert.equal(s.inputTokens, 5);
  }
});

test('the tap reads completion chunks, split across pushes at any byte', () => {
  const lines = ['a', 'b\\"', 'ü€'].map(
    (t, i) =>
      `data: ${JSON.stringify({ choices: [{ text: t, index: 0, finish_reason: i === 2 ? 'stop' : null }] })}\n\n`,
  );
  const bytes = Buffer.from(lines.join(''));
  for (const cut of [1, 7, 40, bytes.length - 3]) {
    const tap = new SseTap('completions', 1000);
    tap.push(bytes.subarray(0, cut));
    tap.push(bytes.subarray(cut));
    const s = tap.end();
    assert.equal(s.text, 'ab\\"ü€');
    assert.equal(s.finishReason, 'stop');
  }
});
