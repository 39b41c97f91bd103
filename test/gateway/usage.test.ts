import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRequest } from '../../src/gateway/request.js';
import { askUsage, needsUsage, UsageChunkFilter } from '../../src/gateway/usage.js';

const chunk = (content: string, extra = ',"usage":null') =>
  `data: {"id":"c1","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}}}]${extra}}\n\n`;
const usageChunk =
  'data: {"id":"c1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}\n\n';
const done = 'data: [DONE]\n\n';

/** Feeds `input` cut at `at` (and once more at `at2`) and returns what the filter sends on. */
function run(input: string, ...cuts: number[]): string {
  const bytes = Buffer.from(input);
  const f = new UsageChunkFilter();
  const out: Buffer[] = [];
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    out.push(f.push(bytes.subarray(from, at)));
    from = at;
  }
  out.push(f.end());
  return Buffer.concat(out).toString('utf8');
}

test('the usage chunk and every "usage": null go, wherever the chunks are cut', () => {
  const input = chunk('Hé') + chunk(' "usage":{x}') + usageChunk + done;
  const want = chunk('Hé', '') + chunk(' "usage":{x}', '') + done;
  const n = Buffer.byteLength(input);
  for (let at = 0; at <= n; at++) assert.equal(run(input, at), want, `cut at ${at}`);
  for (let at = 0; at <= n; at += 7) {
    for (let at2 = at; at2 <= n; at2 += 5) assert.equal(run(input, at, at2), want);
  }
});

test('a stream without usage passes byte for byte, in CRLF too', () => {
  const input = (chunk('a', '') + chunk('b', '') + done).replaceAll('\n', '\r\n');
  for (let at = 0; at <= input.length; at++) assert.equal(run(input, at), input);
});

test('usage on a chunk that still has choices is left alone', () => {
  const input = chunk('a', ',"usage":{"completion_tokens":1}') + done;
  assert.equal(run(input), input);
});

test('"usage": null is removed with its comma wherever the key sits', () => {
  const first = 'data: {"usage": null, "choices":[{"index":0,"text":"a"}]}\n\n';
  assert.equal(run(first), 'data: {"choices":[{"index":0,"text":"a"}]}\n\n');
  const spaced = 'data: {"choices": [{"index": 0, "text": "a"}], "usage": null}\n\n';
  assert.equal(run(spaced), 'data: {"choices": [{"index": 0, "text": "a"}]}\n\n');
});

test('include_usage is asked for only on streamed chat and completion calls without it', () => {
  const parse = (route: 'chat.completions' | 'completions' | 'responses', body: object) =>
    parseRequest(route, Buffer.from(JSON.stringify(body)));
  const chat = { model: 'm', messages: [], stream: true };
  assert.equal(needsUsage('chat.completions', parse('chat.completions', chat)), true);
  assert.equal(
    needsUsage('completions', parse('completions', { model: 'm', prompt: 'x', stream: true })),
    true,
  );
  assert.equal(
    needsUsage('chat.completions', parse('chat.completions', { ...chat, stream: false })),
    false,
  );
  assert.equal(needsUsage('responses', parse('responses', { model: 'm', stream: true })), false);
  const asked = { ...chat, stream_options: { include_usage: true } };
  assert.equal(needsUsage('chat.completions', parse('chat.completions', asked)), false);
});

test("askUsage splices the option in, or merges it into the caller's stream options", () => {
  const raw = Buffer.from(' {"model":"m","messages":[],"stream":true}');
  const spliced = askUsage(parseRequest('chat.completions', raw), raw);
  assert.deepEqual(JSON.parse(spliced.toString()), {
    model: 'm',
    messages: [],
    stream: true,
    stream_options: { include_usage: true },
  });

  const other = Buffer.from('{"model":"m","messages":[],"stream":true,"stream_options":{"x":1}}');
  const merged = askUsage(parseRequest('chat.completions', other), other);
  assert.deepEqual(JSON.parse(merged.toString()).stream_options, { x: 1, include_usage: true });
});
