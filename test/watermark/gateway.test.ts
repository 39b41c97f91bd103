import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { seeded } from '../../src/bench/watermark-ngram.js';
import { wordProblems } from '../../src/bench/watermark-corpus.js';
import { parseConfig } from '../../src/config/index.js';
import { makeCorpus, SET_NAMES, type PromptItem, type SetName } from '../../src/data/corpus.js';
import { startGateway, type Gateway } from '../../src/gateway/index.js';
import { startReplayUpstream, type ReplayUpstream } from '../../src/upstream/replay.js';
import { createWatermarker } from '../../src/watermark/marker.js';
import { randomKey } from '../../src/watermark/keyring.js';

const wm = createWatermarker({ keys: [randomKey('gw')], activeKey: 'gw', strength: 1 });
const items = wordProblems(20, seeded(8));
let upstream: ReplayUpstream | undefined;
let gateway: Gateway | undefined;

before(async () => {
  const sets = Object.fromEntries(SET_NAMES.map((n) => [n, [] as PromptItem[]])) as Record<
    SetName,
    PromptItem[]
  >;
  sets.gsm8k = items;
  upstream = await startReplayUpstream({ corpus: makeCorpus('builtin', sets), tokensPerSecond: 0 });
  const config = parseConfig({
    server: { port: 0 },
    upstream: { url: upstream.url },
    auth: {
      keys: false,
      trusted_header: { account: 'x-account', tier: 'x-tier', default_tier: 'plain' },
    },
    tiers: { marked: { watermark: 'always' }, plain: { watermark: 'never' } },
  });
  gateway = await startGateway({ config, marker: wm, store: null });
});

after(async () => {
  await gateway?.close();
  await upstream?.close();
});

async function ask(tier: string, prompt: string, stream: boolean): Promise<string> {
  const res = await fetch(`${gateway!.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-account': 'a1', 'x-tier': tier },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: prompt }], stream }),
  });
  assert.equal(res.status, 200);
  const body = await res.text();
  if (!stream) return JSON.parse(body).choices[0].message.content;
  return body
    .split('\n\n')
    .filter((f) => f.startsWith('data: {'))
    .map((f) => JSON.parse(f.slice(6)).choices[0]?.delta?.content ?? '')
    .join('');
}

test('a watermark: always tier gets marked answers, streamed or not', async () => {
  let changed = 0;
  for (const item of items) {
    const expected = wm.markText(item.answer!);
    assert.equal(await ask('marked', item.prompt, false), expected);
    assert.equal(await ask('marked', item.prompt, true), expected);
    if (expected !== item.answer) changed++;
  }
  assert.ok(changed > 10, `only ${changed} answers changed`);
});

test('a watermark: never tier gets the backend text unchanged', async () => {
  for (const item of items.slice(0, 5)) {
    assert.equal(await ask('plain', item.prompt, false), item.answer);
    assert.equal(await ask('plain', item.prompt, true), item.answer);
  }
});
