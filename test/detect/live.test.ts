import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AccountVerdict, ClusterVerdict } from '../../src/core/verdict.js';
import { analyzeFile } from '../../src/detect/analyze.js';
import { LiveDetector } from '../../src/detect/live.js';
import { harvestAccount } from './fixtures.js';
import { mixedLog, toJsonl } from './scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'moat-live-'));

async function offlineReport() {
  const file = join(dir, 'mixed.jsonl');
  writeFileSync(file, toJsonl(mixedLog()));
  return (await analyzeFile(file)).report;
}

for (const worker of [true, false]) {
  const where = worker ? 'worker thread' : 'same thread';
  test(`the live path (${where}) reaches the verdicts of moat analyze`, async () => {
    const offline = await offlineReport();
    const live = new LiveDetector({ worker });
    const changes: (AccountVerdict | ClusterVerdict)[] = [];
    live.onVerdict((v) => changes.push(v));
    for (const e of mixedLog()) live.push(e);
    const report = await live.report();
    await live.close();

    assert.deepEqual(report, offline);
    for (const a of offline.accounts) {
      const cached = live.verdict(a.account);
      if (a.verdict === 'allow') {
        assert.equal(cached, undefined);
        continue;
      }
      assert.equal(cached?.verdict, a.verdict, a.account);
    }
    assert.ok(
      changes.some((v) => 'accounts' in v),
      'cluster verdicts are published',
    );
  });
}

test('a verdict reached live is visible to the next request within one second', async () => {
  const live = new LiveDetector();
  const events = harvestAccount('fast', 120, 3, { gapMs: 15_000 });
  let blockedAt = 0;
  live.onVerdict((v) => {
    if ('account' in v && v.verdict === 'block' && !blockedAt) blockedAt = performance.now();
  });
  let pushedAt = 0;
  for (const e of events) {
    if (live.verdict('fast')?.verdict === 'block') break;
    pushedAt = performance.now();
    live.push(e);
    await new Promise((r) => setTimeout(r, 5));
  }
  await live.flush();
  await live.close();
  assert.equal(live.verdict('fast')?.verdict, 'block');
  assert.ok(blockedAt - pushedAt < 1000, `verdict after ${blockedAt - pushedAt} ms`);
});

test('the live queue sheds and counts events beyond its bound instead of blocking', async () => {
  const live = new LiveDetector({ worker: false, maxQueue: 10, flushMs: 1000 });
  for (const e of harvestAccount('q', 25, 1)) live.push(e);
  assert.equal(live.shed, 15);
  await live.close();
});
