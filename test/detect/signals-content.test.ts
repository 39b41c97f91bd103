import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/detect/hash.js';
import { cotElicitation } from '../../src/detect/signals/cot.js';
import { rubricGrading } from '../../src/detect/signals/rubric.js';
import { templateRepetition } from '../../src/detect/signals/templates.js';
import { topicCoverage } from '../../src/detect/signals/coverage.js';
import { event, harvestAccount, legitAccount, randomText, userMessage, T0 } from './fixtures.js';
import { readSignal, scoreOf } from './helpers.js';

test('cot_elicitation fires when most prompts ask for step-by-step reasoning', () => {
  const f = readSignal(cotElicitation, harvestAccount('a', 60, 1), 'a');
  assert.ok(f && f.score === 1, `score ${f?.score}`);
  assert.match(f.detail(), /^100% of prompts ask for step-by-step reasoning$/);
});

test('cot_elicitation stays quiet on ordinary prompts', () => {
  assert.equal(scoreOf(readSignal(cotElicitation, legitAccount('a', 60, 2), 'a')), 0);
});

test('rubric_grading fires on judge prompts and not on ordinary ones', () => {
  const rng = new Rng(3);
  const judge = Array.from({ length: 40 }, (_, i) =>
    event({
      account: 'j',
      ms: T0 + i * 60_000,
      input: userMessage(`Rate this response on a scale of 1 to 10: ${randomText(rng, 20)}`),
    }),
  );
  assert.equal(scoreOf(readSignal(rubricGrading, judge, 'j')), 1);
  assert.equal(scoreOf(readSignal(rubricGrading, legitAccount('a', 40, 4), 'a')), 0);
});

test('template_repetition fires on one template and not on varied prompts', () => {
  const f = readSignal(templateRepetition, harvestAccount('h', 80, 5), 'h');
  assert.ok(f && f.score > 0.8, `templated score ${f?.score}`);
  const g = readSignal(templateRepetition, legitAccount('l', 80, 6), 'l');
  assert.ok(g && g.score === 0, `varied score ${g?.score} value ${g?.value}`);
});

test('template_repetition sees near-duplicates with numbers changed', () => {
  const rng = new Rng(7);
  const base = randomText(rng, 40);
  const events = Array.from({ length: 60 }, (_, i) =>
    event({ account: 'd', ms: T0 + i * 1000, input: userMessage(`${base} ${i * 17} units`) }),
  );
  assert.ok(scoreOf(readSignal(templateRepetition, events, 'd')) > 0.9);
});

test('topic_coverage fires on an even sweep of topics and not on one topic', () => {
  const topics = [
    'solve this equation and calculate the sum',
    'write a python function to sort an array',
    'write a short story poem',
    'explain physics of energy in a cell',
    'bank card transfer refund payment',
    'business marketing strategy for sales',
    'health symptoms diet and exercise',
    'who won the war in which country capital',
    'linux server network docker setup',
    'translate this sentence into french grammar',
    'act as a character in a roleplay game',
    'legal contract court rights lawyer',
  ];
  const sweep = Array.from({ length: 120 }, (_, i) =>
    event({ account: 's', ms: T0 + i * 1000, input: userMessage(topics[i % topics.length]) }),
  );
  const f = readSignal(topicCoverage, sweep, 's');
  assert.ok(f && f.score === 1, `sweep score ${f?.score}`);
  const narrow = Array.from({ length: 120 }, (_, i) =>
    event({ account: 'n', ms: T0 + i * 1000, input: userMessage(`${topics[4]} ${i}`) }),
  );
  assert.equal(scoreOf(readSignal(topicCoverage, narrow, 'n')), 0);
});
