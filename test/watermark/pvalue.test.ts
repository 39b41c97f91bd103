import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binomialLogPmf, logUpperTail, type Group } from '../../src/watermark/pvalue.js';

/** P(sum >= m) by enumerating every outcome of every opportunity (small cases only). */
function bruteTail(groups: Group[], m: number): number {
  const units = groups.flatMap((g) => Array.from({ length: g.n }, () => g));
  let total = 0;
  const walk = (i: number, score: number, prob: number): void => {
    if (i === units.length) {
      if (score >= m) total += prob;
      return;
    }
    const u = units[i];
    walk(i + 1, score + (u.w ?? 1), prob * u.p);
    walk(i + 1, score, prob * (1 - u.p));
  };
  walk(0, 0, 1);
  return total;
}

test('the binomial pmf sums to one and matches the closed form', () => {
  const pmf = binomialLogPmf(10, 1 / 3).map(Math.exp);
  assert.ok(Math.abs(pmf.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.ok(Math.abs(pmf[0] - (2 / 3) ** 10) < 1e-15);
  assert.ok(Math.abs(pmf[10] - (1 / 3) ** 10) < 1e-18);
});

test('tails of mixed set sizes equal brute-force enumeration', () => {
  const groups: Group[] = [
    { n: 6, p: 1 / 2 },
    { n: 4, p: 1 / 3 },
    { n: 3, p: 1 / 5 },
  ];
  for (let m = 0; m <= 14; m++) {
    const exact = Math.exp(logUpperTail(groups, m));
    assert.ok(Math.abs(exact - bruteTail(groups, m)) < 1e-12, `m=${m}`);
  }
});

test('tails of weighted groups equal brute-force enumeration', () => {
  const groups: Group[] = [
    { n: 5, p: 1 / 2, w: 1 },
    { n: 3, p: 1 / 4, w: 5 },
    { n: 4, p: 1 / 5, w: 3 },
    { n: 2, p: 1 / 2, w: 7 },
  ];
  const max = 5 + 15 + 12 + 14;
  for (let m = 0; m <= max + 1; m++) {
    const exact = Math.exp(logUpperTail(groups, m));
    assert.ok(Math.abs(exact - bruteTail(groups, m)) < 1e-12, `m=${m}`);
  }
});

test('extreme tails stay finite in log space', () => {
  const logP = logUpperTail([{ n: 5000, p: 1 / 2 }], 5000);
  assert.ok(Math.abs(logP - 5000 * Math.log(0.5)) < 1e-6);
  assert.equal(logUpperTail([{ n: 10, p: 0.5 }], 11), -Infinity);
  assert.equal(logUpperTail([{ n: 10, p: 0.5 }], 0), 0);
});
