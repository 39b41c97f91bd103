import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { markText } from '../../src/watermark/embed.js';
import { Keyring, type WatermarkKey } from '../../src/watermark/keyring.js';
import { collectObservations, scoreKey, verifyTexts } from '../../src/watermark/verify.js';
import { generatedAnswers, MIXED, realAnswers } from './helpers/samples.js';

/** Deterministic keys, so the statistical checks below give the same answer on every run. */
function keyNo(i: number): WatermarkKey {
  return { id: `k${i}`, secret: createHash('sha256').update(`test-key-${i}`).digest() };
}

/**
 * Checks that p-values of unmarked text under many keys are uniform or conservative: the share
 * at or below each level may exceed the level only by sampling noise (one-sided KS bound at the
 * 1% level), and half of them are not crammed at 1 (which would make the test useless).
 */
function assertNullCalibrated(pValues: number[]): void {
  const n = pValues.length;
  const bound = 1.63 / Math.sqrt(n);
  for (const level of [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75]) {
    const share = pValues.filter((p) => p <= level).length / n;
    assert.ok(share <= level + bound, `P(p <= ${level}) = ${share} (bound ${level + bound})`);
  }
  const below = pValues.filter((p) => p <= 0.5).length / n;
  assert.ok(below >= 0.3, `only ${below} of p-values at or below 0.5: test has no power`);
}

function nullPValues(texts: string[], keys: number, batch: number): number[] {
  const batches: string[][] = [];
  for (let i = 0; i < texts.length; i += batch) batches.push(texts.slice(i, i + batch));
  const observations = batches.map((b) => collectObservations(b));
  return Array.from({ length: keys }, (_, i) => {
    const obs = observations[i % observations.length];
    return scoreKey(obs, keyNo(1000 + i)).p_value;
  });
}

test('unmarked text gives uniform p-values under unknown keys', () => {
  const texts = generatedAnswers(600, 5);
  const ps = nullPValues(texts, 600, 60);
  assertNullCalibrated(ps);
});

test('unmarked real answers give uniform p-values under unknown keys', async (t) => {
  if (process.env.CI !== 'true') {
    t.skip('real data runs when CI=true (the generated corpus is checked above)');
    return;
  }
  const real = await realAnswers();
  assert.ok(real, 'CI=true but the data folder is missing (set MOAT_DATA)');
  const texts = [...real.gsm8k.slice(0, 3000), ...real['gpteacher-codegen'].slice(0, 1000)];
  assertNullCalibrated(nullPValues(texts, 800, 100));
});

test('marked text is found with the right key and not with another', () => {
  const key = keyNo(1);
  const marked = generatedAnswers(60, 9).map((t) => markText(t, { key, strength: 1 }));
  const right = verifyTexts(marked, new Keyring([key], key.id));
  assert.ok(right.p_value < 1e-10, `p = ${right.p_value}`);
  assert.equal(right.key_id, 'k1');
  assert.equal(right.matches, right.opportunities);

  const other = keyNo(2);
  const wrong = verifyTexts(marked, new Keyring([other], other.id));
  assert.ok(wrong.p_value > 1e-3, `p = ${wrong.p_value} for a key that did not mark`);
});

test('a thousand copies of one answer score like one copy', () => {
  const key = keyNo(3);
  const ring = new Keyring([key], key.id);
  const one = markText(MIXED[7], { key, strength: 1 });
  const single = verifyTexts([one], ring);
  const many = verifyTexts(
    Array.from({ length: 1000 }, () => one),
    ring,
  );
  assert.deepEqual(many, single);
  assert.ok(single.opportunities >= 5);
});

test('after a rotation old texts verify under the old key id, with the p-value corrected', () => {
  const old = keyNo(4);
  const current = keyNo(5);
  const marked = generatedAnswers(40, 11).map((t) => markText(t, { key: old, strength: 1 }));
  const ring = new Keyring([old, current], current.id);

  const both = verifyTexts(marked, ring);
  const alone = verifyTexts(marked, ring, old.id);
  assert.equal(both.key_id, old.id);
  assert.ok(both.p_value < 1e-6);
  assert.ok(Math.abs(both.log10_p - (alone.log10_p + Math.log10(2))) < 1e-9);
});

test('half strength changes fewer words and is still found', () => {
  const key = keyNo(6);
  const texts = generatedAnswers(300, 13);
  const half = texts.map((t) => markText(t, { key, strength: 0.5 }));
  const full = texts.map((t) => markText(t, { key, strength: 1 }));
  const changed = (a: string[]) => a.filter((t, i) => t !== texts[i]).length;
  assert.ok(changed(half) < changed(full));

  const v = verifyTexts(half, new Keyring([key], key.id));
  assert.ok(v.p_value < 1e-4, `p = ${v.p_value}`);
  assert.ok(v.matches < v.opportunities);
});
