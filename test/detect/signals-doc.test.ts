import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLUSTER_SIGNALS } from '../../src/detect/link/cluster-signals.js';
import { SIGNALS } from '../../src/detect/signals/index.js';
import { signalsMarkdown } from '../../src/detect/signals/doc.js';

test('docs/signals.md is the generated signal reference', () => {
  const committed = readFileSync(join(process.cwd(), 'docs', 'signals.md'), 'utf8');
  assert.equal(
    committed,
    signalsMarkdown(),
    'regenerate with: node dist/src/detect/signals/doc.js > docs/signals.md',
  );
});

test('every signal documents what it measures, why, false positives and references', () => {
  const ids = new Set<string>();
  for (const s of [...SIGNALS, ...CLUSTER_SIGNALS]) {
    assert.ok(!ids.has(s.id), `duplicate id ${s.id}`);
    ids.add(s.id);
    assert.match(s.id, /^[a-z_]+$/);
    for (const field of ['title', 'measures', 'why', 'falsePositives'] as const) {
      assert.ok(s.rule[field].length > 20 || field === 'title', `${s.id}.${field}`);
    }
    assert.ok(s.rule.references.length > 0, `${s.id} has references`);
    assert.ok(s.weight > 0, `${s.id} has a weight`);
  }
});
