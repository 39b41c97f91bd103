import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quantile, recallAtFpr, rocAuc } from '../../src/bench/detect-metrics.js';

test('AUC is 1 for perfect separation and 0 for perfect inversion', () => {
  assert.equal(rocAuc([0.1, 0.2, 0.3], [0.5, 0.9]), 1);
  assert.equal(rocAuc([0.5, 0.9], [0.1, 0.2, 0.3]), 0);
});

test('AUC counts ties as one half', () => {
  assert.equal(rocAuc([0.5], [0.5]), 0.5);
  assert.equal(rocAuc([0.5, 0.5], [0.5, 0.5]), 0.5);
});

test('AUC matches a pair count done by hand', () => {
  // Pairs (attack, legit): 0.4 beats 0.1 and 0.3, loses to 0.6 -> 2; 0.7 beats all 3 -> 3.
  // 0.3 vs 0.3 ties -> 0.5, beats 0.1 -> 1, loses to 0.6 -> 0. Total 6.5 of 9.
  assert.equal(rocAuc([0.1, 0.3, 0.6], [0.4, 0.7, 0.3]), 6.5 / 9);
});

test('AUC is NaN when a class is empty', () => {
  assert.ok(Number.isNaN(rocAuc([], [1])));
});

test('recall at 10% FPR allows exactly one false positive among ten legitimate accounts', () => {
  const legit = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.95];
  const attack = [0.9, 0.85, 0.99, 0.5];
  const p = recallAtFpr(legit, attack, 0.1);
  assert.equal(p.threshold, 0.8);
  assert.equal(p.fpr, 0.1);
  assert.equal(p.recall, 3 / 4);
});

test('a budget smaller than one account allows no false positive', () => {
  const p = recallAtFpr([0.2, 0.6], [0.5, 0.7], 0.001);
  assert.equal(p.threshold, 0.6);
  assert.equal(p.fpr, 0);
  assert.equal(p.recall, 0.5);
});

test('attack scores tied with the threshold are not counted as flagged', () => {
  const p = recallAtFpr([0.5, 0.1], [0.5], 0);
  assert.equal(p.recall, 0);
});

test('quantile by nearest rank', () => {
  assert.equal(quantile([5, 1, 3, 2, 4], 0.5), 3);
  assert.equal(quantile([5, 1, 3, 2, 4], 1), 5);
  assert.equal(quantile([5, 1, 3, 2, 4], 0), 1);
});
