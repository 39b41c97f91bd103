import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { command } from '../../src/cli/simulate.js';
import { parseEventLine } from '../../src/core/event-parse.js';

test('moat simulate writes parseable events and a label for every account', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moat-sim-'));
  const scenario = join(dir, 'tiny.yaml');
  writeFileSync(
    scenario,
    [
      'name: tiny',
      'days: 0.25',
      'tenants:',
      '  - { profile: support-bot, accounts: 3, per_day: 200 }',
      '  - { profile: eval-harness, accounts: 1, per_day: 100 }',
      'campaigns:',
      '  - { name: b, kind: bulk, target: [gsm8k], per_day: 2000 }',
    ].join('\n'),
  );
  const out = join(dir, 'events.jsonl');
  const labels = join(dir, 'labels.jsonl');
  const write = process.stdout.write;
  process.stdout.write = () => true;
  try {
    const code = await command.run(['--scenario', scenario, '--out', out, '--labels', labels]);
    assert.equal(code, 0);
  } finally {
    process.stdout.write = write;
  }

  const events = readFileSync(out, 'utf8').trim().split('\n');
  const parsed = events.map((line, i) => parseEventLine(line, i + 1));
  assert.ok(parsed.length > 100);
  const rows = readFileSync(labels, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const known = new Set(rows.map((r) => r.account));
  assert.ok(parsed.every((e) => known.has(e.account)));
  assert.deepEqual(
    rows.map((r) => r.account),
    rows.map((r) => r.account).sort(),
    'labels are sorted by opaque id',
  );
  assert.equal(rows.filter((r) => r.label === 'attack').length, 1);
});

test('moat simulate refuses a missing flag and an unknown scenario', async () => {
  await assert.rejects(command.run(['--scenario', 'ci']), /--out/);
  await assert.rejects(
    command.run(['--scenario', 'nope', '--out', '/tmp/x', '--labels', '/tmp/y']),
    /MOAT_ERR_SCENARIO|neither a preset/,
  );
});
