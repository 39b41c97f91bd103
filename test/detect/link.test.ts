import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DetectionEngine } from '../../src/detect/engine.js';
import type { MoatEvent } from '../../src/core/event.js';
import { HOUR, T0, harvestAccount, legitAccount, merge } from './fixtures.js';

function run(events: MoatEvent[]) {
  const engine = new DetectionEngine();
  for (const e of events) engine.ingest(e);
  return engine.report();
}

/** 50 low-volume accounts of one campaign: shared payment fingerprint and template. */
function hydra(payment: string | undefined): MoatEvent[] {
  return merge(
    ...Array.from({ length: 50 }, (_, i) =>
      harvestAccount(`h${i}`, 15, 500 + i, {
        startMs: T0 + i * 60_000,
        gapMs: 20 * 60_000,
        payment,
        ip: `100.${64 + (i % 50)}.${i}.9`,
      }),
    ),
  );
}

test('a hydra of 50 accounts sharing a payment fingerprint and templates forms one cluster', () => {
  const report = run(hydra('pm_hydra'));
  assert.equal(report.clusters.length, 1);
  const [cluster] = report.clusters;
  assert.equal(cluster.accounts.length, 50);
  assert.deepEqual(
    [...cluster.accounts].sort(),
    Array.from({ length: 50 }, (_, i) => `h${i}`).sort(),
  );
  assert.ok(cluster.first_alert_ts !== null, 'the cluster is alerted');
  for (const a of report.accounts) {
    assert.equal(a.cluster, cluster.id);
    assert.ok(a.verdict === 'review' || a.verdict === 'block', `${a.account} ${a.verdict}`);
    assert.equal(a.reasons[0].signal, 'cluster');
  }
});

test('hydra accounts alone look harmless: without linking none is alerted', () => {
  const engine = new DetectionEngine({ config: { link: false } });
  for (const e of hydra('pm_hydra')) engine.ingest(e);
  const alerted = engine.report().accounts.filter((a) => a.first_alert_ts !== null);
  assert.equal(alerted.length, 0);
});

test('a shared template with a shared client links accounts without a payment fingerprint', () => {
  const report = run(
    hydra(undefined).map((e) => ({ ...e, client: { ...e.client, payment_fp: undefined } })),
  );
  assert.equal(report.clusters.length, 1);
  assert.equal(report.clusters[0].accounts.length, 50);
});

test('50 unrelated accounts do not form a cluster', () => {
  const events = merge(
    ...Array.from({ length: 50 }, (_, i) =>
      legitAccount(`u${i}`, 40, 900 + i, T0 + (i % 5) * HOUR),
    ),
  );
  const report = run(events);
  assert.equal(report.clusters.length, 0);
  assert.equal(report.accounts.length, 50);
  for (const a of report.accounts) assert.equal(a.cluster, null);
});
