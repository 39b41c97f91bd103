import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dataDir } from '../../src/core/paths.js';
import { builtinCorpus } from '../../src/data/builtin/prompts.js';
import { builtinTraces } from '../../src/data/builtin/traces.js';
import { SET_NAMES } from '../../src/data/corpus.js';
import type { ReadIssue } from '../../src/data/lines.js';
import { readRealCorpus } from '../../src/data/load.js';
import { readRealTraces } from '../../src/data/traces.js';

test('the built-in corpus has every set, unique prompts, and is deterministic', () => {
  const a = builtinCorpus();
  const b = builtinCorpus();
  for (const name of SET_NAMES) {
    assert.ok(a.sets[name].length >= 100, `${name} has ${a.sets[name].length}`);
    const prompts = new Set(a.sets[name].map((i) => i.prompt));
    assert.equal(prompts.size, a.sets[name].length, `${name} repeats prompts`);
    assert.deepEqual(a.sets[name].slice(0, 5), b.sets[name].slice(0, 5));
  }
});

test('built-in maths answers are worked steps whose final line is the right number', () => {
  for (const item of builtinCorpus().sets.gsm8k.slice(0, 200)) {
    const last = /#### (\d+)$/.exec(item.answer ?? '');
    assert.ok(last, item.answer);
    const steps = [...(item.answer ?? '').matchAll(/<<([^=]+)=(\d+)>>/g)];
    const final = steps.at(-1)!;
    const [x, op, y] = final[1].split(/([+*-])/);
    const value = op === '+' ? +x + +y : op === '*' ? +x * +y : +x - +y;
    assert.equal(value, Number(final[2]));
    assert.equal(last[1], final[2]);
  }
});

test('answer lookup finds a prompt however its whitespace and case were changed', () => {
  const c = builtinCorpus();
  const item = c.sets['code-alpaca'][3];
  const found = c.answerFor(`  ${item.prompt.toUpperCase().replace(/ /g, '\n')} `);
  assert.equal(found?.id, item.id);
});

test('built-in traces have 14 days of windows and token sizes', () => {
  const t = builtinTraces();
  assert.ok(t.clients.length >= 10);
  assert.equal(t.clients[0].length, 14 * 144);
  assert.ok(t.chatSizes.length > 100 && t.longSizes.length > 100);
});

test('real data: every set reads with its documented row count', async (t) => {
  const dir = dataDir();
  if (!dir) {
    if (process.env.CI === 'true') assert.fail('CI=true but the data folder is missing');
    return t.skip('no data folder (set MOAT_DATA); the real-data check runs in CI');
  }
  const issues: ReadIssue[] = [];
  const c = await readRealCorpus(dir, { onIssue: (i) => issues.push(i) });
  const sizes = Object.fromEntries(SET_NAMES.map((n) => [n, c.sets[n].length]));
  assert.deepEqual(sizes, {
    'gpteacher-codegen': 4535,
    'code-alpaca': 2017,
    gsm8k: 7473,
    'arena-hard': 500,
    instructionwild: 429 + 248 + 201 - 5,
    banking77: 10003,
    'nq-open': 3610,
    'role-prompts': 1529,
  });
  assert.equal(issues.length, 5, 'the five broken InstructionWild lines');
  assert.ok(issues.every((i) => i.file.includes('instructionwild')));
  assert.ok(c.sets['role-prompts'].some((i) => i.prompt.length > 100_000));

  const traces = await readRealTraces(dir);
  assert.equal(traces.clients.length, 162);
  assert.equal(traces.clients[0].length, 2016);
  assert.equal(traces.chatSizes.length, 19366);
  assert.equal(traces.longSizes.length, 12031);
});
