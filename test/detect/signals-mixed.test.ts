import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mixedHarvest } from '../../src/detect/signals/mixed.js';
import type { MoatEvent } from '../../src/core/event.js';
import { harvestAccount, legitAccount, merge } from './fixtures.js';
import { readSignal, scoreOf } from './helpers.js';

/**
 * An ordinary account in which every `every`-th call carries a harvesting prompt instead,
 * beside four ordinary accounts that give the engine its benign reference.
 */
function mixed(id: string, n: number, every: number): MoatEvent[] {
  const harvest = harvestAccount(id, n, 21);
  const account = legitAccount(id, n, 20).map((e, i) =>
    i % every === every - 1 ? { ...e, input: harvest[i].input } : e,
  );
  return merge(account, ...[1, 2, 3, 4].map((k) => legitAccount(`b${k}`, 1000, 30 + k)));
}

test('mixed_harvest fires on a 10% reasoning-harvest share inside ordinary traffic', () => {
  const f = readSignal(mixedHarvest, mixed('m', 1000, 10), 'm');
  assert.ok(f && f.score === 1, `score ${f?.score} z ${f?.value}`);
  assert.match(f.detail(), /^10% of the last \d+ prompts ask for reasoning or grading/);
});

test('mixed_harvest stays quiet on ordinary traffic alone', () => {
  const f = readSignal(mixedHarvest, legitAccount('l', 1000, 13), 'l');
  assert.ok(f, 'read once the window is full');
  assert.equal(f.score, 0);
});

test('mixed_harvest leaves an account that sends only reasoning prompts to cot_elicitation', () => {
  assert.equal(scoreOf(readSignal(mixedHarvest, harvestAccount('h', 600, 14), 'h')), 0);
});

test('mixed_harvest says nothing before the window holds enough prompts', () => {
  assert.equal(readSignal(mixedHarvest, mixed('s', 200, 10), 's'), null);
});
