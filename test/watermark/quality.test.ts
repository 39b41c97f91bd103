import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomKey } from '../../src/watermark/keyring.js';
import { markWithStats, protectedParts } from '../../src/watermark/quality.js';
import { generatedAnswers, MIXED, realAnswers } from './helpers/samples.js';

const opts = { key: randomKey('q'), strength: 1 };

/** Marks every text, checks protected parts stay byte-identical, returns the words changed. */
function checkAll(texts: string[]): { share: number; changedTexts: number } {
  let words = 0;
  let changed = 0;
  let changedTexts = 0;
  for (const text of texts) {
    const m = markWithStats(text, opts);
    assert.deepEqual(protectedParts(m.text), protectedParts(text));
    const finals = (s: string) => s.split('\n').filter((l) => l.startsWith('####'));
    assert.deepEqual(finals(m.text), finals(text));
    words += m.words;
    changed += m.changed;
    if (m.text !== text) changedTexts++;
  }
  return { share: changed / words, changedTexts };
}

test('on the built-in sample, numbers, code and final answers stay byte-identical', () => {
  const { share, changedTexts } = checkAll([...MIXED, ...generatedAnswers(300)]);
  assert.ok(changedTexts > 100, `only ${changedTexts} texts changed`);
  assert.ok(share > 0 && share < 0.2, `${share} of words changed`);
});

test('on real GSM8K, GPTeacher and Code Alpaca answers, the same holds', async (t) => {
  if (process.env.CI !== 'true') {
    t.skip('real data runs when CI=true (the built-in sample is checked above)');
    return;
  }
  const real = await realAnswers();
  assert.ok(real, 'CI=true but the data folder is missing (set MOAT_DATA)');
  for (const [set, texts] of Object.entries(real)) {
    const { share } = checkAll(texts);
    t.diagnostic(`${set}: ${texts.length} answers, ${(share * 100).toFixed(2)}% of words changed`);
    assert.ok(share < 0.05, `${set}: ${share} of words changed`);
  }
});
