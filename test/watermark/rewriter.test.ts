import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seeded } from '../../src/bench/watermark-ngram.js';
import { markText, textMarker } from '../../src/watermark/embed.js';
import { keyedChoice, randomKey } from '../../src/watermark/keyring.js';
import { protectedParts } from '../../src/watermark/quality.js';
import { PhraseRewriter, type Opportunity } from '../../src/watermark/rewriter.js';
import { generatedAnswers, MIXED } from './helpers/samples.js';

const key = randomKey('t');
const opts = { key, strength: 1 };

function opportunities(text: string): Opportunity[] {
  const found: Opportunity[] = [];
  const r = new PhraseRewriter((op) => {
    found.push(op);
    return null;
  });
  r.push(text);
  r.end();
  return found;
}

/** Picks the member with the given index in every set that has it, else keeps the text. */
function forceAll(text: string, index: number): string {
  const r = new PhraseRewriter((op) => (index < op.set.variants.length ? index : null));
  return r.push(text) + r.end();
}

test('marking in any chunks gives the same text as marking it whole', () => {
  const rng = seeded(3);
  for (const text of [...MIXED, ...generatedAnswers(40)]) {
    const whole = markText(text, opts);
    for (let round = 0; round < 5; round++) {
      const r = textMarker(opts);
      let out = '';
      for (let i = 0; i < text.length;) {
        const size = 1 + Math.floor(rng() * 12);
        out += r.push(text.slice(i, i + size));
        i += size;
      }
      assert.equal(out + r.end(), whole);
    }
  }
});

test('every opportunity in a marked text holds the key’s pick', () => {
  let checked = 0;
  for (const text of [...MIXED, ...generatedAnswers(200)]) {
    for (const op of opportunities(markText(text, opts))) {
      assert.equal(
        op.index,
        keyedChoice(key.secret, op.set.id, op.context, op.set.variants.length),
      );
      checked++;
    }
  }
  assert.ok(checked > 300, `only ${checked} opportunities`);
});

test('marked texts keep their opportunities whichever member the original held', () => {
  for (const text of MIXED) {
    const before = opportunities(text).map((o) => `${o.set.id}`);
    for (const index of [0, 1, 2]) {
      const forced = forceAll(text, index);
      assert.deepEqual(
        opportunities(forced).map((o) => `${o.set.id}`),
        before,
        `set sequence changed after forcing member ${index}:\n${forced}`,
      );
    }
  }
});

test('code, inline code, URLs, quotes, JSON, numbers and #### lines stay byte-identical', () => {
  for (const text of [...MIXED, ...generatedAnswers(100)]) {
    for (const index of [0, 1, 2, 3, 4]) {
      const forced = forceAll(text, index);
      assert.deepEqual(protectedParts(forced), protectedParts(text));
    }
  }

  const forced = forceAll(MIXED[0], 1);
  assert.match(forced, /```python\nfor x in items:\n {4}if x is not None:\n/);
  assert.match(forced, /print\("do not stop"\)/);
  const json = forceAll(MIXED[2], 1);
  assert.ok(json.startsWith('{"answer": "So he did not", "each": 3}\n'));
  const url = forceAll(MIXED[1], 1);
  assert.match(url, /`do not` flags; see https:\/\/example\.com\/do-not\/each\./);
});

test('prose phrases are exchanged with case and punctuation kept', () => {
  const text = 'So he did not go. Then, she said it does not matter, for example today.';
  assert.equal(
    forceAll(text, 1),
    "Therefore he didn't go. Next, she said it doesn't matter, for instance today.",
  );
  assert.equal(forceAll("It isn't here. We can't.", 0), 'It is not here. We cannot.');
});

test('positions that would change meaning are left alone', () => {
  const cases = [
    'They love each other.',
    'So far it works.',
    'Is that what you are?',
    'It costs $5 each.',
    'It is a each-time thing. He turned left.',
    'so lower-case lines are not prose, so they stay.',
    'Call foo.bar(x) so the value is not lost.',
    'Run npm_test() so it does not fail.',
    'Use `x` and then each.run() so it does not fail.',
  ];
  for (const text of cases) {
    assert.equal(forceAll(text, 1), text, text);
    assert.equal(forceAll(text, 0), text, text);
  }
});

test('a streamed text is held back by at most a few tokens', () => {
  const text = generatedAnswers(30).join('\n') + '\n' + MIXED.join('\n');
  const r = textMarker(opts);
  let sent = 0;
  let maxHeld = 0;
  for (let i = 0; i < text.length; i++) {
    sent += r.push(text[i]).length;
    maxHeld = Math.max(maxHeld, i + 1 - sent);
  }
  assert.ok(maxHeld < 400, `held back ${maxHeld} characters`);
  assert.ok(maxHeld > 0);
});

test('a very long token is passed on without waiting for its end', () => {
  const r = textMarker(opts);
  const long = 'x'.repeat(5000);
  const out = r.push(`Here ${long}`);
  assert.ok(out.length > 4900, `only ${out.length} characters passed on`);
  assert.ok(out + r.push(' done.') + r.end() === `Here ${long} done.`);
});
