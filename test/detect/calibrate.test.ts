import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { calibrateFile, thresholdAtFpr, thresholdsFromRisks } from '../../src/detect/calibrate.js';
import { mixedLog, toJsonl } from './scenario.js';

test('the threshold at a target FPR lets through at most that share of legitimate accounts', () => {
  const risks = Array.from({ length: 1000 }, (_, i) => i / 1000);
  const t = thresholdAtFpr(risks, 0.01);
  const flagged = risks.filter((r) => r >= t).length;
  assert.equal(flagged, 10);
  assert.equal(thresholdAtFpr([0.2, 0.5], 0.001), 0.5 + 1e-6, 'small samples: above the max');
});

test('levels are ordered: watch <= review <= block', () => {
  const risks = Array.from({ length: 500 }, (_, i) => Math.sqrt(i / 500));
  const t = thresholdsFromRisks(risks, 0.001);
  assert.ok(t.watch <= t.review && t.review <= t.block);
  assert.ok(risks.filter((r) => r >= t.review).length <= 5);
});

test('calibrating on labelled traffic uses only the legitimate accounts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moat-cal-'));
  const events = mixedLog();
  const file = join(dir, 'log.jsonl');
  const labels = join(dir, 'labels.jsonl');
  writeFileSync(file, toJsonl(events));
  const accounts = [...new Set(events.map((e) => e.account))];
  const rows = accounts.map((a) => ({
    account: a,
    label: a.startsWith('legit') ? 'legit' : 'attack',
  }));
  writeFileSync(labels, rows.map((r) => JSON.stringify(r)).join('\n'));

  const cal = await calibrateFile(file, { labelsFile: labels, targetFpr: 0.01 });
  assert.equal(cal.legitAccounts, 20);
  const all = await calibrateFile(file, { targetFpr: 0.01 });
  assert.equal(all.legitAccounts, accounts.length);
  assert.ok(all.thresholds.block > cal.thresholds.block, 'harvesters raise an unlabelled run');
});
