import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';
import { dataDir } from '../../src/core/paths.js';
import { readRealCorpus } from '../../src/data/load.js';
import { startReplayUpstream } from '../../src/upstream/replay.js';

test('real data: the replay upstream answers dataset prompts with the dataset answer', async (t) => {
  const dir = dataDir();
  if (!dir) {
    if (process.env.CI === 'true') assert.fail('CI=true but the data folder is missing');
    return t.skip('no data folder (set MOAT_DATA); runs in CI');
  }
  const corpus = await readRealCorpus(dir, { onIssue: () => {} });
  const up = await startReplayUpstream({ tokensPerSecond: 0, corpus });
  try {
    const client = new OpenAI({ baseURL: `${up.url}/v1`, apiKey: 'k', maxRetries: 0 });
    for (const item of [corpus.sets.gsm8k[0], corpus.sets['gpteacher-codegen'][5]]) {
      const r = await client.chat.completions.create({
        model: 'frontier-large',
        messages: [{ role: 'user', content: item.prompt }],
      });
      assert.equal(r.choices[0].message.content, item.answer);
    }
    const gsm = await client.chat.completions.create({
      model: 'frontier-large',
      messages: [{ role: 'user', content: corpus.sets.gsm8k[1].prompt }],
    });
    assert.match(gsm.choices[0].message.content ?? '', /#### \d+$/);

    const banking = corpus.sets.banking77[0];
    const b = await client.chat.completions.create({
      model: 'frontier-large',
      messages: [{ role: 'user', content: banking.prompt }],
    });
    assert.ok((b.usage?.completion_tokens ?? 0) > 5, 'a plausible answer for a set without one');
  } finally {
    await up.close();
  }
});
