import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MoatEvent } from '../../src/core/event.js';
import { Rng } from '../../src/detect/hash.js';
import { clientFingerprint } from '../../src/detect/signals/client.js';
import { conversationDepth } from '../../src/detect/signals/depth.js';
import { diurnalRhythm } from '../../src/detect/signals/diurnal.js';
import { logprobExtraction } from '../../src/detect/signals/logprobs.js';
import { modelPivot } from '../../src/detect/signals/pivot.js';
import { outputRatio } from '../../src/detect/signals/ratio.js';
import { timingRegularity } from '../../src/detect/signals/timing.js';
import { volumeDuty } from '../../src/detect/signals/volume.js';
import { HOUR, T0, event, legitAccount, poissonGap } from './fixtures.js';
import { readSignal, scoreOf } from './helpers.js';

/** `n` events of one account spaced `gapMs` apart, each shaped by `shape(i)`. */
function series(n: number, gapMs: number, shape: (i: number) => Partial<MoatEvent> = () => ({})) {
  return Array.from({ length: n }, (_, i) =>
    event({ account: 'x', ms: T0 + i * gapMs, ...shape(i) }),
  );
}

test('volume_duty fires on round-the-clock volume far above the tier norm', () => {
  const f = readSignal(volumeDuty, series(20_000, 8_000), 'x', {
    tierDailyEvents: { default: 200 },
  });
  assert.ok(f && f.score === 1, `score ${f?.score}`);
  assert.match(
    f.detail(),
    /events in the last day, \d+\.\dx the standard tier norm; active 100% of hours/,
  );
});

test('volume_duty stays quiet on a working-day account within its norm', () => {
  const f = readSignal(volumeDuty, legitAccount('a', 120, 1), 'a');
  assert.ok(f && f.score === 0, `score ${f?.score}`);
});

test('logprob_extraction fires on top_logprobs with long outputs', () => {
  const events = series(40, 60_000, () => ({
    params: { logprobs: true, top_logprobs: 20 },
    usage: { input_tokens: 50, output_tokens: 600 },
  }));
  const f = readSignal(logprobExtraction, events, 'x');
  assert.ok(f && f.score === 1);
  assert.match(f.detail(), /100% of calls request top_logprobs >= 10/);
});

test('logprob_extraction stays quiet without logprobs and on label classifiers', () => {
  assert.equal(scoreOf(readSignal(logprobExtraction, series(40, 60_000), 'x')), 0);
  const classifier = series(40, 60_000, () => ({
    params: { logprobs: true, top_logprobs: 5, logit_bias: 4, max_tokens: 1 },
    usage: { input_tokens: 80, output_tokens: 1 },
  }));
  assert.equal(scoreOf(readSignal(logprobExtraction, classifier, 'x')), 0);
  const sweep = series(40, 60_000, (i) => ({
    params: { logprobs: true, top_logprobs: 5, logit_bias: 100 + (i % 50), max_tokens: 1 },
  }));
  assert.equal(scoreOf(readSignal(logprobExtraction, sweep, 'x')), 1);
});

test('conversation_depth fires on single-turn calls only, not on conversations', () => {
  assert.equal(scoreOf(readSignal(conversationDepth, series(40, 60_000), 'x')), 1);
  const chat = series(40, 60_000, (i) => ({
    input: {
      messages: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'an answer' },
        { role: 'user', content: `follow-up ${i}` },
      ],
    },
  }));
  assert.equal(scoreOf(readSignal(conversationDepth, chat, 'x')), 0);
});

test('output_ratio fires on short prompts with long outputs, not on RAG-like calls', () => {
  const long = series(40, 60_000, () => ({ usage: { input_tokens: 40, output_tokens: 1200 } }));
  assert.equal(scoreOf(readSignal(outputRatio, long, 'x')), 1);
  const rag = series(40, 60_000, () => ({ usage: { input_tokens: 1500, output_tokens: 120 } }));
  assert.equal(scoreOf(readSignal(outputRatio, rag, 'x')), 0);
});

test('timing_regularity fires on a fixed pace and not on random arrivals', () => {
  assert.equal(scoreOf(readSignal(timingRegularity, series(100, 10_000), 'x')), 1);
  const rng = new Rng(9);
  let ms = T0;
  const random = Array.from({ length: 200 }, () =>
    event({ account: 'x', ms: (ms += poissonGap(rng, 60_000)) }),
  );
  const f = readSignal(timingRegularity, random, 'x');
  assert.equal(scoreOf(f), 0, `spread ${f?.value}`);
});

test('diurnal_rhythm fires on flat round-the-clock activity, not on working hours', () => {
  assert.equal(scoreOf(readSignal(diurnalRhythm, series(400, HOUR / 4), 'x')), 1);
  const f = readSignal(diurnalRhythm, legitAccount('a', 600, 3), 'a');
  assert.ok(f, 'enough history to judge');
  assert.equal(f.score, 0);
});

test('client_fingerprint fires on rotating networks and clients, not on one SDK client', () => {
  const rotating = series(60, 60_000, (i) => ({
    client: { ip: `10.${i % 40}.${i % 7}.1`, user_agent: `agent-${i % 6}` },
  }));
  assert.equal(scoreOf(readSignal(clientFingerprint, rotating, 'x')), 1);
  assert.equal(scoreOf(readSignal(clientFingerprint, series(60, 60_000), 'x')), 0);
});

test('model_pivot fires when traffic moves to a model released minutes before', () => {
  const release = new Date(T0 + 10 * 60_000).toISOString();
  const events = series(80, 60_000, (i) => ({
    model: i < 20 ? 'frontier-large' : 'frontier-next',
  }));
  const f = readSignal(modelPivot, events, 'x', { modelReleases: { 'frontier-next': release } });
  assert.ok(f && f.score > 0.5, `score ${f?.score}`);
  assert.equal(scoreOf(readSignal(modelPivot, series(80, 60_000), 'x')), 0);
});
