import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyzeFile, type SkippedLine } from '../../src/detect/analyze.js';
import { mixedLog, toJsonl } from './scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'moat-analyze-'));

test('the report is moat.report.v1: each account once, risks in [0, 1], alerts', async () => {
  const events = mixedLog();
  const file = join(dir, 'mixed.jsonl');
  writeFileSync(file, toJsonl(events));
  const { report } = await analyzeFile(file);

  assert.equal(report.v, 1);
  assert.equal(report.events, events.length);
  const ids = report.accounts.map((a) => a.account);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(new Set(ids), new Set(events.map((e) => e.account)));
  const clusterIds = new Set(report.clusters.map((c) => c.id));
  for (const a of report.accounts) {
    assert.deepEqual(Object.keys(a).sort(), [
      'account',
      'cluster',
      'events',
      'events_before_alert',
      'first_alert_ts',
      'reasons',
      'risk',
      'verdict',
    ]);
    assert.ok(a.risk >= 0 && a.risk <= 1);
    assert.equal(a.first_alert_ts === null, a.events_before_alert === null);
    if (a.first_alert_ts !== null) assert.ok(['review', 'block'].includes(a.verdict));
    if (a.cluster !== null) assert.ok(clusterIds.has(a.cluster));
    for (const r of a.reasons) assert.ok(typeof r.detail === 'string' && r.detail.length > 0);
  }
  for (let i = 1; i < report.accounts.length; i++) {
    assert.ok(report.accounts[i - 1].risk >= report.accounts[i].risk, 'riskiest first');
  }
  const bulk = report.accounts.find((a) => a.account === 'bulk');
  assert.ok(bulk?.first_alert_ts, 'the bulk harvester is alerted');
  assert.ok((bulk.events_before_alert ?? Infinity) <= 50, `after ${bulk.events_before_alert}`);
  const hydraCluster = report.clusters.find((c) => c.accounts.includes('hyd0'));
  assert.equal(hydraCluster?.accounts.length, 10);
  const legitAlerted = report.accounts.filter(
    (a) => a.account.startsWith('legit') && a.first_alert_ts,
  );
  assert.equal(legitAlerted.length, 0);
});

test('a malformed line is reported by line number and skipped; the rest is analysed', async () => {
  const events = mixedLog().slice(0, 200);
  const lines = toJsonl(events).trimEnd().split('\n');
  lines.splice(10, 0, '{"account": "broken", "ts": ');
  lines.splice(50, 0, JSON.stringify({ account: 'x', ts: 'yesterday', route: 'chat.completions' }));
  lines.splice(70, 0, '');
  const file = join(dir, 'bad.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);

  const skipped: SkippedLine[] = [];
  const result = await analyzeFile(file, { onSkip: (s) => skipped.push(s) });
  assert.deepEqual(
    skipped.map((s) => s.line),
    [11, 51],
  );
  assert.match(skipped[0].reason, /^line 11: not valid JSON/);
  assert.match(skipped[1].reason, /^line 51: field "ts"/);
  assert.equal(result.report.events, 200);
  assert.equal(result.skipped, 2);
});

test('events slightly out of order are put back in time order', async () => {
  const events = mixedLog().slice(0, 300);
  const shuffled = [...events];
  for (let i = 0; i + 1 < shuffled.length; i += 7) {
    if (shuffled[i].ts === shuffled[i + 1].ts) continue;
    [shuffled[i], shuffled[i + 1]] = [shuffled[i + 1], shuffled[i]];
  }
  const a = join(dir, 'ordered.jsonl');
  const b = join(dir, 'shuffled.jsonl');
  writeFileSync(a, toJsonl(events));
  writeFileSync(b, toJsonl(shuffled));
  const ra = await analyzeFile(a);
  const rb = await analyzeFile(b);
  assert.equal(rb.late, 0);
  assert.deepEqual(rb.report, ra.report);
});

test('moat analyze prints the riskiest accounts, writes JSON and a self-contained page', () => {
  const file = join(dir, 'cli.jsonl');
  writeFileSync(file, `${toJsonl(mixedLog())}not json\n`);
  const json = join(dir, 'r.json');
  const html = join(dir, 'r.html');
  const bin = join(process.cwd(), 'bin', 'moat.js');
  const r = spawnSync(process.execPath, [bin, 'analyze', file, '--json', json, '--html', html], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /riskiest accounts:\n {2}bulk|riskiest accounts:\n {2}hyd/);
  assert.match(r.stderr, /skipped line \d+: not valid JSON/);
  const report = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(report.v, 1);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /<svg/);
  assert.match(page, /bulk/);
  assert.doesNotMatch(page, /<script|<link|src="http/);
});

test('moat analyze names a missing file', () => {
  const bin = join(process.cwd(), 'bin', 'moat.js');
  const r = spawnSync(process.execPath, [bin, 'analyze', join(dir, 'nope.jsonl')], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /No such file/);
});

test('reading on a second thread gives the same report as reading on this one', async () => {
  const file = join(dir, 'threads.jsonl');
  writeFileSync(file, `${toJsonl(mixedLog())}{bad\n`);
  const skippedA: number[] = [];
  const skippedB: number[] = [];
  const a = await analyzeFile(file, { onSkip: (s) => skippedA.push(s.line) });
  const b = await analyzeFile(file, { parallel: false, onSkip: (s) => skippedB.push(s.line) });
  assert.deepEqual(a.report, b.report);
  assert.deepEqual(skippedA, skippedB);
  assert.equal(a.lines, b.lines);
});
