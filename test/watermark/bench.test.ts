import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runWatermarkBench } from '../../src/bench/watermark.js';
import { detokenize, NgramModel, seeded, tokenize } from '../../src/bench/watermark-ngram.js';

test('the n-gram imitation keeps line breaks and reproduces what it learned', () => {
  const text = 'So he has 5.\nThen she has 6.\n    code stays indented\n#### 6';
  assert.equal(detokenize(tokenize(text)), text);

  const model = new NgramModel(4);
  model.train('How many?', text);
  assert.equal(model.generate('How many?', seeded(1), 100, 0), text);
});

test('a small benchmark run harvests through the gateway and reports every point', async () => {
  const r = await runWatermarkBench({ seed: 4, shares: [1, 0.1], probes: [20, 60], maxTrain: 400 });
  assert.equal(r.harvest.answers, 400);
  assert.equal(r.harvest.via, 'gateway');
  assert.ok(r.harvest.streamed > 0);
  assert.equal(r.harvest.stream_mismatches, 0);
  assert.equal(r.protected_changed, 0);
  assert.ok(r.words_changed > 0 && r.words_changed < 0.2);
  assert.deepEqual(
    r.surrogates.map((s) => [s.watermarked_share, s.probes]),
    [
      [1, 20],
      [1, 60],
      [0.1, 20],
      [0.1, 60],
    ],
  );
  assert.equal(r.clean.probes, 60);
  assert.ok(r.held_out);

  const full = r.surrogates.find((s) => s.watermarked_share === 1 && s.probes === 60)!;
  assert.ok(full.p_value < 1e-6, `an imitation of fully marked text gave p = ${full.p_value}`);
});
