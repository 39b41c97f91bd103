import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MoatEvent } from '../../src/core/event.js';
import { Rng } from '../../src/detect/hash.js';
import { queryDistance } from '../../src/detect/signals/distance.js';
import { distributionShift } from '../../src/detect/signals/shift.js';
import { shapiroFrancia } from '../../src/detect/stats.js';
import { T0, event, legitAccount, merge, randomText, userMessage } from './fixtures.js';
import { readSignal, scoreOf } from './helpers.js';

/** Benign background: 30 varied accounts that build the reference and the test's spread. */
function background(): MoatEvent[] {
  return merge(...Array.from({ length: 30 }, (_, i) => legitAccount(`bg${i}`, 160, 100 + i)));
}

const OTHER = 'sum total cost price each bought sold percent remaining how many left pays'.split(
  ' ',
);

function shiftedAccount(n: number): MoatEvent[] {
  const rng = new Rng(42);
  return Array.from({ length: n }, (_, i) => {
    const words = Array.from({ length: 14 }, () => OTHER[Math.floor(rng.next() * OTHER.length)]);
    return event({
      account: 's',
      ms: T0 + 9 * 3_600_000 + i * 90_000,
      input: userMessage(words.join(' ')),
    });
  });
}

test('distribution_shift fires on prompts unlike benign traffic', () => {
  const f = readSignal(distributionShift, merge(background(), shiftedAccount(200)), 's');
  assert.ok(f && f.score === 1, `z ${f?.value}`);
});

test('distribution_shift stays quiet on an account like the benign traffic', () => {
  const events = merge(background(), legitAccount('b', 200, 7));
  const f = readSignal(distributionShift, events, 'b');
  assert.ok(f, 'the test ran');
  assert.equal(f.score, 0, `z ${f.value}`);
});

test('shapiroFrancia is near 1 for normal data and low for two clusters', () => {
  const rng = new Rng(1);
  const normal = Array.from({ length: 48 }, () => {
    const u = Math.max(1e-9, rng.next());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  });
  assert.ok(shapiroFrancia(normal) > 0.95);
  const split = Array.from({ length: 48 }, (_, i) => (i % 2 ? 0 : 1.4) + rng.next() * 0.01);
  assert.ok(shapiroFrancia(split) < 0.75);
});

test('query_distance fires when prompts alternate between repeats and fresh ones', () => {
  const rng = new Rng(11);
  const seeds = [randomText(rng, 20), randomText(rng, 20)];
  const events = Array.from({ length: 120 }, (_, i) =>
    event({
      account: 'p',
      ms: T0 + i * 60_000,
      input: userMessage(i % 10 ? seeds[i % 2] : randomText(rng, 20)),
    }),
  );
  const f = readSignal(queryDistance, events, 'p');
  assert.ok(f && f.score > 0.5, `W ${f?.value}`);
});

test('query_distance stays quiet on natural varied prompts', () => {
  const f = readSignal(queryDistance, legitAccount('n', 120, 12), 'n');
  assert.ok(f, 'the test ran');
  assert.equal(scoreOf(f), 0, `W ${f.value}`);
});
